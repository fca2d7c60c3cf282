// warp(img, flow) samples img at x + flow(x): bilinear, border-clamped. Expected values by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { warp } from '../../src/flow/index.js';
import { assertNoLeak } from '../helpers/leak.js';
import { assertClose } from '../helpers/close.js';

/** img[y][x] = 10·y + x on a 3×4 grid: bilinear interpolation of it is exact. */
function ramp(): T.Tensor {
  return T.tensor([[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]]).view([1, 1, 3, 4]); // (1, 1, 3, 4)
}

function constantFlow(dx: number, dy: number): T.Tensor {
  return T.tensor([dx, dy]).view([1, 2, 1, 1]).expand([1, 2, 3, 4]).contiguous(); // (1, 2, 3, 4)
}

test('zero flow returns the image and an integer flow shifts it', () => {
  assertNoLeak(() => T.tidy(() => {
    const img = ramp();
    assertClose(warp(img, constantFlow(0, 0)).toArray(), img.toArray(), 1e-6);
    // x + 1 (clamped at x = 3), y unchanged
    assertClose(warp(img, constantFlow(1, 0)).toArray(), [1, 2, 3, 3, 11, 12, 13, 13, 21, 22, 23, 23], 1e-5);
    // y + 1 (clamped at y = 2)
    assertClose(warp(img, constantFlow(0, 1)).toArray(), [10, 11, 12, 13, 20, 21, 22, 23, 20, 21, 22, 23], 1e-5);
  }));
});

test('fractional flow interpolates bilinearly and clamps coordinates to the border', () => {
  assertNoLeak(() => T.tidy(() => {
    const img = ramp();
    // sampling at (x + 0.25, y + 0.5): 10·(y + 0.5) + x + 0.25 inside; the last column and row clamp
    const out = warp(img, constantFlow(0.25, 0.5)).toArray();
    const expect: number[] = [];
    for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) expect.push(10 * Math.min(y + 0.5, 2) + Math.min(x + 0.25, 3));
    assertClose(out, expect, 1e-4);
    // far outside: the corner values
    const far = warp(img, constantFlow(-100, 100)).toArray();
    assertClose(far, Array(12).fill(20), 1e-4);
  }));
});

test('warp checks that the flow matches the image', () => {
  T.tidy(() => {
    assert.throws(() => warp(T.zeros([1, 1, 3, 4]), T.zeros([1, 2, 3, 3])), /flow must be \(1, 2, 3, 4\)/);
  });
});
