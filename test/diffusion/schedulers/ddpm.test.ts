// Tests for src/diffusion/schedulers/ddpm.ts: the timestep grids (Lin et al. 2024 Table 2), the
// posterior mean and variance of one step (Ho 2020 eq. 7) worked from the formulas, and ancestral
// sampling of single-point data, which must land exactly on the point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { DDPMScheduler } from '../../../src/diffusion/schedulers/index.js';
import { SeededNoise } from '../../../src/diffusion/noise.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { pointOracle, randn64 } from '../helpers.js';

test('timestep grids: trailing starts at N−1, leading at (n−1)·⌊N/n⌋, both descending', () => {
  const s = new DDPMScheduler();
  assert.deepEqual(s.timesteps.slice(0, 3), [999, 998, 997]);
  assert.equal(s.timesteps.length, 1000);
  s.setTimesteps(50);
  assert.deepEqual(s.timesteps.slice(0, 3), [999, 979, 959]);
  assert.equal(s.timesteps.at(-1), 19);
  s.setTimesteps(3); // round(1000 − i·333.33) − 1 = 999, 666, 332 (numpy: 1000, 666.67→667, 333.33→333)
  assert.deepEqual(s.timesteps, [999, 666, 332]);
  const lead = new DDPMScheduler({ timestepSpacing: 'leading' });
  lead.setTimesteps(50);
  assert.deepEqual([lead.timesteps[0], lead.timesteps[1], lead.timesteps.at(-1)], [980, 960, 0]);
  assert.throws(() => s.setTimesteps(0), /integer in \[1, 1000\]/);
  assert.throws(() => s.step(T.zeros([1]), 5, T.zeros([1])), /not on the sampling grid/);
});

test('one step: μ̃ = √ᾱ_{t−1}β_t/(1−ᾱ_t)·x̂0 + √α_t(1−ᾱ_{t−1})/(1−ᾱ_t)·x_t and noise scale √β̃_t (eq. 7)', () =>
  assertNoLeak(() => {
    const s = new DDPMScheduler({ betaSchedule: 'linear' }); // full grid: t' = t − 1
    const t = 500;
    const [ab, abPrev] = [s.schedule.alphaBar(t), s.schedule.alphaBar(t - 1)];
    const beta = s.schedule.betas[t]!;
    const xStar = T.tensor([[0.5, -1, 2]], { dtype: 'float64' });
    const x = T.tensor([[1.5, 0.25, -0.75]], { dtype: 'float64' });
    const model = pointOracle(xStar, (k) => s.schedule.alphaBar(k), 'epsilon');
    const zero = () => T.zeros([1, 3], { dtype: 'float64' });
    const ones = () => T.ones([1, 3], { dtype: 'float64' });
    T.tidy(() => {
      const eps = model(x, t);
      const mean = s.step(eps, t, x, { noise: zero });
      const expected = [0.5, -1, 2].map((x0, i) => (Math.sqrt(abPrev) * beta / (1 - ab)) * x0 + (Math.sqrt(1 - beta) * (1 - abPrev) / (1 - ab)) * [1.5, 0.25, -0.75][i]!);
      assertClose(mean.toArray(), expected, 1e-12);
      const withNoise = s.step(eps, t, x, { noise: ones });
      const sigma = Math.sqrt(((1 - abPrev) / (1 - ab)) * beta);
      assertClose(withNoise.sub(mean).toArray(), [sigma, sigma, sigma], 1e-12);
    });
    for (const v of [xStar, x]) v.dispose();
  }));

test('ancestral sampling of single-point data ends exactly at the point (ε and v, 1000 and 20 steps)', () =>
  assertNoLeak(() => {
    for (const type of ['epsilon', 'v_prediction'] as const) {
      for (const steps of [1000, 20]) {
        const s = new DDPMScheduler({ betaSchedule: 'cosine', predictionType: type });
        s.setTimesteps(steps);
        T.tidy(() => {
          const xStar = randn64([2, 4], 7);
          const model = pointOracle(xStar, (k) => s.schedule.alphaBar(k), type);
          const noise = new SeededNoise([1, 2]);
          let x = noise.randn([4]).double();
          for (const t of s.timesteps) x = s.step(model(x, t), t, x, { noise: noise.source() });
          // The last step (t' = −1) has x̂0 = x* and coefficient 1 on it, 0 on x_t.
          assertClose(x.toArray(), xStar.toArray(), 1e-6, 0, `${type}, ${steps} steps`);
        });
      }
    }
  }));

test('seeded noise makes DDPM sampling repeatable whatever the global generator does', () =>
  assertNoLeak(() => {
    const s = new DDPMScheduler();
    s.setTimesteps(10);
    const run = (globalSeed: number): number[] =>
      T.tidy(() => {
        T.manualSeed(globalSeed);
        const noise = new SeededNoise([3]);
        let x = noise.randn([5]);
        for (const t of s.timesteps) x = s.step(x.mulScalar(0.1), t, x, { noise: noise.source() });
        return x.toArray();
      });
    assert.deepEqual(run(1), run(2));
  }));
