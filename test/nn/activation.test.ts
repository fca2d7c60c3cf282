// Tests for src/nn/activation.ts against the defining formulas evaluated in plain JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { GELU, LeakyReLU, QuickGELU, ReLU, SiLU, Sigmoid, Tanh } from '../../src/nn/index.js';
import { assertNoLeak } from '../helpers/leak.js';
import { assertClose } from '../helpers/close.js';

const xs = [-3, -1, -0.5, 0, 0.5, 1, 2];
const sigma = (v: number): number => 1 / (1 + Math.exp(-v));

/** erf by its Maclaurin series (accurate to ~1e-15 for |x| ≤ 3), for Φ(x) = (1 + erf(x/√2))/2. */
function erf(x: number): number {
  let sum = 0;
  let term = x;
  for (let n = 0; n < 60; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

function apply(m: { forward(x: T.Tensor): T.Tensor }): number[] {
  return T.tidy(() => m.forward(T.tensor(xs, { dtype: 'float64' })).toArray());
}

test('QuickGELU(x) = x·σ(1.702x) at a few points', () =>
  assertNoLeak(() => {
    assertClose(apply(new QuickGELU()), xs.map((x) => x * sigma(1.702 * x)), 1e-12);
    // by hand: e^−1.702 ≈ 0.182319, so QuickGELU(1) = 1/1.182319 ≈ 0.845796, QuickGELU(−1) = 1 − 0.845796 − 1
    // ≈ −0.154204, and QuickGELU(2) = 2/(1 + e^−3.404) ≈ 1.935659
    const y = apply(new QuickGELU());
    assertClose([y[5]!, y[1]!, y[6]!, y[3]!], [0.845796, -0.154204, 1.935659, 0], 1e-6);
  }));

test('SiLU, GELU (exact and tanh), LeakyReLU, ReLU, Tanh, Sigmoid match their formulas', () =>
  assertNoLeak(() => {
    assertClose(apply(new SiLU()), xs.map((x) => x * sigma(x)), 1e-12);
    assertClose(apply(new GELU()), xs.map((x) => 0.5 * x * (1 + erf(x / Math.SQRT2))), 1e-10);
    const c = Math.sqrt(2 / Math.PI);
    assertClose(apply(new GELU({ approximate: 'tanh' })), xs.map((x) => 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x ** 3)))), 1e-12);
    assertClose(apply(new LeakyReLU(0.2)), xs.map((x) => (x > 0 ? x : 0.2 * x)), 1e-12);
    assertClose(apply(new LeakyReLU()), xs.map((x) => (x > 0 ? x : 0.01 * x)), 1e-12);
    assertClose(apply(new ReLU()), xs.map((x) => Math.max(0, x)), 0);
    assertClose(apply(new Tanh()), xs.map(Math.tanh), 1e-12);
    assertClose(apply(new Sigmoid()), xs.map(sigma), 1e-12);
    assert.equal(new GELU({ approximate: 'tanh' }).toString(), "GELU(approximate='tanh')");
  }));
