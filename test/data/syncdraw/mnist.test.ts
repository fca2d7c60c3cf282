import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DatasetReader } from '../../../src/data/format.js';
import { generateSyncDraw } from '../../../src/data/syncdraw/generator.js';
import { MnistError, loadMnist, readIdx } from '../../../src/data/syncdraw/mnist.js';
import { trajectory, type MotionParams } from '../../../src/data/syncdraw/motion.js';

/** Big-endian idx bytes: 0, 0, 0x08, ndims, dims…, data. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, data]);
}

/** n images labelled n % 10; image k is a filled square of value (k + 1) (so it is identifiable). */
function part(n: number): { images: Uint8Array; labels: Uint8Array } {
  const pix = new Uint8Array(n * 784); // (n, 28, 28)
  for (let k = 0; k < n; k++) for (let y = 8; y < 20; y++) for (let x = 10; x < 18; x++) pix[k * 784 + y * 28 + x] = k + 1;
  return { images: idx([n, 28, 28], pix), labels: idx([n], Uint8Array.from({ length: n }, (_, k) => k % 10)) };
}

function fakeMnist(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 't2v-mnist-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const train = part(30);
  const t10k = part(20);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(train.images)); // gzip and plain both accepted
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(train.labels));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), t10k.images);
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), t10k.labels);
  return dir;
}

test('loadMnist reads plain and gzipped idx files and indexes images by digit', (t) => {
  const dir = fakeMnist(t);
  const tr = loadMnist(dir, 'train');
  assert.equal(tr.count, 30);
  assert.deepEqual(Array.from(tr.byDigit[3]!), [3, 13, 23]);
  assert.equal(tr.images[5 * 784 + 10 * 28 + 12], 6);
  assert.equal(loadMnist(dir, 'test').count, 20);
});

test('malformed MNIST files give errors naming the file', (t) => {
  const dir = fakeMnist(t);
  const p = join(dir, 't10k-images-idx3-ubyte');
  const good = part(20).images;
  const bad = new Uint8Array(good); // a copy (Buffer.slice would be a view)
  bad[2] = 0x0d;
  writeFileSync(p, bad);
  assert.throws(() => readIdx(p, 3), /t10k-images-idx3-ubyte' has idx dtype 0xd, expected 0x08/);
  writeFileSync(p, good.subarray(0, good.length - 1));
  assert.throws(() => loadMnist(dir, 'test'), (e: unknown) => e instanceof MnistError && /holds 15679 data bytes but its header \(20×28×28\) says 15680/.test(e.message));
  writeFileSync(p, part(19).images);
  assert.throws(() => loadMnist(dir, 'test'), /has 19 images but .*t10k-labels-idx1-ubyte' has 20 labels/);
  unlinkSync(p);
  assert.throws(() => loadMnist(dir, 'test'), /has no images file for the test part .* or leave out --mnist/);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), good);
  assert.throws(() => loadMnist(dir, 'train'), /is not valid gzip/);
});

test('--mnist: train videos use MNIST train digits, val/test use MNIST test digits, blitted unchanged', async (t) => {
  const dir = fakeMnist(t);
  const out = mkdtempSync(join(tmpdir(), 't2v-mnist-out-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const m = await generateSyncDraw({ out, preset: 'single', splits: { train: 20, val: 5, test: 5 }, seed: 1, mnistDir: dir });
  assert.equal(m.generator.params.glyphs, 'mnist');
  const r = DatasetReader.open(out);
  t.after(() => r.close());
  for (const v of r.videos()) {
    const [, part, n] = /^mnist:(train|test):(\d+)$/.exec(v.source ?? '') ?? [];
    assert.equal(part, v.split === 'train' ? 'train' : 'test', `${v.id}: ${v.source}`);
    assert.equal(Number(n) % 10, (v.attributes.digits as number[])[0], `${v.id}: label of ${v.source}`);
    // frame 0 holds image n (value n + 1 in its square) at the start position from the attributes
    const a = v.attributes as { starts: [number, number][]; velocities: [number, number][]; motions: MotionParams['motion'][] };
    const [x, y] = Array.from(trajectory({ motion: a.motions[0]!, start: a.starts[0]!, velocity: a.velocities[0]! }, 1, 36, 36));
    const video = r.read(v); // (16, 64, 64, 1)
    assert.equal(video[(y! + 8) * 64 + x! + 10], Number(n) + 1);
  }
});
