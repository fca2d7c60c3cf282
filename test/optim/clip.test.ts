// Tests for src/optim/clip.ts: norms of hand-picked gradients (3-4-12-13) and torch's
// clip_grad_norm_ arithmetic (coef = max_norm * reciprocal(total + 1e-6), clamped to 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { clipGradNorm } from '../../src/optim/clip.js';
import { assertClose, disposeAll, param, setGrad } from './helpers.js';

function grads(ps: Tensor[]): number[][] {
  return ps.map((p) => {
    const g = p.grad!;
    const v = g.toArray();
    g.dispose();
    return v;
  });
}

/** Parameters whose gradients are [3, 4] and [12]: ‖·‖₂ = √(9 + 16 + 144) = 13. */
function threeFourTwelve(dtype: 'float64' | 'float32' = 'float64'): Tensor[] {
  const ps = [param([0, 0], dtype), param([0], dtype)];
  setGrad(ps[0]!, [3, 4]);
  setGrad(ps[1]!, [12]);
  return ps;
}

test('returns the total 2-norm and rescales the gradients to maxNorm', () => {
  const ps = threeFourTwelve();
  const total = clipGradNorm(ps, 6.5);
  assertClose([total], [13], 1e-15, 'total');
  const c = 6.5 / (13 + 1e-6);
  const [g1, g2] = grads(ps);
  assertClose([...g1!, ...g2!], [3 * c, 4 * c, 12 * c], 1e-15, 'clipped grads');
  assertClose([Math.hypot(...g1!, ...g2!)], [6.5], 1e-6, 'new norm');
  disposeAll(ps);
});

test('float32 gradients are scaled by the coefficient torch computes in float32', () => {
  // total + 1e-6 → reciprocal → × maxNorm, each rounded to float32 (Tensor.__rdiv__ in torch).
  const ps = threeFourTwelve('float32');
  clipGradNorm(ps, 6.5);
  const f = Math.fround;
  const coef = f(f(1 / f(13 + f(1e-6))) * 6.5);
  assert.deepEqual(grads(ps).flat(), [3, 4, 12].map((g) => f(g * coef)));
  disposeAll(ps);
});

test('gradients under maxNorm are left bit-for-bit unchanged', () => {
  const ps = threeFourTwelve();
  assert.equal(clipGradNorm(ps, 20), 13);
  assert.deepEqual(grads(ps), [[3, 4], [12]]);
  disposeAll(ps);
});

test('∞-norm is the largest |g|, 1-norm the sum of |g|', () => {
  const ps = [param([0, 0]), param([0])];
  setGrad(ps[0]!, [3, -7]);
  setGrad(ps[1]!, [5]);
  assert.equal(clipGradNorm(ps, 100, 1), 15);
  assert.equal(clipGradNorm(ps, 3.5, Infinity), 7);
  const c = 3.5 / (7 + 1e-6);
  assertClose(grads(ps).flat(), [3 * c, -7 * c, 5 * c], 1e-15, 'clipped by ∞-norm');
  disposeAll(ps);
});

test('parameters without gradients are ignored; none at all gives 0', () => {
  const [a, b] = [param([1, 1]), param([1])];
  assert.equal(clipGradNorm([a!, b!], 1), 0);
  setGrad(b!, [-2]);
  assert.equal(clipGradNorm([a!, b!], 1), 2);
  assert.equal(a!.grad, null);
  disposeAll([a!, b!]);
});

test('non-finite norms: NaN poisons the gradients as in torch, or throws with errorIfNonfinite', () => {
  const p = param([0, 0]);
  setGrad(p, [Number.NaN, 1]);
  assert.throws(() => clipGradNorm([p], 1, 2, { errorIfNonfinite: true }), /total 2-norm of the gradients is NaN/);
  assert.ok(Number.isNaN(clipGradNorm([p], 1)));
  assert.ok(grads([p])[0]!.every(Number.isNaN));
  assert.throws(() => clipGradNorm([p], -1), /maxNorm must be a finite number >= 0/);
  p.dispose();
});

test('no tensors leak', () => {
  const ps = threeFourTwelve();
  const live = T.liveTensors();
  for (let i = 0; i < 5; i++) clipGradNorm(ps, 1);
  assert.equal(T.liveTensors(), live);
  disposeAll(ps);
});
