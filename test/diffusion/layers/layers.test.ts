// Tests for src/diffusion/layers/: the sinusoidal timestep features and position embeddings
// against hand values, adaLN modulation, attention masking (padded keys are ignored), and the
// null condition's row substitution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { sinusoidalEmbedding } from '../../../src/diffusion/layers/timestep.js';
import { sincosPosEmbed1d, sincosPosEmbed2d } from '../../../src/diffusion/layers/posemb.js';
import { modulate, gated, AdaLNModulation } from '../../../src/diffusion/layers/modulation.js';
import { Attention } from '../../../src/diffusion/layers/attention.js';
import { NullCondition } from '../../../src/diffusion/layers/condition.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { makeCond, perturb, randn64 } from '../helpers.js';

test('sinusoidal timestep features: [cos(t·ω_k), sin(t·ω_k)], ω_k = 10000^(−k/half)', () =>
  assertNoLeak(() => {
    const e = T.tidy(() => sinusoidalEmbedding(T.tensor([0, 3], { dtype: 'float64' }), 4).toArray());
    const w = [1, 10000 ** -0.5]; // half = 2
    assertClose(e, [1, 1, 0, 0, Math.cos(3 * w[0]!), Math.cos(3 * w[1]!), Math.sin(3 * w[0]!), Math.sin(3 * w[1]!)], 1e-12);
  }));

test('sin-cos position embeddings: 1-D [sin, cos] halves; 2-D rows then columns', () =>
  assertNoLeak(() => {
    T.tidy(() => {
      const p1 = sincosPosEmbed1d(4, 3).toArray(); // ω = [1, 0.01]
      assertClose(p1.slice(8), [Math.sin(2), Math.sin(0.02), Math.cos(2), Math.cos(0.02)], 1e-7);
      const p2 = sincosPosEmbed2d(8, 2, 3); // position (row 1, col 2) = index 5
      const row = p2.select(0, 5).toArray();
      assertClose(row, [Math.sin(1), Math.sin(0.01), Math.cos(1), Math.cos(0.01), Math.sin(2), Math.sin(0.02), Math.cos(2), Math.cos(0.02)], 1e-7);
    });
  }));

test('modulate and gate broadcast (B, D) over the middle dims; AdaLN starts at zero', () =>
  assertNoLeak(() => {
    T.tidy(() => {
      const x = T.ones([2, 3, 2]);
      const shift = T.tensor([[1, 2], [3, 4]]);
      const scale = T.tensor([[0, 1], [-1, 2]]);
      assertClose(modulate(x, shift, scale).select(1, 2).toArray(), [2, 4, 3, 7], 1e-7); // 1·(1+s)+b
      assertClose(gated(x, scale).select(1, 0).toArray(), [0, 1, -1, 2], 1e-7);
      const ada = new AdaLNModulation(4, 2, 3);
      const chunks = ada.forward(T.randn([5, 4]));
      assert.equal(chunks.length, 3);
      for (const c of chunks) (assert.deepEqual(c.shape, [5, 2]), assert.ok(c.abs().max().item() === 0));
      ada.dispose();
    });
  }));

test('cross-attention ignores padded tokens (mask false) and uses the real ones', () =>
  assertNoLeak(() => {
    const attn = new Attention(8, 2, 6).double();
    T.tidy(() => {
      const x = randn64([2, 5, 8], 1);
      const cond = makeCond([2, 4], 4, 6, 2, 'float64');
      const base = attn.forward(x, cond.states, cond.mask);
      // Change only row 0's padded tokens (positions 2, 3): its output must not move.
      const keep = T.tensor([[1, 1, 0, 0], [1, 1, 1, 1]], { dtype: 'float64' }).unsqueeze(2); // (2, 4, 1)
      const changed = cond.states.mul(keep).add(randn64([2, 4, 6], 3).mul(keep.rsubScalar(1)));
      const out = attn.forward(x, changed, cond.mask);
      assertClose(out.select(0, 0).flatten().toArray(), base.select(0, 0).flatten().toArray(), 1e-12);
      // Changing a real token of row 0 does move it.
      const real = cond.states.add(T.tensor([1, 0, 0, 0], { dtype: 'float64' }).view([1, 4, 1]).mul(T.tensor([1, 0], { dtype: 'float64' }).view([2, 1, 1])));
      assert.ok(attn.forward(x, real, cond.mask).sub(base).abs().max().item() > 1e-6);
    });
    attn.dispose();
  }));

test('NullCondition: dropped rows become [null, 0…] with mask [true, false…] and the null pooled vector', () =>
  assertNoLeak(() => {
    const nc = new NullCondition(3);
    perturb(nc.parameters(), 4);
    T.tidy(() => {
      const cond = makeCond([3, 1], 3, 3, 5);
      const out = nc.substitute(cond, T.tensor([false, true], { dtype: 'bool' }), 2);
      const nullTok = nc.getParameter('states').toArray();
      const nullPooled = nc.getParameter('pooled').toArray();
      assertClose(out.states.select(0, 0).flatten().toArray(), cond.states.select(0, 0).flatten().toArray(), 0);
      assertClose(out.states.select(0, 1).flatten().toArray(), [...nullTok, 0, 0, 0, 0, 0, 0], 0);
      assert.deepEqual(out.mask.toArray(), [1, 1, 1, 1, 0, 0]);
      assertClose(out.pooled.toArray(), [...cond.pooled.select(0, 0).toArray(), ...nullPooled], 0);
      const all = nc.substitute(null, null, 2);
      assert.deepEqual(all.states.shape, [2, 1, 3]);
      assert.deepEqual(all.mask.toArray(), [1, 1]);
      assert.throws(() => nc.substitute(makeCond([1], 1, 4, 6), null, 1), /text width 3/);
    });
    nc.dispose();
  }));
