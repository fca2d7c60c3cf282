import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '../../src/io/npy.js';
import { DatasetReader, DatasetWriter } from '../../src/data/format.js';
import { commands, describeDataset, exportSplit, type ExportedCaption } from '../../src/cli/commands/data-export.js';
import { readVideoFile } from '../../src/media/ffmpeg.js';
import { noise, rawFrames, tempDir } from '../media/clips.js';

const T = 4, H = 16, W = 16, C = 1;
let root = '';
let cleanup = () => {};

/** Run a command with stdout captured; the captured chunks are replayed (the test reporter writes there too). */
async function runCaptured(name: string, argv: string[]): Promise<{ code: number; out: string }> {
  const cmd = commands.find((c) => c.path[1] === name)!;
  const chunks: (string | Uint8Array)[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string | Uint8Array) => { chunks.push(s); return true; }) as typeof process.stdout.write;
  try {
    const code = await cmd.run(argv);
    return { code, out: chunks.filter((c) => typeof c === 'string').join('') };
  } finally {
    process.stdout.write = write;
    for (const c of chunks) write(c);
  }
}

before(() => {
  ({ dir: root, cleanup } = tempDir('export'));
  const w = DatasetWriter.create(join(root, 'ds'), {
    name: 'toy', frames: T, height: H, width: W, channels: C, generator: { name: 'test', version: '1', params: { seed: 1 } }, shardSize: 3,
  });
  const captions = ['a moves left', 'b moves right', 'a moves left', 'c/odd id?', 'b moves right', 'a moves left', 'b moves right'];
  captions.forEach((caption, i) => {
    const split = i < 2 ? 'train' : i === 2 ? 'val' : 'test';
    w.add({ id: i === 3 ? 'weird/id 3' : `v${i}`, caption, split, attributes: { i } }, noise(T * H * W * C, i + 1));
  });
  w.finish();
});

after(() => cleanup());

test('export round trip: each .npy equals the stored frames; captions.json has caption, bucket, attributes', () => {
  const out = join(root, 'exp');
  const caps = exportSplit(join(root, 'ds'), 'test', out);
  assert.deepEqual(readdirSync(out).sort(), ['captions.json', 'v4.npy', 'v5.npy', 'v6.npy', 'weird_id_3.npy']);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'captions.json'), 'utf8')), caps);
  const r = DatasetReader.open(join(root, 'ds'));
  try {
    for (const e of r.videos('test')) {
      const file = Object.entries(caps).find(([, c]) => c.id === e.id)![0];
      const a = readNpy(join(out, file));
      assert.deepEqual([a.dtype, a.shape], ['u1', [T, H, W, C]]);
      assert.deepEqual(a.data, r.read(e));
      const c: ExportedCaption = caps[file]!;
      assert.deepEqual([c.caption, c.bucket, c.attributes], [e.caption, e.bucket, e.attributes]);
      assert.equal(r.manifest.buckets[c.bucket], c.caption);
    }
  } finally {
    r.close();
  }
  assert.throws(() => exportSplit(join(root, 'ds'), 'test', out), /export folder .* is not empty/);
});

test('exported .npy files read back through readVideoFile (what t2v eval uses)', async () => {
  const v = await readVideoFile(join(root, 'exp', 'v4.npy'));
  assert.deepEqual([v.frames, v.height, v.width, v.channels], [T, H, W, C]);
  assert.deepEqual(v.data, noise(T * H * W * C, 5));
});

test('CLI data export --count, and a clear error for a missing dataset', async () => {
  const { code, out } = await runCaptured('export', [join(root, 'ds'), '--split', 'test', '--count', '2', '--out', join(root, 'exp2')]);
  assert.equal(code, 0);
  assert.match(out, /wrote 2 test videos/);
  assert.equal(readdirSync(join(root, 'exp2')).length, 3);
  const missing = await runCaptured('export', [join(root, 'nope'), '--split', 'test', '--out', join(root, 'exp3')]);
  assert.equal(missing.code, 2);
});

test('data show prints the summary and writes a grid GIF (rows = buckets, columns = videos)', async () => {
  const r = DatasetReader.open(join(root, 'ds'));
  try {
    const text = describeDataset(r);
    assert.match(text, /videos +7: train 2, val 1, test 4/);
    assert.match(text, /buckets +3 captions/);
    assert.match(text, /4 frames x 16x16 x 1 channel/);
  } finally {
    r.close();
  }
  const gif = join(root, 'show.gif');
  const { code, out } = await runCaptured('show', [join(root, 'ds'), '--out', gif, '--split', 'test', '--rows', '2', '--cols', '3']);
  assert.equal(code, 0);
  assert.match(out, /generator test 1/);
  // test split: 'a moves left' x1, 'b moves right' x2, 'c/odd id?' x1 -> rows: b (2 videos), then a.
  // Grid: 2 rows; the longest row has 2 videos -> H = W = 2*16 + 3*2 = 38.
  const frames = rawFrames(gif, 'gray');
  assert.equal(frames.length, T * 38 * 38);
  // Top-left cell of frame 0 is the first 'b moves right' test video (v4), pixels exact (gray GIF).
  const v4 = noise(T * H * W, 5);
  for (let y = 0; y < H; y++) {
    assert.deepEqual(new Uint8Array(frames.subarray((2 + y) * 38 + 2, (2 + y) * 38 + 2 + W)), v4.subarray(y * W, (y + 1) * W));
  }
});
