// Tests for src/optim/adamw.ts: decoupled weight decay (Loshchilov & Hutter), checked against
// algebra and the plain-JS reference of the torch.optim.AdamW documentation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam } from '../../src/optim/adam.js';
import { AdamW } from '../../src/optim/adamw.js';
import { AdamReference, REF_DEFAULTS } from './reference.js';
import { assertClose, param, setGrad } from './helpers.js';

test('with a zero gradient AdamW only decays θ by (1 − γλ) while Adam + L2 moves it by ≈ γ', () => {
  // AdamW: θ ← θ(1 − γλ); m = v = 0 so the Adam term is 0/(0 + ε) = 0.
  // Adam (L2): g = λθ, so the first step is −γ·sign(θ)·|λθ|/(|λθ| + ε) ≈ −γ·sign(θ).
  const x0 = [2, -4, 0.5];
  const lr = 0.1;
  const wd = 0.5;
  const w = param(x0);
  const l2 = param(x0);
  const adamw = new AdamW([w], { lr, weightDecay: wd });
  const adam = new Adam([l2], { lr, weightDecay: wd });
  setGrad(w, [0, 0, 0]);
  setGrad(l2, [0, 0, 0]);
  adamw.step();
  adam.step();
  assertClose(w.toArray(), x0.map((v) => v * (1 - lr * wd)), 1e-15, 'AdamW');
  assertClose(l2.toArray(), x0.map((v) => v - lr * Math.sign(v)), 1e-6, 'Adam + L2');
  adamw.dispose();
  adam.dispose();
  w.dispose();
  l2.dispose();
});

test('3-step AdamW trajectory matches the documented formulas to 1e-12, and differs from Adam + L2', () => {
  const x0 = [1, -2, 0.3];
  const grads = [[0.5, 1, -2], [0.25, -0.5, 1], [1, 1, 1]];
  const cfg = { lr: 0.05, weightDecay: 0.2 };
  const w = param(x0);
  const l2 = param(x0);
  const adamw = new AdamW([w], cfg);
  const adam = new Adam([l2], cfg);
  const refW = new AdamReference(x0, { ...REF_DEFAULTS, ...cfg, decoupled: true });
  const refL2 = new AdamReference(x0, { ...REF_DEFAULTS, ...cfg, decoupled: false });
  for (const g of grads) {
    setGrad(w, g);
    setGrad(l2, g);
    adamw.step();
    adam.step();
    assertClose(w.toArray(), refW.step(g), 1e-12, 'AdamW');
    assertClose(l2.toArray(), refL2.step(g), 1e-12, 'Adam');
  }
  assert.ok(w.toArray().some((v, i) => Math.abs(v - l2.toArray()[i]!) > 1e-3), 'decoupled and L2 decay should differ');
  adamw.dispose();
  adam.dispose();
  w.dispose();
  l2.dispose();
});

test('AdamW defaults to weightDecay 0.01 and names itself in the state dict', () => {
  const x = param([1]);
  const opt = new AdamW([x]);
  assert.equal(opt.paramGroups[0]!.weightDecay, 0.01);
  assert.equal(opt.stateDict().meta['optimizer'], 'AdamW');
  const adam = new Adam([x]);
  assert.throws(() => adam.loadStateDict(opt.stateDict()), /the state was saved by "AdamW", not Adam/);
  opt.dispose();
  adam.dispose();
  x.dispose();
});
