// Tests for src/diffusion/schedulers/vp-schedule.ts (and the VP parts of ddpm.ts): the linear and
// cosine schedules against their formulas (Ho 2020 §4; Nichol & Dhariwal 2021 eq. 17), the
// variance of addNoise (Ho eq. 4: Var x_t = ᾱ Var x0 + 1 − ᾱ), exact at x0 = 0 and statistically
// with a large sample, and the v-prediction identities (Salimans & Ho 2022 §4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { DDPMScheduler, VPSchedule, predictEpsilon, predictOriginal, vTarget } from '../../../src/diffusion/schedulers/index.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { randn64 } from '../helpers.js';

/** Nichol & Dhariwal's f(τ) = cos²(((τ + s)/(1 + s))·π/2), written out here. */
const f = (tau: number): number => Math.cos(((tau + 0.008) / 1.008) * (Math.PI / 2)) ** 2;

test('cosine schedule: ᾱ_t = f((t+1)/N)/f(0) wherever β is not clipped, and β clips at 0.999', () => {
  const s = new VPSchedule({ betaSchedule: 'cosine', numTrainTimesteps: 1000 });
  let clipped = 0;
  for (let t = 0; t < 1000; t++) {
    const beta = 1 - f((t + 1) / 1000) / f(t / 1000);
    if (beta > 0.999) {
      clipped++;
      assert.equal(s.betas[t], 0.999, `β_${t} should be clipped`);
      continue;
    }
    assert.ok(clipped === 0, 'once clipped, every later β is clipped too');
    const expected = f((t + 1) / 1000) / f(0);
    assert.ok(Math.abs(s.alphasCumprod[t]! - expected) <= 1e-12 + 1e-9 * expected, `ᾱ_${t}: ${s.alphasCumprod[t]} vs ${expected}`);
  }
  assert.equal(clipped, 1, 'only the last step (f(1) = 0) is clipped for N = 1000');
  // A few values worked by hand: ᾱ_0 = f(0.001)/f(0), ᾱ_499 = f(0.5)/f(0).
  assertClose([s.alphaBar(0), s.alphaBar(499)], [f(0.001) / f(0), f(0.5) / f(0)], 1e-12);
  assert.equal(s.alphaBar(-1), 1);
});

test('linear schedule: β from 1e-4 to 0.02 and ᾱ_t = ∏(1 − β_s)', () => {
  const s = new VPSchedule({ betaSchedule: 'linear', numTrainTimesteps: 1000 });
  assertClose([s.betas[0]!, s.betas[999]!, s.betas[1]! - s.betas[0]!], [1e-4, 0.02, (0.02 - 1e-4) / 999], 1e-15);
  let p = 1;
  for (let t = 0; t < 1000; t++) {
    p *= 1 - (1e-4 + ((0.02 - 1e-4) * t) / 999);
    assert.ok(Math.abs(s.alphasCumprod[t]! - p) < 1e-12, `ᾱ_${t}`);
  }
  assert.ok(s.alphaBar(999) < 5e-5 && s.alphaBar(999) > 3e-5, 'ᾱ_T ≈ 4e-5 (Ho §4: x_T is nearly pure noise)');
});

test('addNoise at x0 = 0 is exactly √(1 − ᾱ_t)·ε, so its variance is (1 − ᾱ_t)·Var ε', () =>
  assertNoLeak(() => {
    const s = new DDPMScheduler({ betaSchedule: 'cosine' });
    const ts = [0, 10, 250, 500, 750, 999];
    const eps = randn64([ts.length, 8], 1);
    const xt = T.tidy(() => s.addNoise(T.zeros([ts.length, 8], { dtype: 'float64' }), eps, T.tensor(ts)));
    const e = eps.toArray();
    // ᾱ_t = f((t+1)/N)/f(0), except at the clipped t = 999: ᾱ_998·(1 − 0.999).
    const abar = (t: number): number => (t < 999 ? f((t + 1) / 1000) / f(0) : (f(999 / 1000) / f(0)) * 0.001);
    const expected = e.map((v, i) => Math.sqrt(1 - abar(ts[Math.floor(i / 8)]!)) * v);
    assertClose(xt.toArray(), expected, 1e-12);
    for (const x of [eps, xt]) x.dispose();
  }));

