// Tests for src/diffusion/guidance.ts: the dropout rate, the guidance combination
// uncond + s·(cond − uncond) (Ho & Salimans 2022 eq. 6) against two separate forwards, and the
// special scales (1: conditional only; 0: unconditional).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { combineGuidance, conditionDropout, guidedPrediction } from '../../src/diffusion/guidance.js';
import { createDenoiser } from '../../src/diffusion/denoisers/index.js';
import { diffusionDefaults } from '../../src/diffusion/presets.js';
import { assertClose } from '../helpers/close.js';
import { assertNoLeak } from '../helpers/leak.js';
import { makeCond, perturb, randn64 } from './helpers.js';

test('condition dropout drops about p of the rows (p = 0.1 over 20000) and none at p = 0', () =>
  assertNoLeak(() => {
    T.manualSeed(3);
    const rate = T.tidy(() => conditionDropout(20000, 0.1).toDType('float64').mean().item());
    assert.ok(Math.abs(rate - 0.1) < 0.008, `rate ${rate}`); // 3.8 standard errors
    assert.equal(T.tidy(() => conditionDropout(1000, 0).any().item()), 0);
    assert.equal(T.tidy(() => conditionDropout(1000, 1).all().item()), 1);
    assert.throws(() => conditionDropout(4, 1.5), /probability/);
  }));

test('guided prediction = uncond + s·(cond − uncond) from one batched forward', () =>
  assertNoLeak(() => {
    const net = createDenoiser('dit', diffusionDefaults('dit', 'micro').model, [2, 2, 4, 4], 5).double();
    perturb(net.parameters(), 7);
    T.tidy(() => {
      const x = randn64([2, 2, 2, 4, 4], 1);
      const t = T.tensor([100, 800], { dtype: 'float64' });
      const cond = makeCond([3, 1], 3, 5, 2, 'float64');
      const c = net.forward(x, t, cond);
      const u = net.forward(x, t, null);
      for (const s of [0, 1, 3.5]) {
        const g = guidedPrediction(net, x, t, cond, s);
        const expected = u.flatten().toArray().map((uv, i) => uv + s * (c.flatten().toArray()[i]! - uv));
        assertClose(g.flatten().toArray(), expected, 1e-10, 0, `s = ${s}`);
      }
      assertClose(combineGuidance(T.tensor([2]), T.tensor([1]), 4).toArray(), [5], 0);
      assertClose(guidedPrediction(net, x, t, null, 3).flatten().toArray(), u.flatten().toArray(), 0, 0, 'no condition: the unconditional model');
    });
    net.dispose();
  }));
