// Tests for src/metrics/stats/ssim.ts: SSIM / PSNR closed forms (metrics.md §4), an independent
// plain-JS float64 SSIM (direct 11×11 window, no separable filter), pairwise matrices, leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { psnrMatrix, psnrVideos, ssimImages, ssimMatrix, ssimVideos } from '../../../src/metrics/stats/ssim.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';

/** Seeded uniform [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reference SSIM of two H×W planes (row-major), straight from Wang et al. 2004 with a 2-D window. */
function ssimPlaneJs(x: ArrayLike<number>, y: ArrayLike<number>, h: number, w: number): number {
  const k = 11;
  const sigma = 1.5;
  const win: number[] = [];
  let total = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
    const g = Math.exp(-((i - 5) ** 2 + (j - 5) ** 2) / (2 * sigma * sigma));
    win.push(g);
    total += g;
  }
  const c1 = 0.0001;
  const c2 = 0.0009;
  let sum = 0;
  let count = 0;
  for (let r = 0; r + k <= h; r++) for (let c = 0; c + k <= w; c++) {
    let mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      const g = win[i * k + j]! / total;
      const a = x[(r + i) * w + c + j]!;
      const b = y[(r + i) * w + c + j]!;
      mx += g * a; my += g * b; sxx += g * a * a; syy += g * b * b; sxy += g * a * b;
    }
    const vx = sxx - mx * mx;
    const vy = syy - my * my;
    const cxy = sxy - mx * my;
    sum += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
    count++;
  }
  return sum / count;
}

/** Reference video SSIM of (C, T, H, W) arrays: mean over channels and frames of the plane SSIM. */
function ssimVideoJs(x: Float64Array, y: Float64Array, c: number, t: number, h: number, w: number): number {
  let s = 0;
  for (let p = 0; p < c * t; p++) s += ssimPlaneJs(x.subarray(p * h * w, (p + 1) * h * w), y.subarray(p * h * w, (p + 1) * h * w), h, w);
  return s / (c * t);
}

/** A random video pair (C, T, H, W): x uniform, y = 0.6 x + 0.4 noise (so SSIM is far from 0 and 1). */
function randomPair(seed: number, n: number): [Float64Array, Float64Array] {
  const r = rng(seed);
  const x = Float64Array.from({ length: n }, r);
  const y = x.map((v) => 0.6 * v + 0.4 * r());
  return [x, y];
}

test('SSIM(zeros, ones) = C1 / (1 + C1) = 9.99900009999e-05 for every video', () =>
  assertNoLeak(() => {
    const v = T.tidy(() => ssimVideos(T.zeros([2, 3, 2, 16, 17]), T.ones([2, 3, 2, 16, 17])));
    assertClose(v, [9.99900009999e-5, 9.99900009999e-5], 1e-12);
  }));

test('SSIM of identical videos is 1', () =>
  assertNoLeak(() => {
    const v = T.tidy(() => {
      const a = T.rand([2, 1, 3, 12, 12]);
      return ssimVideos(a, a.clone());
    });
    assertClose(v, [1, 1], 1e-12);
  }));

test('SSIM matches an independent plain-JS float64 implementation on a random RGB pair', () =>
  assertNoLeak(() => {
    const [c, t, h, w] = [3, 2, 14, 13];
    const [x, y] = randomPair(7, c * t * h * w);
    const expected = ssimVideoJs(x, y, c, t, h, w);
    assert.ok(expected > 0.2 && expected < 0.9, `test pair should be mid-range, got ${expected}`);
    const got = T.tidy(() => ssimVideos(T.tensor(x, { shape: [1, c, t, h, w] }), T.tensor(y, { shape: [1, c, t, h, w] })));
    assertClose(got, [expected], 1e-12);
  }));