test('addNoise variance: Var x_t = ᾱ_t·Var x0 + (1 − ᾱ_t) (200k samples per t, both schedules)', () =>
  assertNoLeak(() => {
    const n = 200000;
    for (const schedule of ['linear', 'cosine'] as const) {
      const s = new DDPMScheduler({ betaSchedule: schedule });
      for (const t of [0, 100, 400, 700, 999]) {
        T.tidy(() => {
          const x0 = randn64([n], 10 + t).mulScalar(0.5).addScalar(0.3); // Var 0.25, mean 0.3
          const eps = randn64([n], 20 + t);
          const xt = s.addNoise(x0.view([n, 1]), eps.view([n, 1]), T.full([n], t)); // (n, 1)
          const a = s.schedule.alphaBar(t);
          const varX0 = x0.variance(null).item();
          const varEps = eps.variance(null).item();
          const expected = a * varX0 + (1 - a) * varEps; // the cross term has mean 0
          const got = xt.variance(null).item();
          // Sampling error of a variance estimate with n = 2e5 is ~√(2/n) ≈ 0.3% relative.
          assert.ok(Math.abs(got - expected) < 0.01 * expected, `${schedule} t=${t}: Var x_t ${got} vs ${expected}`);
          assert.ok(Math.abs(got - (a * 0.25 + 1 - a)) < 0.02, `${schedule} t=${t}: Var x_t ${got} vs the population value ${a * 0.25 + 1 - a}`);
          assert.ok(Math.abs(xt.mean().item() - Math.sqrt(a) * 0.3) < 0.01, `${schedule} t=${t}: E x_t = √ᾱ·E x0`);
        });
      }
    }
  }));

test('v-prediction identities: x0 = √ᾱ x_t − √(1−ᾱ) v and ε = √(1−ᾱ) x_t + √ᾱ v', () =>
  assertNoLeak(() => {
    const s = new DDPMScheduler({ betaSchedule: 'cosine', predictionType: 'v_prediction' });
    T.tidy(() => {
      // A hand example: x0 = 1, ε = 2, ᾱ = 0.36 → v = 0.6·2 − 0.8·1 = 0.4, x_t = 0.6 + 1.6 = 2.2.
      const c = { sqrtAbar: 0.6, sqrtOneMinus: 0.8 };
      const one = T.tensor([1], { dtype: 'float64' });
      const two = T.tensor([2], { dtype: 'float64' });
      assertClose(vTarget(one, two, c).toArray(), [0.4], 1e-15);
      const xt = T.tensor([2.2], { dtype: 'float64' });
      const v = T.tensor([0.4], { dtype: 'float64' });
      assertClose(predictOriginal(v, xt, 'v_prediction', c).toArray(), [1], 1e-14);
      assertClose(predictEpsilon(v, xt, 'v_prediction', c).toArray(), [2], 1e-14);
      // Random batches at several t through the scheduler's own addNoise and target.
      const ts = T.tensor([0, 200, 500, 800, 999]);
      const x0 = randn64([5, 3, 2], 3);
      const eps = randn64([5, 3, 2], 4);
      const x = s.addNoise(x0, eps, ts);
      const target = s.trainingTarget(x0, eps, ts);
      ts.toArray().forEach((t, i) => {
        const a = s.schedule.alphaBar(t);
        const ci = { sqrtAbar: Math.sqrt(a), sqrtOneMinus: Math.sqrt(1 - a) };
        const [xi, vi] = [x.select(0, i), target.select(0, i)];
        assertClose(vi.toArray(), eps.select(0, i).toArray().map((e, k) => Math.sqrt(a) * e - Math.sqrt(1 - a) * x0.select(0, i).toArray()[k]!), 1e-12, 0, `v at t=${t}`);
        assertClose(predictOriginal(vi, xi, 'v_prediction', ci).toArray(), x0.select(0, i).toArray(), 1e-12, 0, `x0 at t=${t}`);
        assertClose(predictEpsilon(vi, xi, 'v_prediction', ci).toArray(), eps.select(0, i).toArray(), 1e-12, 0, `ε at t=${t}`);
        // And the epsilon path: x0 = (x_t − √(1−ᾱ) ε)/√ᾱ (skip t = 999, where 1/√ᾱ ≈ 2·10⁴ amplifies rounding).
        if (t < 999) assertClose(predictOriginal(eps.select(0, i), xi, 'epsilon', ci).toArray(), x0.select(0, i).toArray(), 1e-9, 0, `x0 from ε at t=${t}`);
      });
    });
  }));
