import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetWriter, isDatasetDir } from '../../src/data/format.js';
import { writeNpy } from '../../src/io/npy.js';
import { writeGif } from '../../src/media/gif.js';
import { listVideoFiles, loadReferenceSet, loadVideoSet, readPrompts } from '../../src/metrics/video-set.js';
import { MetricInputError } from '../../src/metrics/types.js';
import { noise, tempDir } from '../media/clips.js';
import { BLACK, RED, WHITE, YELLOW, solidVideo } from './fake-clip.js';

let root = '';
let cleanup = (): void => {};
const rgb = noise(3 * 5 * 6 * 3, 7); // a.npy: (3, 5, 6, 3)
const gray = noise(2 * 4 * 4, 9); // e-gray.npy: (2, 4, 4)
const gifVideo = solidVideo([WHITE, RED, YELLOW, BLACK], 8); // colours on the cube palette: exact

before(() => {
  ({ dir: root, cleanup } = tempDir('videoset'));
  const dir = join(root, 'gen');
  writeNpy(join(dir, 'a.npy'), { dtype: 'u1', shape: [3, 5, 6, 3], data: rgb });
  writeGif(join(dir, 'b.gif'), gifVideo, { palette: 'cube' });
  writeFileSync(join(dir, 'c-bad.npy'), noise(300, 3)); // not a .npy file
  writeFileSync(join(dir, 'd-bad.mp4'), noise(300, 4)); // not a video
  writeNpy(join(dir, 'e-gray.npy'), { dtype: 'u1', shape: [2, 4, 4], data: gray });
  writeFileSync(join(dir, 'notes.txt'), 'not a video\n');
  writeFileSync(join(root, 'prompts.txt'), 'p a\np b\np c\np d\np e\n');
  writeFileSync(join(root, 'short.txt'), 'p a\np b\np c\np d\n');
  writeFileSync(join(root, 'prompts.json'), JSON.stringify({ 'a.npy': 'j a', b: { caption: 'j b', bucket: 1 }, 'c-bad.npy': 'j c', 'd-bad.mp4': 'j d', 'e-gray.npy': 'j e' }));
  writeFileSync(join(root, 'missing.json'), JSON.stringify({ 'a.npy': 'j a', 'c-bad.npy': 'j c', 'd-bad.mp4': 'j d', 'e-gray.npy': 'j e' }));
  const w = DatasetWriter.create(join(root, 'ds'), { name: 'toy', frames: 2, height: 4, width: 4, channels: 1, generator: { name: 't', version: '1', params: {} } });
  w.add({ id: 'tr0', caption: 'digit 1 moves up', split: 'train', attributes: {} }, noise(32, 1));
  w.add({ id: 'te0', caption: 'digit 2 moves left', split: 'test', attributes: {} }, noise(32, 2));
  w.add({ id: 'te1', caption: 'digit 3 moves right', split: 'test', attributes: {} }, noise(32, 3));
  w.finish();
});
after(() => cleanup());

test('a folder: .npy and .gif read in file-name order, corrupt files skipped and reported, text prompts by line', async () => {
  const dir = join(root, 'gen');
  assert.deepEqual(listVideoFiles(dir), ['a.npy', 'b.gif', 'c-bad.npy', 'd-bad.mp4', 'e-gray.npy']);
  const logs: string[] = [];
  const set = await loadVideoSet({ videos: dir, prompts: join(root, 'prompts.txt'), log: (m) => logs.push(m) });
  assert.equal(set.kind, 'folder');
  assert.deepEqual(set.videos.map((v) => [v.id, v.prompt]), [['a.npy', 'p a'], ['b.gif', 'p b'], ['e-gray.npy', 'p e']]);
  assert.deepEqual(set.skipped.map((s) => s.file), ['c-bad.npy', 'd-bad.mp4']);
  assert.match(set.skipped[0]!.error, /NUMPY magic/);
  assert.ok(set.skipped[1]!.error.length > 0);
  assert.equal(logs.filter((l) => l.startsWith('skipping')).length, 2);
  const [a, b, e] = set.videos.map((v) => v.video);
  assert.deepEqual([a!.frames, a!.height, a!.width, a!.channels], [3, 5, 6, 3]);
  assert.deepEqual(a!.data, rgb);
  assert.deepEqual([b!.frames, b!.height, b!.width, b!.channels], [4, 8, 8, 3]);
  assert.deepEqual(b!.data, gifVideo.data);
  assert.deepEqual([e!.frames, e!.height, e!.width, e!.channels], [2, 4, 4, 1]);
  assert.deepEqual(e!.data, gray);
});

