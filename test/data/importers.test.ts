import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../../src/io/npy.js';
import { DatasetReader } from '../../src/data/format.js';
import { importDataset, type ImportOptions } from '../../src/data/importers/index.js';
import { estimateDirection } from '../../src/data/importers/kth.js';
import { parseDelimited } from '../../src/data/importers/table.js';
import { commands } from '../../src/cli/commands/data-import.js';
import { resizeCropVideo, sliceFrames } from '../../src/media/video.js';
import { movingBox, noise, tempDir, testsrc } from '../media/clips.js';

// Clips of 8 frames at stride 2, 32x32: a 2 s, 25 fps source gives 25 decoded frames = 3 clips.
const params = { frames: 8, size: 32, stride: 2, hop: 8, channels: 1 as const, filter: 'area' as const };
let root = '';
let cleanup = () => {};

before(() => {
  ({ dir: root, cleanup } = tempDir('import'));
  // KTH: two walkers in opposite directions, a jogger, an ignored boxer, a corrupt file, a stray file.
  const kth = join(root, 'kth');
  mkdirSync(join(kth, 'walking'), { recursive: true });
  movingBox(join(kth, 'walking', 'person11_walking_d1_uncomp.avi'), 'ltr');
  movingBox(join(kth, 'walking', 'person22_walking_d2_uncomp.avi'), 'rtl');
  movingBox(join(kth, 'person19_jogging_d1_uncomp.avi'), 'ltr');
  movingBox(join(kth, 'person01_boxing_d1_uncomp.avi'), 'ltr', 1);
  writeFileSync(join(kth, 'person12_running_d1_uncomp.avi'), noise(20000, 3));
  writeFileSync(join(kth, 'readme.avi'), noise(100, 4));
  writeFileSync(join(root, 'kth-annotations.csv'), 'file,start_frame,end_frame,direction\n' +
    'person11_walking_d1,1,25,left to right\nperson11_walking_d1_uncomp.avi,26,50,rtl\n');
  // TACoS: two videos, frame intervals (one too short, one video missing) and second intervals.
  const tacos = join(root, 'tacos');
  mkdirSync(tacos);
  testsrc(join(tacos, 's13-d21.mp4'), '96x72', 25, 3);
  testsrc(join(tacos, 's14-d22.avi'), '80x60', 25, 1);
  writeFileSync(join(root, 'tacos.tsv'), 'video\tstart_frame\tend_frame\tdescription\tlevel\n' +
    's13-d21\t1\t30\tthe person takes out a knife\tdetailed\ns13-d21.mp4\t31\t75\tthe person cuts the cucumber\tshort\n' +
    's14-d22\t5\t10\ttoo short\tshort\ns99-d99\t1\t50\tno such video\tshort\n');
  writeFileSync(join(root, 'tacos-sec.csv'), 'video,start_sec,end_sec,description,split\ns13-d21,0.5,2.5,"the person, slowly, washes a pan",test\n');
  // MSR-VTT: two videos present, one annotated video missing.
  const msr = join(root, 'msrvtt');
  mkdirSync(msr);
  testsrc(join(msr, 'video0.mp4'), '96x72', 25, 1);
  testsrc(join(msr, 'video1.mp4'), '72x96', 25, 1);
  writeFileSync(join(root, 'msrvtt.json'), JSON.stringify({
    videos: [{ video_id: 'video0', split: 'train', category: 3 }, { video_id: 'video1', split: 'validate' }, { video_id: 'video2', split: 'test' }],
    sentences: [{ video_id: 'video0', caption: 'a test pattern' }, { video_id: 'video1', caption: 'colour bars' },
      { video_id: 'video0', caption: 'bars and a counter' }, { video_id: 'video2', caption: 'gone' }],
  }));
  // Generic folder: mp4, avi, npy, a corrupt avi, and a captioned file that does not exist.
  const folder = join(root, 'folder');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  testsrc(join(folder, 'a.mp4'), '96x72', 25, 1);
  movingBox(join(folder, 'sub', 'b.avi'), 'rtl', 1);
  writeNpy(join(folder, 'c.npy'), { dtype: 'u1', shape: [20, 40, 50, 3], data: noise(20 * 40 * 50 * 3, 8) });
  writeFileSync(join(folder, 'bad.avi'), noise(30000, 9));
  writeFileSync(join(root, 'captions.csv'), 'file,caption,split\na.mp4,a test pattern,train\nsub/b.avi,"a box, moving",test\n' +
    'c.npy,noise,val\nbad.avi,broken,train\ngone.mp4,missing,train\n');
});

