import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { bucketLoss, halfCosine } from '../../src/align/bucket-loss.js';
import { AlignMlp } from '../../src/align/mlp.js';
import { assertNoLeak } from '../helpers/leak.js';

/** Eq. 4 by hand, in plain float64 JS, straight from the paper's sums. */
function byHand(text: number[][], video: number[][], bucket: number[], alpha: number, lNeg: number, lPos: number, meanNeg = false): number {
  const n = bucket.length;
  const cos = (a: number[], b: number[]) => {
    let ab = 0, aa = 0, bb = 0;
    for (let k = 0; k < a.length; k++) { ab += a[k]! * b[k]!; aa += a[k]! ** 2; bb += b[k]! ** 2; }
    return ab / Math.sqrt(aa * bb);
  };
  let negSum = 0;
  let posSum = 0;
  for (let i = 0; i < n; i++) {
    const size = bucket.filter((b) => b === bucket[i]).length;
    for (let j = 0; j < n; j++) {
      const s = (cos(text[i]!, video[j]!) + 1) / 2;
      if (bucket[j] !== bucket[i]) negSum += s / (meanNeg ? n - size : size);
      else posSum += (i === j ? alpha : 1) * s / size;
    }
  }
  return (lNeg / n) * negSum + (lPos / n) * (alpha - posSum);
}

const text = [[1, 0, 0], [0.5, 0.5, 0], [0, 1, 1], [1, -1, 0.5], [0.2, 0.1, -0.3]];
const video = [[0.9, 0.1, 0], [0, 0, 1], [0.3, 1, 0.8], [1, -0.8, 0.2], [-0.5, 0.4, 0.1]];

test('bucket loss equals eq. 4 by hand with repeated captions, α weighting and λs', () => {
  assertNoLeak(() => {
    for (const [bucket, alpha, lNeg, lPos] of [
      [[0, 1, 0, 2, 1], 2, 1, 1],
      [[3, 3, 3, 3, 3], 2, 1, 1],
      [[0, 1, 2, 3, 4], 2, 1, 1],
      [[0, 0, 1, 1, 0], 5, 0.5, 2],
    ] as [number[], number, number, number][]) {
      const got = T.tidy(() => bucketLoss(T.tensor(text), T.tensor(video), bucket, { alpha, lambdaNeg: lNeg, lambdaPos: lPos }).item());
      const want = byHand(text, video, bucket, alpha, lNeg, lPos);
      assert.ok(Math.abs(got - want) < 1e-5, `bucket ${bucket} α=${alpha}: ${got} vs ${want}`);
    }
  });
});

test("negatives: 'mean' divides row i's inter-bucket sum by its N − |B_i| negatives (by hand)", () => {
  assertNoLeak(() => {
    for (const bucket of [[0, 1, 0, 2, 1], [3, 3, 3, 3, 3], [0, 0, 1, 1, 0]]) {
      const got = T.tidy(() => bucketLoss(T.tensor(text), T.tensor(video), bucket, { negatives: 'mean' }).item());
      const want = byHand(text, video, bucket, 2, 1, 1, true);
      assert.ok(Math.abs(got - want) < 1e-5, `bucket ${bucket}: ${got} vs ${want}`);
    }
  });
});

test('eq. 4 as printed prefers the antipodal collapse to an alignment; the mean form does not', () => {
  // 8 buckets of 4 (N = 32). Aligned: text_i = video_i = e_{bucket(i)} (orthogonal, S_neg = 1/2,
  // S_pos = 1). Collapsed: every text code u, every video code −u (all S = 0).
  const n = 32;
  const bucket = Array.from({ length: n }, (_, i) => Math.floor(i / 4));
  const onehot = bucket.map((b) => Array.from({ length: 8 }, (_, k) => (k === b ? 1 : 0)));
  const u = Array.from({ length: 8 }, () => 1);
  const minus = u.map((x) => -x);
  const value = (t: number[][], v: number[][], negatives: 'paper' | 'mean') => T.tidy(() => bucketLoss(T.tensor(t), T.tensor(v), bucket, { negatives }).item());
  // Printed: aligned = 7·½ + (2 − 32·(2+3)/4)/32 = 3.5 + 1/16 − 1.25 = 2.3125; collapsed = 2/32.
  assert.ok(Math.abs(value(onehot, onehot, 'paper') - 2.3125) < 1e-5);
  assert.ok(Math.abs(value(onehot.map(() => u), onehot.map(() => minus), 'paper') - 0.0625) < 1e-5);
  // Mean: aligned = ½ + 1/16 − 1.25 = −0.6875 < collapsed = 0.0625.
  assert.ok(Math.abs(value(onehot, onehot, 'mean') - -0.6875) < 1e-5);
  assert.ok(Math.abs(value(onehot.map(() => u), onehot.map(() => minus), 'mean') - 0.0625) < 1e-5);
});

test('the direct match weighs α: raising S_ii lowers the loss α times more than another bucket member', () => {
  // Two items in one bucket. d/dS_00 of the positive term = -α/(N|B|), d/dS_01 = -1/(N|B|).
  const bucket = [0, 0];
  const base = byHand([[1, 0], [0, 1]], [[1, 0], [0, 1]], bucket, 2, 1, 1);
  const got = T.tidy(() => bucketLoss(T.tensor([[1, 0], [0, 1]]), T.tensor([[1, 0], [0, 1]]), bucket).item());
  assert.ok(Math.abs(got - base) < 1e-6);
  // S = [[1, .5], [.5, 1]]: pos = (2·1 + .5)/2 + (.5 + 2·1)/2 = 2.5 → L = (2 − 2.5)/2 = −0.25
  assert.ok(Math.abs(got - -0.25) < 1e-6, `${got}`);
});

test('halfCosine maps cosines to [0, 1]', () => {
  const s = T.tidy(() => halfCosine(T.tensor([[1, 0], [0, 1]]), T.tensor([[1, 0], [-1, 0]])).toArray());
  assert.deepEqual(s.map((v) => Math.round(v * 1e6) / 1e6), [1, 0, 0.5, 0.5]);
});

test('the mapping MLP M (512 → 64) has the 824k parameters of Table A.2, with Sequential keys', () => {
  const m = new AlignMlp(512, 64);
  // 512·512+512 + 3·(2·512) LN + 2·(512·512+512) + 512·64+64
  assert.equal(m.numParameters(), 512 * 512 + 512 + 3 * 1024 + 2 * (512 * 512 + 512) + 512 * 64 + 64);
  assert.ok(Math.abs(m.numParameters() - 824_000) < 2_000);
  const keys = [...m.namedParameters().keys()];
  assert.deepEqual(keys.slice(0, 4), ['net.0.weight', 'net.0.bias', 'net.1.weight', 'net.1.bias']);
  assert.equal(keys.at(-1), 'net.11.bias');
  const y = T.tidy(() => m.eval().forward(T.randn([3, 512])));
  assert.deepEqual(y.shape, [3, 64]);
  y.dispose();
  m.dispose();
});