test('ssimImages averages the channels of each image (plain-JS reference)', () =>
  assertNoLeak(() => {
    const [n, c, h, w] = [2, 3, 11, 15];
    const [x, y] = randomPair(11, n * c * h * w);
    const expected = [0, 1].map((i) => ssimVideoJs(x.subarray(i * c * h * w), y.subarray(i * c * h * w), c, 1, h, w));
    const got = T.tidy(() => ssimImages(T.tensor(x, { shape: [n, c, h, w] }), T.tensor(y, { shape: [n, c, h, w] })));
    assertClose(got, expected, 1e-12);
  }));

test('PSNR(zeros, ones) = 0 and PSNR of identical videos = 100', () =>
  assertNoLeak(() => {
    T.tidy(() => {
      assertClose(psnrVideos(T.zeros([2, 3, 2, 4, 4]), T.ones([2, 3, 2, 4, 4])), [0, 0], 1e-12);
      const a = T.rand([1, 3, 2, 4, 4]);
      assert.deepEqual(Array.from(psnrVideos(a, a.clone())), [100]);
    });
  }));

test('PSNR is the mean of per-frame PSNRs (MSE 0.01 and 1e-4 → (20 + 40) / 2 = 30 dB)', () =>
  assertNoLeak(() => {
    const v = T.tidy(() => {
      const a = T.zeros([1, 1, 2, 4, 4], { dtype: 'float64' });
      const b = T.cat([T.full([1, 1, 1, 4, 4], 0.1, { dtype: 'float64' }), T.full([1, 1, 1, 4, 4], 0.01, { dtype: 'float64' })], { dim: 2 });
      return psnrVideos(a, b);
    });
    assertClose(v, [30], 1e-9);
  }));

test('ssimMatrix[i, j] = SSIM(a_i, b_j) of the plain-JS reference', () =>
  assertNoLeak(() => {
    const [c, t, h, w] = [1, 2, 12, 12];
    const per = c * t * h * w;
    const [a, b] = randomPair(3, 2 * per);
    const [b2] = randomPair(5, per);
    const bAll = new Float64Array(3 * per);
    bAll.set(b.subarray(0, 2 * per));
    bAll.set(b2, 2 * per);
    const expected: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expected.push(ssimVideoJs(a.subarray(i * per, (i + 1) * per), bAll.subarray(j * per, (j + 1) * per), c, t, h, w));
    const got = T.tidy(() => ssimMatrix(T.tensor(a, { shape: [2, c, t, h, w] }), T.tensor(bAll, { shape: [3, c, t, h, w] })));
    assertClose(got, expected, 1e-12);
  }));

test('psnrMatrix[i, j] = psnrVideos(a_i, b_j), including 100 for an identical pair', () =>
  assertNoLeak(() => {
    T.tidy(() => {
      const a = T.rand([2, 3, 3, 5, 6], { dtype: 'float64' });
      const b = T.cat([T.rand([2, 3, 3, 5, 6], { dtype: 'float64' }), a.narrow(0, 1, 1)], { dim: 0 }); // b_2 = a_1
      const m = psnrMatrix(a, b);
      const expected: number[] = [];
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expected.push(psnrVideos(a.narrow(0, i, 1), b.narrow(0, j, 1))[0]!);
      assertClose(m, expected, 1e-9);
      assert.equal(m[1 * 3 + 2], 100);
    });
  }));

test('SSIM rejects mismatched shapes and frames smaller than the 11×11 window', () =>
  assertNoLeak(() => {
    T.tidy(() => {
      assert.throws(() => ssimVideos(T.zeros([1, 1, 1, 12, 12]), T.zeros([1, 1, 1, 12, 13])), /same 5-d shape/);
      assert.throws(() => ssimVideos(T.zeros([1, 1, 1, 10, 12]), T.zeros([1, 1, 1, 10, 12])), /at least 11×11/);
      assert.throws(() => psnrMatrix(T.zeros([1, 1, 1, 4, 4]), T.zeros([1, 1, 2, 4, 4])), /equal C, T, H, W/);
    });
  }));