test('a folder of generated videos with its own manifest.json (t2v generate) is a folder, not a dataset', async () => {
  const dir = join(root, 'generated');
  writeNpy(join(dir, 'x-0.npy'), { dtype: 'u1', shape: [2, 4, 4], data: gray });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ run: 'r', kind: 'align/progressive-bucket', prompts: ['q x'] }));
  writeFileSync(join(dir, 'prompts.json'), JSON.stringify({ 'x-0.npy': 'q x' }));
  assert.equal(isDatasetDir(dir), false);
  assert.equal(isDatasetDir(join(root, 'ds')), true);
  const damaged = join(root, 'damaged');
  writeNpy(join(damaged, 'x-0.npy'), { dtype: 'u1', shape: [2, 4, 4], data: gray });
  writeFileSync(join(damaged, 'manifest.json'), '{"format": "t2vlab-dat');
  assert.equal(isDatasetDir(damaged), true, 'a manifest that is not JSON is a damaged dataset, for the reader to report');
  await assert.rejects(loadVideoSet({ videos: damaged }), /manifest\.json' is not valid JSON/);
  const set = await loadVideoSet({ videos: dir, prompts: join(dir, 'prompts.json') });
  assert.equal(set.kind, 'folder');
  assert.deepEqual(set.videos.map((v) => [v.id, v.prompt]), [['x-0.npy', 'q x']]);
});

test('JSON prompts: file name or stem keys, string or {caption} values', async () => {
  const set = await loadVideoSet({ videos: join(root, 'gen'), prompts: join(root, 'prompts.json') });
  assert.deepEqual(set.videos.map((v) => v.prompt), ['j a', 'j b', 'j e']);
});

test('prompt errors: line-count mismatch, a video without a caption, no prompt file', async () => {
  const files = listVideoFiles(join(root, 'gen'));
  assert.throws(() => readPrompts(join(root, 'short.txt'), files), (e: unknown) => e instanceof MetricInputError && /4 line\(s\) but the folder has 5 video file\(s\)/.test(e.message));
  assert.throws(() => readPrompts(join(root, 'missing.json'), files), /no caption for 1 video file\(s\): b\.gif/);
  assert.throws(() => readPrompts(join(root, 'nope.txt'), files), /does not exist/);
  await assert.rejects(loadVideoSet({ videos: join(root, 'gen') }), /pass --prompts FILE/);
});

test('a folder where nothing can be read is an error naming the first failure', async () => {
  const dir = join(root, 'allbad');
  writeNpy(join(dir, 'ok-shape-but-float.npy'), { dtype: 'f4', shape: [1, 2, 2], data: new Uint8Array(16) });
  writeFileSync(join(dir, 'x.npy'), 'garbage');
  writeFileSync(join(root, 'allbad.txt'), 'one\ntwo\n');
  await assert.rejects(loadVideoSet({ videos: dir, prompts: join(root, 'allbad.txt') }), /none of the 2 video file\(s\).*ok-shape-but-float\.npy/s);
});

test('a dataset folder as --videos gives its split with captions; loadReferenceSet reads a split', async () => {
  const ds = join(root, 'ds');
  const set = await loadVideoSet({ videos: ds });
  assert.equal(set.kind, 'dataset');
  assert.equal(set.name, `${ds}:test`);
  assert.deepEqual(set.videos.map((v) => [v.id, v.prompt]), [['te0', 'digit 2 moves left'], ['te1', 'digit 3 moves right']]);
  assert.deepEqual(set.videos[1]!.video.data, noise(32, 3));
  await assert.rejects(loadVideoSet({ videos: ds, prompts: join(root, 'prompts.txt') }), /drop --prompts/);
  await assert.rejects(loadVideoSet({ videos: ds, split: 'val' }), /no val videos/);
  const ref = loadReferenceSet(ds, 'train');
  assert.equal(ref.name, `${ds}:train`);
  assert.deepEqual(ref.videos.map((v) => v.id), ['tr0']);
  assert.equal(loadReferenceSet(ds).videos.length, 2);
  assert.throws(() => loadReferenceSet(join(root, 'gen')), /not a t2vlab dataset folder/);
});
