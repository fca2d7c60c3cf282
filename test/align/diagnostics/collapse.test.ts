import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collapseMeasures } from '../../../src/align/diagnostics/collapse.js';
import { matrix } from '../../../src/align/diagnostics/pca.js';
import { Rng } from '../../../src/data/syncdraw/rng.js';

// 4 buckets, real codes around centres (10b, −10b) with spread.
const rng = Rng.fromSeed(4);
const realBuckets = Int32Array.from({ length: 80 }, (_, i) => i % 4);
const real = matrix(80, 2, Array.from(realBuckets).flatMap((b) => [10 * b + rng.normal(), -10 * b + rng.normal()]));
function centroid(b: number): number[] {
  const idx = Array.from(realBuckets.keys()).filter((i) => realBuckets[i] === b);
  return [0, 1].map((k) => idx.reduce((s, i) => s + real.data[i * 2 + k]!, 0) / idx.length);
}

test('generated = its bucket centroid everywhere → variance ratio 0, centroid accuracy 1', () => {
  const gb = Int32Array.from({ length: 40 }, (_, i) => i % 4);
  const gen = matrix(40, 2, Array.from(gb).flatMap((b) => centroid(b)));
  const m = collapseMeasures(real, realBuckets, gen, gb);
  assert.ok(m.varianceRatio < 1e-20, `${m.varianceRatio}`);
  assert.equal(m.centroidAccuracy, 1);
  assert.equal(m.chance, 0.25);
  assert.equal(Object.keys(m.perBucketRatio).length, 4);
});

test('generated = the real codes → ratio 1; by hand: real (0,0),(2,0) vs generated (0,0),(1,0) → 0.25', () => {
  const same = collapseMeasures(real, realBuckets, real, realBuckets);
  assert.ok(Math.abs(same.varianceRatio - 1) < 1e-12);
  assert.equal(same.centroidAccuracy, 1);
  const m = collapseMeasures(matrix(2, 2, [0, 0, 2, 0]), Int32Array.of(7, 7), matrix(2, 2, [0, 0, 1, 0]), Int32Array.of(7, 7));
  assert.ok(Math.abs(m.varianceRatio - 0.25) < 1e-12);
  assert.deepEqual(m.perBucketRatio, { '7': 0.25 });
});

test('generated codes independent of their bucket → centroid accuracy ≈ chance', () => {
  const n = 4000;
  const gb = Int32Array.from({ length: n }, (_, i) => i % 4);
  const r = Rng.fromSeed(9);
  const gen = matrix(n, 2, Array.from({ length: n }, () => [r.uniform(-5, 35), r.uniform(-35, 5)]).flat());
  const m = collapseMeasures(real, realBuckets, gen, gb);
  // E[accuracy] = 1/4 whatever the assignment; σ ≈ √(0.1875/4000) ≈ 0.007.
  assert.ok(Math.abs(m.centroidAccuracy - 0.25) < 0.03, `${m.centroidAccuracy}`);
});
