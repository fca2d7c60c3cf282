// Tests for the secondary spatial checks blur_laplacian_var, checkerboard_entropy and
// color_inconsistency: hand-computed values on tiny patterns, gray handling, reference aggregate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blurLaplacianVar, laplacianVariance } from '../../../src/metrics/quality/blur-laplacian-var.js';
import { checkerboardEntropy, differenceEntropies } from '../../../src/metrics/quality/checkerboard-entropy.js';
import { colorInconsistency } from '../../../src/metrics/quality/color-inconsistency.js';
import { assertClose } from '../../helpers/close.js';
import { constant, video } from './videos.js';

test('variance of the Laplacian: constant frame = 0; one bright pixel in a 5×5 frame = 52020', () => {
  assert.equal(laplacianVariance(new Uint8Array(25).fill(77), 5, 5), 0);
  const dot = new Uint8Array(25);
  dot[12] = 255;
  // L = −4·255 at the centre, +255 at its 4 neighbours, 0 elsewhere (reflect-101 borders add nothing):
  // mean 0, variance (1020² + 4·255²)/25 = 52020
  assert.equal(laplacianVariance(dot, 5, 5), 52020);
});

test('laplacian border is reflect-101: a bright corner pixel of a 3×3 frame', () => {
  const f = new Uint8Array(9);
  f[0] = 10;
  // reflect-101: I(−1, 0) = I(1, 0) = 0, I(0, −1) = I(0, 1) = 0 → L(0,0) = −40; L(0,1) = I(0,0) + I(0,2) + I(1,1) + I(−1,1)=I(1,1) − 0 = 10,
  // L(1,0) = 10, L(0,2): left I(0,1) = 0, right I(0,3) = I(0,1) = 0 → 0; L(1,1) = 0, … ⇒ values {−40, 10, 10, 0 ×6}
  const mean = -20 / 9;
  const expected = (1600 + 100 + 100) / 9 - mean * mean;
  assertClose([laplacianVariance(f, 3, 3)], [expected], 1e-9);
});

test('blur_laplacian_var metric: mean over frames and videos, secondary, reference aggregate', async () => {
  const dot = video('dot', 'p', { t: 2, h: 5, w: 5, c: 3 }, (t, y, x) => (t === 0 && y === 2 && x === 2 ? 255 : 0)); // RGB white dot → gray 255
  const r = await blurLaplacianVar.compute({ fps: 8, videos: [dot, constant('flat', 'p', 40)], reference: { name: 'ref', videos: [constant('f', 'p', 3)] } });
  assertClose(r.perVideo.map((p) => p.value), [52020 / 2, 0], 1e-9);
  assert.equal(r.secondary, true);
  assert.equal(r.aggregates?.reference, 0);
  assert.equal(blurLaplacianVar.secondary, true);
});

test('difference entropy: constant = 0; columns alternating 0/255 give H(2/3, 1/3) horizontally, 0 vertically', () => {
  assert.deepEqual(differenceEntropies(new Uint8Array(12).fill(9), 3, 4), { horizontal: 0, vertical: 0 });
  const stripes = Uint8Array.from({ length: 8 }, (_, i) => (i % 2) * 255); // 2×4: rows [0,255,0,255]
  const e = differenceEntropies(stripes, 2, 4); // per row differences +255, −255, +255
  const h = -(2 / 3) * Math.log2(2 / 3) - (1 / 3) * Math.log2(1 / 3);
  assertClose([e.horizontal, e.vertical], [h, 0], 1e-12);
});

test('checkerboard_entropy metric: frame value is the mean of both directions', async () => {
  const v = video('s', 'p', { t: 1, h: 2, w: 4, c: 1 }, (_t, _y, x) => (x % 2) * 255);
  const r = await checkerboardEntropy.compute({ fps: 8, videos: [v] });
  const h = -(2 / 3) * Math.log2(2 / 3) - (1 / 3) * Math.log2(1 / 3);
  assertClose([r.aggregate, r.aggregates!.horizontal!, r.aggregates!.vertical!], [h / 2, h, 0], 1e-12);
  assert.equal(r.secondary, true);
});

test('color_inconsistency: gray video → 0 with a note; pure red → √(2/9); R = G = B → 0', async () => {
  const red = video('red', 'p', { t: 1, h: 2, w: 2, c: 3 }, (_t, _y, _x, c) => (c === 0 ? 255 : 0));
  const grayRgb = video('g3', 'p', { t: 1, h: 2, w: 2, c: 3 }, () => 128);
  const r = await colorInconsistency.compute({ fps: 8, videos: [constant('g', 'p', 50), red, grayRgb] });
  assertClose(r.perVideo.map((p) => p.value), [0, Math.sqrt(2 / 9), 0], 1e-12);
  assert.match(r.perVideo[0]!.note ?? '', /gray/);
  assert.equal(r.secondary, true);
});