after(() => cleanup());

const run = (format: string, out: string, extra: Partial<ImportOptions>) =>
  importDataset(format, { src: join(root, format), out: join(root, out), params, jobs: 2, ...extra });

test('parseDelimited: quoted fields, doubled quotes, newlines in quotes, CRLF, tabs', () => {
  assert.deepEqual(parseDelimited('a,b\r\n"x, y","say ""hi""\nthere"\n\n1,\n', ','), [
    { line: 1, fields: ['a', 'b'] }, { line: 2, fields: ['x, y', 'say "hi"\nthere'] }, { line: 5, fields: ['1', ''] }]);
  assert.deepEqual(parseDelimited('v\ts\nk\t1', '\t'), [{ line: 1, fields: ['v', 's'] }, { line: 2, fields: ['k', '1'] }]);
});

test('estimateDirection: sign of the frame-difference centroid motion', () => {
  const T = 6, S = 32;
  const v = { frames: T, height: S, width: S, channels: 1 as const, data: new Uint8Array(T * S * S) };
  for (let t = 0; t < T; t++) for (let y = 10; y < 20; y++) v.data.fill(255, (t * S + y) * S + 3 * t, (t * S + y) * S + 3 * t + 6);
  const est = estimateDirection(v);
  assert.equal(est.direction, 'left to right');
  assert.ok(Math.abs(est.dx - 3) < 0.5, `dx ${est.dx}`);
  assert.equal(estimateDirection({ ...v, data: new Uint8Array(v.data.length) }).direction, undefined, 'no motion -> undefined');
});

