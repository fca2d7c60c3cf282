import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchSampler, BucketBatchSampler, RandomSampler, SequentialSampler, type Sampler } from '../../src/data/sampler.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const sorted = (xs: number[]): number[] => xs.slice().sort((a, b) => a - b);

test('RandomSampler: a permutation per epoch, a pure function of (seed, epoch)', () => {
  const a = new RandomSampler(200, 7);
  const b = new RandomSampler(200, 7);
  assert.equal(a.len(), 200);
  const e3 = b.epoch(3); // asked out of order: no hidden state between epochs
  for (let e = 0; e < 4; e++) {
    const order = a.epoch(e);
    assert.deepEqual(sorted(order), range(200), `epoch ${e} holds every index exactly once`);
    assert.deepEqual(order, a.epoch(e), 'the same epoch twice');
  }
  assert.deepEqual(a.epoch(3), e3);
  assert.notDeepEqual(a.epoch(0), a.epoch(1));
  assert.notDeepEqual(a.epoch(0), new RandomSampler(200, 8).epoch(0));
  assert.notDeepEqual(a.epoch(0), range(200));
  assert.deepEqual(new RandomSampler(0, 1).epoch(0), []);
  assert.throws(() => a.epoch(-1), /epoch must be an integer ≥ 0/);
  assert.throws(() => new RandomSampler(2.5, 0), /RandomSampler size must be an integer/);
});

