// Tests for src/optim/sgd.ts. Expected values come from the update rule in the torch.optim.SGD
// docs, derived by hand or replayed by the plain-JS float64 reference below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { SGD, type SGDOptions } from '../../src/optim/sgd.js';
import { assertClose, param, setGrad } from './helpers.js';

/** torch.optim.SGD's documented update, one plain number at a time. Returns x after each step. */
function sgdReference(x0: number[], grads: number[][], o: SGDOptions): number[][] {
  let x = [...x0];
  let b = null as number[] | null;
  const out: number[][] = [];
  for (const g0 of grads) {
    let g = g0.map((gi, i) => gi + o.weightDecay * x[i]!);
    if (o.momentum !== 0) {
      const buf: number[] = b === null ? [...g] : b.map((bi, i) => o.momentum * bi + (1 - o.dampening) * g[i]!);
      b = buf;
      g = o.nesterov ? g.map((gi, i) => gi + o.momentum * buf[i]!) : buf;
    }
    x = x.map((xi, i) => xi - o.lr * g[i]!);
    out.push(x);
  }
  return out;
}

test('momentum SGD on f(x) = ½‖x‖² matches the hand-derived 3-step trajectory', () => {
  // ∇f(x) = x; γ = 0.1, μ = 0.9, τ = 0 (b ← g on the first step, then b ← μb + g; x ← x − γb):
  //   step 1: b = x0,                    x1 = x0 − 0.1·x0     = 0.9·x0
  //   step 2: b = 0.9·x0 + 0.9·x0 = 1.8·x0,   x2 = 0.9·x0 − 0.18·x0  = 0.72·x0
  //   step 3: b = 1.62·x0 + 0.72·x0 = 2.34·x0, x3 = 0.72·x0 − 0.234·x0 = 0.486·x0
  const x0 = [1, -2, 3.5];
  const x = param(x0);
  const opt = new SGD([x], { lr: 0.1, momentum: 0.9 });
  for (const factor of [0.9, 0.72, 0.486]) {
    T.tidy(() => x.mul(x).sum().mulScalar(0.5).backward());
    opt.step();
    opt.zeroGrad();
    assertClose(x.toArray(), x0.map((v) => factor * v), 1e-15, `x after factor ${factor}`);
  }
  opt.dispose();
  x.dispose();
});

test('SGD options (plain, dampening + weight decay, Nesterov) follow the documented rule', () => {
  const x0 = [0.5, -1.25, 2];
  const grads = [[1, -2, 0.5], [-0.5, 0.25, 3], [2, 2, -1], [0.1, -0.3, 0.7]];
  const configs: SGDOptions[] = [
    { lr: 0.05, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
    { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, nesterov: false },
    { lr: 0.02, momentum: 0.8, dampening: 0, weightDecay: 0.05, nesterov: true },
  ];
  for (const cfg of configs) {
    const x = param(x0);
    const opt = new SGD([x], cfg);
    const expected = sgdReference(x0, grads, cfg);
    grads.forEach((g, t) => {
      setGrad(x, g);
      opt.step();
      assertClose(x.toArray(), expected[t]!, 1e-14, `${JSON.stringify(cfg)} step ${t + 1}`);
    });
    opt.dispose();
    x.dispose();
  }
});

test('Nesterov and weight decay leave p.grad untouched', () => {
  const x = param([1, 2]);
  const opt = new SGD([x], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1 });
  for (let i = 0; i < 2; i++) {
    setGrad(x, [0.5, -0.5]);
    opt.step();
    const g = x.grad!;
    assert.deepEqual(g.toArray(), [0.5, -0.5]);
    g.dispose();
  }
  opt.dispose();
  x.dispose();
});

test('parameters without a gradient are skipped and get no state', () => {
  const a = param([1, 1]);
  const b = param([5, 5]);
  const opt = new SGD([a, b], { lr: 0.5, momentum: 0.9 });
  setGrad(a, [1, 2]);
  opt.step();
  assert.deepEqual(a.toArray(), [0.5, 0]);
  assert.deepEqual(b.toArray(), [5, 5]);
  assert.deepEqual([...opt.stateDict().tensors.keys()], ['state.0.momentum_buffer']);
  opt.dispose();
  a.dispose();
  b.dispose();
});

test('invalid hyper-parameters and parameters are refused with clear errors', () => {
  const x = param([1]);
  assert.throws(() => new SGD([x], { lr: 0.1, nesterov: true }), /Nesterov momentum needs momentum > 0/);
  assert.throws(() => new SGD([x], { lr: 0.1, momentum: 0.9, dampening: 0.5, nesterov: true }), /dampening = 0/);
  assert.throws(() => new SGD([x], { lr: -1 }), /lr must be >= 0/);
  assert.throws(() => new SGD([], { lr: 0.1 }), /empty parameter list/);
  assert.throws(() => new SGD([x, x], { lr: 0.1 }), /parameter 1 of group 0 is the same tensor as parameter 0 of group 0/);
  const y = T.tidy(() => x.mulScalar(2));
  assert.throws(() => new SGD([y], { lr: 0.1 }), /parameter 0 of group 0 is not a leaf tensor/);
  const n = T.tensor([1, 2], { dtype: 'int64' });
  assert.throws(() => new SGD([n], { lr: 0.1 }), /dtype int64; only floating-point/);
  assert.throws(() => new SGD([{ params: [x], weight_decay: 0.1 } as never], { lr: 0.1 }), /unknown option "weight_decay"; valid options are lr, momentum/);
  assert.throws(() => new SGD([x], { lr: 0.1, momentum: Number.NaN }), /option momentum must be a finite number/);
  y.dispose();
  n.dispose();
  x.dispose();
});
