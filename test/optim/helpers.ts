// Shared by the optimizer tests: float64 parameters, hand-set gradients, and comparisons.
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';

/** A float64 leaf parameter (requires grad) holding `values`. */
export function param(values: number[], dtype: 'float64' | 'float32' = 'float64'): Tensor {
  return T.tensor(values, { dtype }).requiresGrad_();
}

/** Set `p.grad` to `values` (same dtype as p). */
export function setGrad(p: Tensor, values: number[]): void {
  const g = T.tensor(values, { dtype: p.dtype });
  p.setGrad(g);
  g.dispose();
}

/** Elementwise |a − b| <= tol · max(1, |b|). */
export function assertClose(actual: number[], expected: number[], tol: number, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: got ${a}, expected ${e} (tol ${tol})`);
  });
}

/** The raw bytes of a tensor, for bit-exact comparisons. */
export function bytes(t: Tensor): Buffer {
  return Buffer.from(T.toBytes(t));
}

export function disposeAll(ts: Iterable<Tensor>): void {
  for (const t of ts) t.dispose();
}