test('SequentialSampler and BatchSampler: sizes, last batch, dropLast', () => {
  assert.deepEqual(new SequentialSampler(5).epoch(9), [0, 1, 2, 3, 4]);
  const keep = new BatchSampler(new SequentialSampler(10), 4);
  assert.equal(keep.len(), 3);
  assert.deepEqual(keep.epoch(0), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  const drop = new BatchSampler(new SequentialSampler(10), 4, true);
  assert.equal(drop.len(), 2);
  assert.deepEqual(drop.epoch(0), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  const rnd = new BatchSampler(new RandomSampler(103, 1), 10);
  assert.equal(rnd.len(), 11);
  assert.deepEqual(rnd.epoch(2).flat(), new RandomSampler(103, 1).epoch(2));
});

/** Buckets 0..7 with sizes 8, 9, 10, 11, 3, 12, 8, 5 (some not multiples of 4, one below 4), interleaved. */
function bucketIds(): number[] {
  const sizes = [8, 9, 10, 11, 3, 12, 8, 5];
  const ids: number[] = [];
  for (let round = 0; ids.length < sizes.reduce((a, b) => a + b); round++) {
    sizes.forEach((s, b) => {
      if (round < s) ids.push(b);
    });
  }
  return ids;
}

/** Checks every batch is whole groups of `perBucket` from distinct buckets; returns the epoch's indices. */
function checkBucketBatches(batches: number[][], ids: number[], batchSize: number, perBucket: number): number[] {
  for (const [k, batch] of batches.entries()) {
    assert.ok(batch.length > 0 && batch.length <= batchSize && batch.length % perBucket === 0, `batch ${k} has ${batch.length} videos`);
    const seen = new Set<number>();
    for (let g = 0; g < batch.length; g += perBucket) {
      const group = batch.slice(g, g + perBucket).map((i) => ids[i]!);
      assert.ok(group.every((b) => b === group[0]), `batch ${k} group ${g / perBucket} mixes buckets ${group.join(',')}`);
      assert.ok(!seen.has(group[0]!), `batch ${k} holds bucket ${group[0]} twice`);
      seen.add(group[0]!);
    }
  }
  const all = batches.flat();
  assert.equal(new Set(all).size, all.length, 'no video twice in an epoch');
  return all;
}

test('BucketBatchSampler: perBucket members of each included bucket, every whole group once, reproducible', () => {
  const ids = bucketIds();
  const opts = { batchSize: 12, perBucket: 4, seed: 5 };
  const s = new BucketBatchSampler(ids, opts);
  // Whole groups per bucket: 2, 2, 2, 2, 0, 3, 2, 1 = 14 groups = 56 videos; bucket 4 (3 videos) never fits.
  for (let e = 0; e < 5; e++) {
    const batches = s.epoch(e);
    const all = checkBucketBatches(batches, ids, 12, 4);
    assert.equal(all.length, 56, `epoch ${e} covers every whole group`);
    assert.ok(!all.some((i) => ids[i] === 4));
    for (let b = 0; b < 8; b++) {
      const size = ids.filter((x) => x === b).length;
      assert.equal(all.filter((i) => ids[i] === b).length, size - (size % 4), `bucket ${b}`);
    }
    assert.equal(batches.length, s.len(), 'len() is the same every epoch');
    assert.deepEqual(new BucketBatchSampler(ids, opts).epoch(e), batches, 'same seed and epoch → same batches');
  }
  assert.notDeepEqual(s.epoch(0), s.epoch(1));
  assert.notDeepEqual(s.epoch(0), new BucketBatchSampler(ids, { ...opts, seed: 6 }).epoch(0));
  // Left-over members sit out a different few each epoch: over epochs, bucket 1's 9 videos all appear.
  const covered = new Set(range(6).flatMap((e) => s.epoch(e).flat()));
  assert.ok(ids.every((b, i) => b !== 1 || covered.has(i)));
});

test('BucketBatchSampler: equal buckets make only full batches; dropLast drops short ones', () => {
  const ids = range(20 * 40).map((i) => i % 20); // 20 buckets × 40 videos = 200 groups of 4
  const s = new BucketBatchSampler(ids, { batchSize: 32, perBucket: 4, seed: 0 });
  const batches = s.epoch(0);
  assert.equal(batches.length, 25); // 200 groups / 8 per batch
  assert.ok(batches.every((b) => b.length === 32));
  assert.deepEqual(sorted(checkBucketBatches(batches, ids, 32, 4)), range(800));

  const skew = [...range(40).map(() => 0), ...range(8).map(() => 1)]; // 10 groups of bucket 0, 2 of bucket 1
  const keep = new BucketBatchSampler(skew, { batchSize: 8, perBucket: 4, seed: 0 });
  const drop = new BucketBatchSampler(skew, { batchSize: 8, perBucket: 4, seed: 0, dropLast: true });
  assert.deepEqual(keep.epoch(0).map((b) => b.length), [8, 8, 4, 4, 4, 4, 4, 4, 4, 4]);
  assert.deepEqual(drop.epoch(0).map((b) => b.length), [8, 8]);
  assert.equal(drop.len(), 2);
  checkBucketBatches(keep.epoch(0), skew, 8, 4);
  assert.throws(() => new BucketBatchSampler(ids, { batchSize: 30, perBucket: 4, seed: 0 }), /not a multiple of perBucket 4/);
});

test('shard(rank, 2): the two ranks partition every epoch, for indices and for batches', () => {
  const samplers: [string, Sampler<number> | Sampler<number[]>][] = [
    ['random indices', new RandomSampler(101, 3)],
    ['random batches', new BatchSampler(new RandomSampler(101, 3), 8)],
    ['bucket batches', new BucketBatchSampler(range(120).map((i) => i % 6), { batchSize: 8, perBucket: 4, seed: 3 })],
  ];
  for (const [name, s] of samplers) {
    for (const e of [0, 1]) {
      const full = s.epoch(e).map((x) => JSON.stringify(x));
      const r0 = s.shard(0, 2).epoch(e).map((x) => JSON.stringify(x));
      const r1 = s.shard(1, 2).epoch(e).map((x) => JSON.stringify(x));
      assert.equal(r0.length + r1.length, full.length, name);
      assert.deepEqual([...r0, ...r1].sort(), full.slice().sort(), `${name}: union is the epoch`);
      assert.deepEqual(r0, full.filter((_, i) => i % 2 === 0), `${name}: rank 0 takes items 0, 2, 4, …`);
      assert.equal(s.shard(0, 2).len() + s.shard(1, 2).len(), s.len(), name);
    }
  }
  const odd = new RandomSampler(101, 3);
  assert.deepEqual([odd.shard(0, 2).len(), odd.shard(1, 2).len()], [51, 50]);
  assert.deepEqual([odd.shard(0, 2, { even: true }).len(), odd.shard(1, 2, { even: true }).epoch(0).length], [50, 50]);
  assert.throws(() => odd.shard(2, 2), /rank must be an integer in \[0, 2\)/);
});
