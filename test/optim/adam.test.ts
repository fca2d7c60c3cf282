// Tests for src/optim/adam.ts against algebra (the bias-corrected first step) and a plain-JS
// float64 reimplementation of the torch.optim.Adam documentation (reference.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { Adam } from '../../src/optim/adam.js';
import { AdamReference, REF_DEFAULTS } from './reference.js';
import { assertClose, param, setGrad } from './helpers.js';

/** ∇ of f(x) = ½ Σ aᵢxᵢ² through autograd; returns the gradient the engine saw (a ⊙ x). */
function quadraticBackward(x: Tensor, a: number[]): number[] {
  T.tidy(() => x.mul(x).mul(T.tensor(a, { dtype: 'float64' })).sum().mulScalar(0.5).backward());
  const g = x.grad!;
  const out = g.toArray();
  g.dispose();
  return out;
}

test('the first step moves every coordinate by lr·sign(g), up to eps', () => {
  // t = 1: m̂ = (1−β1)g/(1−β1) = g and v̂ = g², so Δ = −γ·g/(|g| + ε) = −γ·sign(g)·|g|/(|g| + ε).
  const g = [3, -0.5, 1e-3, -200];
  const lr = 0.01;
  for (const eps of [0, 1e-8]) {
    const x = param([1, 2, 3, 4]);
    const opt = new Adam([x], { lr, eps });
    setGrad(x, g);
    opt.step();
    const delta = x.toArray().map((v, i) => v - (i + 1));
    delta.forEach((d, i) => {
      const gi = g[i]!;
      const bound = (lr * eps) / Math.abs(gi) + 1e-15;
      assert.ok(Math.abs(d + lr * Math.sign(gi)) <= bound, `eps ${eps}, coord ${i}: moved ${d}, expected ${-lr * Math.sign(gi)} ± ${bound}`);
    });
    opt.dispose();
    x.dispose();
  }
});

test('3-step trajectories match the documented formulas to 1e-12 (plain, L2 weight decay, AMSGrad)', () => {
  const x0 = [1.5, -0.75, 0.2, -3];
  const a = [1, 4, 0.25, 2];
  const configs = [
    { lr: 0.1 },
    { lr: 0.05, betas: [0.8, 0.99] as [number, number], eps: 1e-6, weightDecay: 0.1 },
    { lr: 0.1, amsgrad: true, weightDecay: 0.01 },
  ];
  for (const cfg of configs) {
    const x = param(x0);
    const opt = new Adam([x], cfg);
    const ref = new AdamReference(x0, {
      ...REF_DEFAULTS, lr: cfg.lr, beta1: cfg.betas?.[0] ?? 0.9, beta2: cfg.betas?.[1] ?? 0.999,
      eps: cfg.eps ?? 1e-8, weightDecay: cfg.weightDecay ?? 0, amsgrad: cfg.amsgrad ?? false,
    });
    for (let t = 1; t <= 3; t++) {
      const refGrad = ref.x.map((xi, i) => a[i]! * xi);
      assertClose(quadraticBackward(x, a), refGrad, 1e-12, `${JSON.stringify(cfg)} grad ${t}`);
      opt.step();
      opt.zeroGrad();
      assertClose(x.toArray(), ref.step(refGrad), 1e-12, `${JSON.stringify(cfg)} step ${t}`);
    }
    opt.dispose();
    x.dispose();
  }
});

