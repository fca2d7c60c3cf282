// Tests for src/diffusion/schedulers/ddim.ts (Song et al. 2021, eq. 12 and 16): determinism at
// η = 0, exact decoding and inversion for single-point data (where ε̂ is constant along the ODE's
// paths), and encode → decode of Gaussian data with a closed-form optimal denoiser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { DDIMScheduler } from '../../../src/diffusion/schedulers/index.js';
import { SeededNoise } from '../../../src/diffusion/noise.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { gaussianOracle, maxAbsDiff, pointOracle, randn64 } from '../helpers.js';

test('η = 0 is deterministic: no noise is drawn and two runs agree bit for bit', () =>
  assertNoLeak(() => {
    const s = new DDIMScheduler({ eta: 0 });
    s.setTimesteps(25);
    const run = (seed: number): number[] =>
      T.tidy(() => {
        T.manualSeed(seed);
        let x = randn64([2, 6], 5).float();
        for (const t of s.timesteps) {
          x = s.step(x.mulScalar(0.3), t, x, { noise: () => { throw new Error('η = 0 must not draw noise'); } });
        }
        return x.toArray();
      });
    assert.deepEqual(run(1), run(2));
  }));

test('η = 1 adds σ_t = √((1−ᾱ_{t′})/(1−ᾱ_t))·√(1−ᾱ_t/ᾱ_{t′}) of noise (eq. 16)', () =>
  assertNoLeak(() => {
    const s = new DDIMScheduler({ eta: 1, betaSchedule: 'linear' });
    s.setTimesteps(10);
    const [t, tp] = [s.timesteps[2]!, s.timesteps[3]!];
    const [a, ap] = [s.schedule.alphaBar(t), s.schedule.alphaBar(tp)];
    T.tidy(() => {
      const x = T.tensor([[0.7, -0.2]], { dtype: 'float64' });
      const out = T.tensor([[0.1, 0.4]], { dtype: 'float64' });
      const zero = s.step(out, t, x, { noise: () => T.zeros([1, 2], { dtype: 'float64' }) });
      const one = s.step(out, t, x, { noise: () => T.ones([1, 2], { dtype: 'float64' }) });
      const sigma = Math.sqrt((1 - ap) / (1 - a)) * Math.sqrt(1 - a / ap);
      assertClose(one.sub(zero).toArray(), [sigma, sigma], 1e-12);
      // The deterministic part: √ᾱ' x̂0 + √(1 − ᾱ' − σ²) ε̂, with ε̂ = out, x̂0 = (x − √(1−ᾱ) ε̂)/√ᾱ.
      const expected = [0.7, -0.2].map((xi, i) => {
        const e = [0.1, 0.4][i]!;
        return Math.sqrt(ap) * ((xi - Math.sqrt(1 - a) * e) / Math.sqrt(a)) + Math.sqrt(1 - ap - sigma * sigma) * e;
      });
      assertClose(zero.toArray(), expected, 1e-12);
    });
  }));

