import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { DatasetReader, DatasetWriter, type VideoMeta } from '../../src/data/format.js';
import { DataLoader, type Batch, type DataLoaderOptions } from '../../src/data/loader.js';
import { generateSyncDraw } from '../../src/data/syncdraw/generator.js';
import { Rng } from '../../src/data/syncdraw/rng.js';

// One small SyncDraw-MM set for the whole file: 200 train + 24 val videos of (16, 64, 64, 1),
// 64 per shard, so batches span shards.
const VB = 16 * 64 * 64;
let root: string;
let reader: DatasetReader;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 't2v-loader-'));
  await generateSyncDraw({ out: join(root, 'sd'), preset: 'single', splits: { train: 200, val: 24, test: 0 }, seed: 1, shardSize: 64 });
  reader = DatasetReader.open(join(root, 'sd'));
});

after(() => {
  reader.close();
  rmSync(root, { recursive: true, force: true });
});

/** Every batch of one epoch with its videos copied out as floats (and the tensors disposed). */
async function collect(loader: DataLoader, e: number): Promise<(Omit<Batch, 'videos'> & { shape: number[]; dtype: string; data: Float32Array })[]> {
  const out = [];
  for await (const { videos, ...rest } of loader.epoch(e)) {
    out.push({ ...rest, shape: videos.shape, dtype: videos.dtype, data: videos.toFloat32Array() });
    videos.dispose();
  }
  return out;
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

test('sequential batches: (B, 1, T, H, W) float32 in [0, 1] equal to the stored uint8 / 255', async () => {
  const loader = new DataLoader(reader, { split: 'train', batchSize: 64, shuffle: false });
  assert.equal(loader.len(), 4);
  const batches = await collect(loader, 0);
  assert.deepEqual(batches.map((b) => b.shape), [[64, 1, 16, 64, 64], [64, 1, 16, 64, 64], [64, 1, 16, 64, 64], [8, 1, 16, 64, 64]]);
  assert.deepEqual(batches.flatMap((b) => b.indices), Array.from({ length: 200 }, (_, i) => i));
  for (const b of batches) {
    assert.equal(b.dtype, 'float32');
    let [lo, hi] = [Infinity, -Infinity];
    for (const v of b.data) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    assert.ok(lo >= 0 && hi <= 1 && hi > 0.5, `values in [0, 1], got [${lo}, ${hi}]`);
    for (const k of [0, b.indices.length - 1]) {
      const entry = loader.entries[b.indices[k]!]!;
      const stored = reader.read(entry); // (T, H, W, 1) uint8
      const got = b.data.subarray(k * VB, (k + 1) * VB); // (1, T, H, W)
      for (const p of [0, 4096 * 7 + 64 * 30 + 31, VB - 1, ...[...stored.keys()].filter((p) => stored[p]! > 0).slice(0, 50)]) {
        assert.ok(Math.abs(got[p]! - stored[p]! / 255) < 1e-6, `video ${entry.id} pixel ${p}: ${got[p]} vs ${stored[p]}/255`);
      }
    }
    b.indices.forEach((i, k) => {
      const e = loader.entries[i]!;
      assert.equal(b.captions[k], e.caption);
      assert.equal(b.buckets[k], e.bucket);
      assert.equal(b.ids[k], e.id);
      assert.deepEqual(b.attributes[k], e.attributes);
    });
  }
});

test('range [-1, 1] maps 0 → -1 and 255 → 1 linearly', async () => {
  const [plain] = await collect(new DataLoader(reader, { split: 'val', batchSize: 24, shuffle: false }), 0);
  const [signed] = await collect(new DataLoader(reader, { split: 'val', batchSize: 24, shuffle: false, range: [-1, 1] }), 0);
  for (let p = 0; p < plain!.data.length; p += 997) assert.ok(Math.abs(signed!.data[p]! - (2 * plain!.data[p]! - 1)) < 1e-5);
  const stored = reader.read(reader.videos('val')[3]!);
  const p = stored.findIndex((v) => v > 100);
  assert.ok(Math.abs(signed!.data[3 * VB + p]! - (-1 + (2 * stored[p]!) / 255)) < 1e-5);
});

test('shuffled epochs: same seed → same order, another epoch → another order, every video once', async () => {
  const opts: DataLoaderOptions = { split: 'train', batchSize: 32, seed: 11 };
  const a = new DataLoader(reader, opts);
  const b = new DataLoader(reader, { ...opts, prefetch: 0 });
  assert.equal(a.len(), 7);
  const [a0, b0, a1] = [await collect(a, 0), await collect(b, 0), await collect(a, 1)];
  const order = (bs: { indices: number[] }[]): number[] => bs.flatMap((x) => x.indices);
  assert.deepEqual(order(a0), order(b0));
  assert.deepEqual(a0.map((x) => x.data), b0.map((x) => x.data), 'prefetch does not change the bytes');
  assert.notDeepEqual(order(a0), order(a1));
  for (const bs of [a0, a1]) assert.deepEqual(order(bs).sort((x, y) => x - y), Array.from({ length: 200 }, (_, i) => i));
  assert.notDeepEqual(order(await collect(new DataLoader(reader, { ...opts, seed: 12 }), 0)), order(a0));
  // a shuffled batch still holds the right pixels
  const last = a0[a0.length - 1]!;
  const k = last.indices.length - 1;
  const stored = reader.read(a.entries[last.indices[k]!]!);
  const p = stored.findIndex((v) => v > 0);
  assert.ok(Math.abs(last.data[k * VB + p]! - stored[p]! / 255) < 1e-6);
});

test('bucket sampler: each batch is groups of perBucket videos of one caption, reproducible', async () => {
  const opts: DataLoaderOptions = { split: 'train', batchSize: 16, sampler: 'bucket', perBucket: 4, seed: 3 };
  const loader = new DataLoader(reader, opts);
  const batches = await collect(loader, 2);
  assert.equal(batches.length, loader.len());
  for (const b of batches) {
    assert.equal(b.shape[0], b.indices.length);
    const buckets = [...b.buckets];
    for (let g = 0; g < buckets.length; g += 4) {
      assert.ok(buckets.slice(g, g + 4).every((x) => x === buckets[g]));
      assert.ok(b.captions.slice(g, g + 4).every((c) => c === reader.manifest.buckets[buckets[g]!]));
    }
    assert.equal(new Set(buckets).size, buckets.length / 4, 'one group per bucket');
  }
  const again = await collect(new DataLoader(reader, opts), 2);
  assert.deepEqual(again.map((b) => b.indices), batches.map((b) => b.indices));
  assert.ok(batches.filter((b) => b.indices.length === 16).length >= 10);
});

test('shard across 2 ranks: the ranks partition the epoch', async () => {
  const opts: DataLoaderOptions = { split: 'train', batchSize: 16, seed: 5 };
  const all = (await collect(new DataLoader(reader, opts), 1)).map((b) => b.indices);
  const r0 = await collect(new DataLoader(reader, { ...opts, shard: { rank: 0, worldSize: 2 } }), 1);
  const r1 = await collect(new DataLoader(reader, { ...opts, shard: { rank: 1, worldSize: 2 } }), 1);
  assert.deepEqual(r0.map((b) => b.indices), all.filter((_, i) => i % 2 === 0));
  assert.deepEqual(r1.map((b) => b.indices), all.filter((_, i) => i % 2 === 1));
  const seen = [...r0, ...r1].flatMap((b) => b.indices).sort((x, y) => x - y);
  assert.deepEqual(seen, Array.from({ length: 200 }, (_, i) => i));
});

test('no tensor leaks and no open files after an epoch, also after breaking out early', async () => {
  const live = T.liveTensors();
  const fds = openFds();
  const loader = new DataLoader(reader, { split: 'train', batchSize: 32, sampler: 'bucket', perBucket: 4, seed: 0, prefetch: 3 });
  for await (const b of loader.epoch(0)) b.videos.dispose();
  assert.equal(T.liveTensors(), live);
  assert.equal(openFds(), fds);
  let n = 0;
  for await (const b of loader.epoch(1)) {
    b.videos.dispose();
    if (++n === 2) break; // reads of later batches are in flight here
  }
  assert.equal(T.liveTensors(), live);
  assert.equal(openFds(), fds);
});

test('channels 3 from gray: three equal channels', async () => {
  const loader = new DataLoader(reader, { split: 'val', batchSize: 5, shuffle: false, channels: 3 });
  const [gray] = await collect(new DataLoader(reader, { split: 'val', batchSize: 5, shuffle: false }), 0);
  const [rgb] = await collect(loader, 0);
  assert.deepEqual(rgb!.shape, [5, 3, 16, 64, 64]);
  for (let v = 0; v < 5; v++) {
    const g = gray!.data.subarray(v * VB, (v + 1) * VB);
    for (let c = 0; c < 3; c++) assert.deepEqual(rgb!.data.subarray((3 * v + c) * VB, (3 * v + c + 1) * VB), g, `video ${v} channel ${c}`);
  }
});

test('channels 1 from RGB: BT.601 luma 0.299 R + 0.587 G + 0.114 B', async (t) => {
  const dir = join(root, 'rgb');
  const w = DatasetWriter.create(dir, { name: 'rgb', frames: 2, height: 3, width: 4, channels: 3, generator: { name: 'test', version: '0', params: {} } });
  const rng = Rng.fromSeed(9);
  const videos = Array.from({ length: 3 }, () => Uint8Array.from({ length: 2 * 3 * 4 * 3 }, () => rng.int(0, 256)));
  videos.forEach((v, i) => w.add({ id: `v${i}`, caption: 'c', split: 'train', attributes: {} } satisfies VideoMeta, v));
  w.finish();
  const r = DatasetReader.open(dir);
  t.after(() => r.close());
  const [rgb] = await collect(new DataLoader(r, { batchSize: 3, shuffle: false }), 0);
  const [gray] = await collect(new DataLoader(r, { batchSize: 3, shuffle: false, channels: 1, range: [-1, 1] }), 0);
  assert.deepEqual(rgb!.shape, [3, 3, 2, 3, 4]);
  assert.deepEqual(gray!.shape, [3, 1, 2, 3, 4]);
  videos.forEach((v, i) => {
    for (let p = 0; p < 24; p++) {
      const [R, G, B] = [v[3 * p]!, v[3 * p + 1]!, v[3 * p + 2]!]; // (T, H, W, C) storage
      assert.ok(Math.abs(rgb!.data[(3 * i + 1) * 24 + p]! - G / 255) < 1e-6);
      const want = -1 + (2 * (0.299 * R + 0.587 * G + 0.114 * B)) / 255;
      assert.ok(Math.abs(gray!.data[i * 24 + p]! - want) < 1e-5, `video ${i} pixel ${p}: ${gray!.data[i * 24 + p]} vs ${want}`);
    }
  });
});

test('bad options are refused with the option named', () => {
  const bad: [DataLoaderOptions, RegExp][] = [
    [{ batchSize: 0 }, /batchSize must be an integer ≥ 1/],
    [{ batchSize: 10, sampler: 'bucket', perBucket: 4 }, /not a multiple of perBucket 4/],
    [{ batchSize: 8, shuffle: false, sampler: 'random' }, /shuffle: false contradicts sampler 'random'/],
    [{ batchSize: 8, range: [1, 0] }, /range must be \[lo, hi\]/],
    [{ batchSize: 8, prefetch: -1 }, /prefetch must be an integer ≥ 0/],
    [{ batchSize: 8, split: 'test' }, /has no videos in split 'test'/],
    [{ batchSize: 8, shard: { rank: 2, worldSize: 2 } }, /rank must be an integer in \[0, 2\)/],
  ];
  for (const [opts, msg] of bad) assert.throws(() => new DataLoader(reader, opts), msg);
});
