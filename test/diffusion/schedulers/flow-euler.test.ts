// Tests for src/diffusion/schedulers/flow-euler.ts (rectified flow, Liu 2022 / Esser 2024): the
// forward interpolation and velocity target, the shifted grid (Esser eq. 23) worked by hand, and
// the Euler sampler integrating linear ODEs exactly: a constant field, and the optimal field of
// single-point data (straight paths).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { FlowEulerScheduler } from '../../../src/diffusion/schedulers/index.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { randn64 } from '../helpers.js';

test('grid: σ_i = 1 − i/n, shifted by sσ/(1 + (s−1)σ); model time = 1000σ', () => {
  const s = new FlowEulerScheduler();
  s.setTimesteps(4);
  assertClose(s.sigmas, [1, 0.75, 0.5, 0.25], 1e-15);
  assertClose(s.timesteps, [1000, 750, 500, 250], 1e-12);
  const shifted = new FlowEulerScheduler({ shift: 3 });
  shifted.setTimesteps(4);
  assertClose(shifted.sigmas, [1, 0.9, 0.75, 0.5], 1e-15); // 3·0.75/2.5, 3·0.5/2, 3·0.25/1.5
});

test('addNoise is (1 − σ)x0 + σε and the target is ε − x0', () =>
  assertNoLeak(() => {
    const s = new FlowEulerScheduler();
    T.tidy(() => {
      const x0 = T.tensor([[1, 2], [3, 4]], { dtype: 'float64' });
      const eps = T.tensor([[-1, 0.5], [2, 0]], { dtype: 'float64' });
      const t = T.tensor([250, 1000]); // σ = 0.25, 1
      assertClose(s.addNoise(x0, eps, t).toArray(), [0.75 * 1 - 0.25, 0.75 * 2 + 0.125, 2, 0], 1e-12);
      assertClose(s.trainingTarget(x0, eps, t).toArray(), [-2, -1.5, -1, -4], 1e-15);
      // At x0 = 0 the sample is σε exactly: variance σ²·Var ε.
      assertClose(s.addNoise(T.zeros([2, 2], { dtype: 'float64' }), eps, t).toArray(), [-0.25, 0.125, 2, 0], 1e-15);
    });
  }));

test('a constant velocity field is integrated exactly: x_0 = x_1 − c after any number of steps', () =>
  assertNoLeak(() => {
    for (const [steps, shift] of [[1, 1], [3, 1], [50, 1], [7, 3]] as const) {
      const s = new FlowEulerScheduler({ shift });
      s.setTimesteps(steps);
      T.tidy(() => {
        const x1 = randn64([2, 5], 1);
        const c = randn64([2, 5], 2);
        let x = x1;
        for (const t of s.timesteps) x = s.step(c, t, x);
        assertClose(x.toArray(), x1.sub(c).toArray(), 1e-12, 0, `${steps} steps, shift ${shift}`);
      });
    }
  }));

test('the optimal field of single-point data, v = (x − x*)/σ, is integrated exactly to x*', () =>
  assertNoLeak(() => {
    for (const [steps, shift] of [[1, 1], [4, 1], [25, 3]] as const) {
      const s = new FlowEulerScheduler({ shift });
      s.setTimesteps(steps);
      T.tidy(() => {
        const xStar = randn64([3, 4], 3);
        let x = randn64([3, 4], 4);
        for (const t of s.timesteps) x = s.step(x.sub(xStar).divScalar(t / 1000), t, x);
        assertClose(x.toArray(), xStar.toArray(), 1e-12, 0, `${steps} steps, shift ${shift}`);
      });
    }
  }));

test('training times lie in [0, 1000] for both samplings', () =>
  assertNoLeak(() => {
    for (const timeSampling of ['uniform', 'logit-normal'] as const) {
      const s = new FlowEulerScheduler({ timeSampling });
      T.tidy(() => {
        const t = s.sampleTrainingTimesteps(4000).toArray();
        assert.ok(t.every((v) => v >= 0 && v <= 1000));
        const mean = t.reduce((a, b) => a + b, 0) / t.length;
        assert.ok(Math.abs(mean - 500) < 20, `${timeSampling}: mean σ·1000 ≈ 500 (symmetric about ½), got ${mean}`);
      });
    }
  }));