test('single-point data: η = 0 decodes any x_T to x*, and inversion from a grid level is exact', () =>
  assertNoLeak(() => {
    for (const type of ['epsilon', 'v_prediction'] as const) {
      const s = new DDIMScheduler({ eta: 0, betaSchedule: 'cosine', predictionType: type });
      s.setTimesteps(20);
      T.tidy(() => {
        const xStar = randn64([3, 4], 11);
        const model = pointOracle(xStar, (k) => s.schedule.alphaBar(k), type);
        // Decoding.
        let x = randn64([3, 4], 12);
        for (const t of s.timesteps) x = s.step(model(x, t), t, x);
        assertClose(x.toArray(), xStar.toArray(), 1e-6, 0, `${type}: decode`);
        // Inversion from level τ_k = timesteps[10]: x = √ᾱ x* + √(1−ᾱ) ε0 climbs to
        // √ᾱ_top x* + √(1−ᾱ_top) ε0 exactly, and stepping back down returns x.
        const k = 10;
        const tk = s.timesteps[k]!;
        const eps0 = randn64([3, 4], 13);
        const level = (t: number): T.Tensor => xStar.mulScalar(Math.sqrt(s.schedule.alphaBar(t))).add(eps0.mulScalar(Math.sqrt(1 - s.schedule.alphaBar(t))));
        const start = level(tk);
        let y = start;
        for (let i = k; i > 0; i--) y = s.invertStep(model(y, s.timesteps[i]!), s.timesteps[i]!, y);
        assertClose(y.toArray(), level(s.timesteps[0]!).toArray(), 1e-9, 0, `${type}: inverted to the top`);
        for (let i = 0; i < k; i++) y = s.step(model(y, s.timesteps[i]!), s.timesteps[i]!, y);
        assertClose(y.toArray(), start.toArray(), 1e-9, 0, `${type}: back down`);
      });
    }
  }));

test('Gaussian data: invert x0 → x_T matches the exact ODE solution (4e-2) and decoding returns x0 (3e-2) at 200 steps', () =>
  assertNoLeak(() => {
    // Data N(μ, s²): in y = x/√ᾱ and σ = √((1−ᾱ)/ᾱ), the probability-flow ODE dy/dσ = ε̂ = σ(y−μ)/(s²+σ²)
    // has the solution y − μ = (y0 − μ)·√(s²+σ²)/s. DDIM is Euler in σ, so with n steps both
    // directions carry an O(1/n) error. Stated tolerances at n = 200 on the cosine schedule, for
    // the worst of 32 elements of size ~|x0 − μ|/s ≤ 3: 4e-2 on x_T, 3e-2 on the round trip
    // (measured 0.024 and 0.017; both halve when n doubles).
    const [mu, sd] = [0.5, 0.3];
    const s = new DDIMScheduler({ eta: 0, betaSchedule: 'cosine' });
    s.setTimesteps(200);
    T.tidy(() => {
      const x0 = randn64([32], 21).mulScalar(sd).addScalar(mu).view([4, 8]);
      const model = gaussianOracle(mu, sd, (k) => s.schedule.alphaBar(k));
      const xT = s.invert(x0, model);
      const aT = s.schedule.alphaBar(s.timesteps[0]!);
      const sigmaT2 = (1 - aT) / aT;
      const exact = x0.toArray().map((v) => Math.sqrt(aT) * (mu + ((v - mu) * Math.sqrt(sd * sd + sigmaT2)) / sd));
      const encErr = maxAbsDiff(xT.toArray(), exact);
      assert.ok(encErr < 4e-2, `x_T differs from the exact solution by ${encErr}`);
      let x = xT;
      for (const t of s.timesteps) x = s.step(model(x, t), t, x);
      const decErr = maxAbsDiff(x.toArray(), x0.toArray());
      assert.ok(decErr < 3e-2, `decode(invert(x0)) differs from x0 by ${decErr}`);
      // The error shrinks with more steps (Euler is first order: 4× the steps, ~¼ the error).
      s.setTimesteps(800);
      let z = s.invert(x0, model);
      for (const t of s.timesteps) z = s.step(model(z, t), t, z);
      assert.ok(maxAbsDiff(z.toArray(), x0.toArray()) < decErr / 2.5, 'more steps, smaller round-trip error');
    });
  }));

test('η > 0 uses the given noise source (seeded runs repeat)', () =>
  assertNoLeak(() => {
    const s = new DDIMScheduler({ eta: 0.5 });
    s.setTimesteps(5);
    const run = (): number[] =>
      T.tidy(() => {
        const noise = new SeededNoise([9, 10]);
        let x = noise.randn([3]);
        for (const t of s.timesteps) x = s.step(x.mulScalar(0.2), t, x, { noise: noise.source() });
        return x.toArray();
      });
    assert.deepEqual(run(), run());
  }));
