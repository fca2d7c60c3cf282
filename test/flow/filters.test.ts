// The flow's building blocks against hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { downsample2, gaussianTaps, imageGradient, separableFilter, toGray } from '../../src/flow/index.js';
import { assertNoLeak } from '../helpers/leak.js';
import { assertClose } from '../helpers/close.js';

test('Gaussian taps are symmetric, sum to 1 and follow exp(−k²/2σ²)', () => {
  const t = gaussianTaps(1, 2);
  assert.equal(t.length, 5);
  const raw = [-2, -1, 0, 1, 2].map((k) => Math.exp(-k * k / 2));
  const s = raw.reduce((a, b) => a + b);
  assertClose(t, raw.map((r) => r / s), 1e-12);
});

test('separable filter of a delta is the outer product of the taps (zero padding)', () => {
  assertNoLeak(() => T.tidy(() => {
    const taps = [0.25, 0.5, 0.25];
    const x = T.zeros([2, 1, 5, 5]); // (2, 1, 5, 5)
    x.select(0, 1).select(0, 0).select(0, 2).select(0, 2).fill_(1); // delta at (2, 2) of image 1
    const y = separableFilter(x, taps);
    assert.equal(y.select(0, 0).abs().sum().item(), 0);
    const expect: number[] = [];
    const k = [0, 0.25, 0.5, 0.25, 0];
    for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) expect.push(k[r]! * k[c]!);
    assertClose(y.select(0, 1).toArray(), expect, 1e-7);
  }));
});

test('gradient of a ramp is its slope (one-sided halves at the border); gray uses BT.601 weights', () => {
  assertNoLeak(() => T.tidy(() => {
    const ramp = T.arange(0, 6).float().mulScalar(2).view([1, 1, 1, 6]).expand([1, 1, 4, 6]).contiguous(); // 2x
    const g = imageGradient(ramp); // (1, 2, 4, 6)
    assertClose(g.select(1, 0).select(1, 1).toArray(), [1, 2, 2, 2, 2, 1], 1e-6);
    assert.equal(g.select(1, 1).abs().max().item(), 0);
    const rgb = T.tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], { shape: [3, 3, 1, 1] }); // pure R, G, B
    assertClose(toGray(rgb).toArray(), [0.299, 0.587, 0.114], 1e-6);
  }));
});

test('downsampling halves the size and keeps constants', () => {
  assertNoLeak(() => T.tidy(() => {
    const d = downsample2(T.full([3, 1, 16, 12], 0.7));
    assert.deepEqual(d.shape, [3, 1, 8, 6]);
    assertClose(d.flatten().toArray(), Array(3 * 8 * 6).fill(0.7), 1e-6);
  }));
});