test('KTH: person splits, estimated directions, corrupt file skipped and counted', async () => {
  const lines: string[] = [];
  const s = await run('kth', 'out-kth', { progress: { write: (t) => lines.push(t), isTTY: false } });
  assert.equal(s.sources, 4, 'walking x2, jogging, corrupt running; boxing and readme.avi ignored');
  assert.equal(s.failed.length, 1);
  assert.match(s.failed[0]!.file, /person12_running_d1_uncomp\.avi$/);
  assert.ok(lines.some((l) => /warning: skipping .*person12_running_d1_uncomp\.avi/.test(l)), 'warning names the file');
  assert.ok(lines.some((l) => /import kth \[#+\] 4\/4 100%/.test(l)), 'progress reaches 4/4');
  const r = DatasetReader.open(join(root, 'out-kth'));
  try {
    const m = r.manifest;
    assert.deepEqual([m.frames, m.height, m.width, m.channels], [8, 32, 32, 1]);
    assert.deepEqual(m.splits, { train: 3, val: 3, test: 3 });
    assert.deepEqual(m.buckets, ['person 11 is walking left to right', 'person 19 is jogging left to right', 'person 22 is walking right to left']);
    for (const v of m.videos) {
      assert.equal(v.attributes['direction_source'], 'estimated');
      assert.equal(v.split, { 11: 'train', 19: 'val', 22: 'test' }[v.attributes['person'] as number]);
    }
    assert.equal(r.read(r.videos('test')[0]!).length, 8 * 32 * 32);
  } finally {
    r.close();
  }
});

test('KTH with an annotation file: directions come from it; a missing one is an error before any work', async () => {
  const s = await run('kth', 'out-kth-ann', { annotations: join(root, 'kth-annotations.csv') });
  const r = DatasetReader.open(join(root, 'out-kth-ann'));
  try {
    const p11 = r.manifest.videos.filter((v) => v.attributes['person'] === 11);
    assert.deepEqual(p11.map((v) => [v.caption, v.attributes['direction_source']]), [
      ['person 11 is walking left to right', 'annotation'], ['person 11 is walking right to left', 'annotation']]);
    assert.ok(r.manifest.videos.filter((v) => v.attributes['person'] !== 11).every((v) => v.attributes['direction_source'] === 'estimated'));
    assert.ok(s.notes.some((n) => /3 videos have no rows/.test(n)), 'person 19, 22 and the corrupt 12');
  } finally {
    r.close();
  }
  await assert.rejects(run('kth', 'out-kth-none', { annotations: join(root, 'nope.csv') }),
    /KTH annotation file .*nope\.csv \(--annotations\) does not exist/);
  assert.equal(existsSync(join(root, 'out-kth-none')), false, 'nothing was written');
});

test('TACoS: one clip per interval, short intervals dropped, missing videos counted, seconds via fps', async () => {
  const s = await run('tacos', 'out-tacos', { annotations: join(root, 'tacos.tsv'), params: { ...params, channels: 3 } });
  assert.equal(s.clips, 2);
  assert.deepEqual(s.missing, ['s99-d99']);
  assert.equal(Object.values(s.dropped).reduce((a, b) => a + b, 0), 1);
  const r = DatasetReader.open(join(root, 'out-tacos'));
  try {
    const v = r.manifest.videos;
    assert.deepEqual(v.map((e) => e.caption), ['the person takes out a knife', 'the person cuts the cucumber']);
    assert.equal(v[0]!.split, v[1]!.split, 'clips of one video share its split');
    assert.equal(v[1]!.attributes['level'], 'short');
    // Interval 31..75 -> decoded 15..37; centred 8-frame clip starts at decoded 22 = source frame 45.
    assert.equal(v[1]!.attributes['clip_start_frame'], 45);
  } finally {
    r.close();
  }
  const sec = await run('tacos', 'out-tacos-sec', { annotations: join(root, 'tacos-sec.csv') });
  assert.deepEqual([sec.clips, sec.splits.test], [1, 1]);
  const rs = DatasetReader.open(join(root, 'out-tacos-sec'));
  try {
    // 0.5..2.5 s at 25 fps = source frames 13..63 -> decoded 6..31; centred clip starts at 15 (frame 31).
    assert.deepEqual([rs.manifest.videos[0]!.caption, rs.manifest.videos[0]!.attributes['clip_start_frame']], ['the person, slowly, washes a pan', 31]);
  } finally {
    rs.close();
  }
});

test('MSR-VTT: one clip per video with the first caption (all kept), or one entry per caption', async () => {
  const s = await run('msrvtt', 'out-msr', { annotations: join(root, 'msrvtt.json') });
  assert.deepEqual([s.clips, s.missing], [2, ['video2']]);
  const r = DatasetReader.open(join(root, 'out-msr'));
  try {
    const [v0, v1] = r.manifest.videos;
    assert.deepEqual([v0!.id, v0!.caption, v0!.split, v1!.split], ['video0', 'a test pattern', 'train', 'val']);
    assert.deepEqual(v0!.attributes['captions'], ['a test pattern', 'bars and a counter']);
    assert.equal(v0!.attributes['category'], 3);
  } finally {
    r.close();
  }
  const all = await run('msrvtt', 'out-msr-all', { annotations: join(root, 'msrvtt.json'), captionsPerVideo: 'all' });
  assert.equal(all.clips, 3);
});

test('folder: csv captions, .npy sources, corrupt file counted; re-run decodes nothing new (resume)', async () => {
  const opts = { captions: join(root, 'captions.csv') };
  const first = await run('folder', 'out-folder', opts);
  assert.deepEqual([first.clips, first.decoded, first.cached, first.failed.length], [3, 3, 0, 1]);
  assert.match(first.failed[0]!.file, /bad\.avi$/);
  assert.deepEqual(first.missing, ['gone.mp4']);
  assert.deepEqual(first.splits, { train: 1, val: 1, test: 1 });
  const out = join(root, 'out-folder');
  const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');
  const shard = readFileSync(join(out, 'shard-00000.safetensors'));
  const cacheFiles = readdirSync(join(out, '.import-cache')).sort();

  const second = await run('folder', 'out-folder', opts);
  assert.deepEqual([second.clips, second.decoded, second.cached, second.failed.length], [3, 0, 3, 1]);
  assert.equal(readFileSync(join(out, 'manifest.json'), 'utf8'), manifest, 'same manifest');
  assert.deepEqual(readFileSync(join(out, 'shard-00000.safetensors')), shard, 'same shard bytes');
  assert.deepEqual(readdirSync(join(out, '.import-cache')).sort(), cacheFiles, 'no new cache entries');
  // An import interrupted after two of three sources: only the third is decoded again.
  unlinkSync(join(out, '.import-cache', cacheFiles.find((f) => f.startsWith('a-') && f.endsWith('.json'))!));
  const third = await run('folder', 'out-folder', opts);
  assert.deepEqual([third.decoded, third.cached], [1, 2]);
  assert.equal(readFileSync(join(out, 'manifest.json'), 'utf8'), manifest);

  // The .npy source went through the JS resize: stride 2, then 40x50 -> 32x32 (area), RGB -> gray.
  const r = DatasetReader.open(out);
  try {
    const c = r.manifest.videos.find((v) => v.id === 'c')!;
    const src = { frames: 20, height: 40, width: 50, channels: 3 as const, data: noise(20 * 40 * 50 * 3, 8) };
    const want = resizeCropVideo(sliceFrames(src, 0, 8, 2), 32, 32, 'area');
    const got = r.read(c);
    const luma = (i: number) => Math.round(0.299 * want.data[i * 3]! + 0.587 * want.data[i * 3 + 1]! + 0.114 * want.data[i * 3 + 2]!);
    assert.ok(got.every((b, i) => b === luma(i)));
  } finally {
    r.close();
  }
});

test('folder: a missing captions file is a clear error before any work; CLI exits 2', async () => {
  await assert.rejects(run('folder', 'out-nocap', { captions: join(root, 'no-captions.csv') }),
    /captions file .*no-captions\.csv \(--captions\) does not exist/);
  await assert.rejects(run('folder', 'out-nocap', {}), /this format needs a captions file: pass --captions FILE/);
  assert.equal(existsSync(join(root, 'out-nocap')), false);
  await assert.rejects(run('folder', 'folder', { captions: join(root, 'captions.csv') }),
    /output folder .*folder \(--out\) is not empty and not a t2vlab dataset/);
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => { stderr.push(String(s)); return true; }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await commands[0]!.run(['--format', 'folder', '--src', join(root, 'folder'), '--out', join(root, 'out-nocap'), '--captions', join(root, 'x.csv')]);
  } finally {
    process.stderr.write = write;
  }
  assert.equal(code, 2);
  assert.match(stderr.join(''), /x\.csv \(--captions\) does not exist/);
});

test('CLI data import: JSON captions, gray clips, summary on stdout', async () => {
  writeFileSync(join(root, 'captions.json'), JSON.stringify({ 'a.mp4': 'a test pattern', 'sub/b.avi': { caption: 'a box', split: 'test' } }));
  const stdout: (string | Uint8Array)[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string | Uint8Array) => { stdout.push(s); return true; }) as typeof process.stdout.write;
  let code: number;
  try {
    code = await commands[0]!.run(['--format', 'folder', '--src', join(root, 'folder'), '--out', join(root, 'out-cli'),
      '--captions', join(root, 'captions.json'), '--frames', '4', '--size', '16', '--channels', '1', '--quiet']);
  } finally {
    process.stdout.write = write;
    for (const chunk of stdout) write(chunk); // replay: the test reporter writes here too
  }
  assert.equal(code, 0);
  assert.match(stdout.filter((c) => typeof c === 'string').join(''), /wrote 2 clips to .*out-cli/);
  const m = JSON.parse(readFileSync(join(root, 'out-cli', 'manifest.json'), 'utf8')) as { frames: number; height: number; channels: number };
  assert.deepEqual([m.frames, m.height, m.channels], [4, 16, 1]);
});