test('AMSGrad keeps the running maximum of v (and differs from Adam once v shrinks)', () => {
  // A large gradient then small ones with β2 = 0.5: v decays fast, v̂max does not.
  const grads = [[10, -10], [0.1, 0.1], [0.1, -0.1], [0.01, 0.01]];
  const finals: number[][] = [];
  for (const amsgrad of [false, true]) {
    const x = param([0, 0]);
    const opt = new Adam([x], { lr: 0.1, betas: [0.9, 0.5], amsgrad });
    const ref = new AdamReference([0, 0], { ...REF_DEFAULTS, lr: 0.1, beta2: 0.5, amsgrad });
    for (const g of grads) {
      setGrad(x, g);
      opt.step();
      assertClose(x.toArray(), ref.step(g), 1e-12, `amsgrad=${amsgrad}`);
    }
    if (amsgrad) {
      const vmax = opt.stateDict().tensors.get('state.0.max_exp_avg_sq')!;
      assertClose(vmax.toArray(), ref.vmax, 1e-12, 'max_exp_avg_sq');
    }
    finals.push(x.toArray());
    opt.dispose();
    x.dispose();
  }
  assert.ok(Math.abs(finals[0]![0]! - finals[1]![0]!) > 1e-3, 'AMSGrad should change the trajectory here');
});

test('parameters keep their own step count when one misses a gradient', () => {
  // b has no gradient on step 1, so on step 2 its bias correction uses t = 1 while a's uses t = 2.
  const a = param([1, -1]);
  const b = param([2, 3]);
  const opt = new Adam([a, b], { lr: 0.1 });
  const refA = new AdamReference([1, -1], { ...REF_DEFAULTS, lr: 0.1 });
  const refB = new AdamReference([2, 3], { ...REF_DEFAULTS, lr: 0.1 });
  const ga = [[0.5, -0.2], [0.3, 0.3], [-1, 2]];
  const gb = [null, [1, -4], [0.5, 0.5]];
  for (let t = 0; t < 3; t++) {
    setGrad(a, ga[t]!);
    const gbt = gb[t];
    if (gbt) setGrad(b, gbt);
    opt.step();
    opt.zeroGrad();
    assertClose(a.toArray(), refA.step(ga[t]!), 1e-12, `a step ${t + 1}`);
    if (gbt) assertClose(b.toArray(), refB.step(gbt), 1e-12, `b step ${t + 1}`);
    else assert.deepEqual(b.toArray(), [2, 3]);
  }
  const steps = opt.stateDict().tensors;
  assert.equal(steps.get('state.0.step')!.item(), 3);
  assert.equal(steps.get('state.1.step')!.item(), 2);
  opt.dispose();
  a.dispose();
  b.dispose();
});

test('param groups use their own hyper-parameters; setLr sets every group', () => {
  const a = param([1]);
  const b = param([1]);
  const opt = new Adam([{ params: [a], lr: 0.1 }, { params: [b], eps: 1e-3 }], { lr: 0.01 });
  assert.equal(opt.paramGroups[0]!.lr, 0.1);
  assert.equal(opt.paramGroups[1]!.lr, 0.01);
  assert.equal(opt.paramGroups[1]!.eps, 1e-3);
  const refA = new AdamReference([1], { ...REF_DEFAULTS, lr: 0.1 });
  const refB = new AdamReference([1], { ...REF_DEFAULTS, lr: 0.01, eps: 1e-3 });
  setGrad(a, [2]);
  setGrad(b, [2]);
  opt.step();
  assertClose(a.toArray(), refA.step([2]), 1e-12, 'group 0');
  assertClose(b.toArray(), refB.step([2]), 1e-12, 'group 1');
  assert.equal(opt.lr, 0.1);
  opt.setLr(0.5);
  assert.deepEqual(opt.paramGroups.map((g) => g.lr), [0.5, 0.5]);
  assert.throws(() => opt.setLr(Number.NaN), /learning rate must be a finite number >= 0/);
  opt.dispose();
  a.dispose();
  b.dispose();
});

test('invalid Adam hyper-parameters are refused', () => {
  const x = param([1]);
  assert.throws(() => new Adam([x], { betas: [1, 0.999] }), /betas\[0\] must be in \[0, 1\), got 1/);
  assert.throws(() => new Adam([x], { eps: -1 }), /eps must be >= 0/);
  assert.throws(() => new Adam([x], { betas: [0.9] as unknown as [number, number] }), /option betas must be a list of 2 finite numbers/);
  x.dispose();
});
