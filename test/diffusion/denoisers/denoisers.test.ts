// Tests for src/diffusion/denoisers/: output shapes of DiT, UNet3D and the MLP denoiser, the
// zero-initialised output layers (every denoiser starts by predicting 0), that the learned null
// condition replaces exactly the dropped rows, that padded text tokens do not matter, config
// validation, a float64 gradient check of the tiny DiT, and the spatial/temporal factorisation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { createDenoiser, type Denoiser } from '../../../src/diffusion/denoisers/index.js';
import { DiTBlock } from '../../../src/diffusion/denoisers/dit.js';
import { diffusionDefaults } from '../../../src/diffusion/presets.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import { makeCond, perturb, randn64 } from '../helpers.js';

const CASES: { arch: 'dit' | 'unet3d' | 'mlp'; latent: number[] }[] = [
  { arch: 'dit', latent: [4, 3, 4, 4] },
  { arch: 'unet3d', latent: [4, 2, 4, 4] },
  { arch: 'mlp', latent: [16] },
];

function micro(arch: 'dit' | 'unet3d' | 'mlp', latent: number[], condDim = 6): Denoiser {
  return createDenoiser(arch, diffusionDefaults(arch, 'micro').model, latent, condDim);
}

test('output shape equals the latent shape, and zero-initialised heads predict 0 at init', () =>
  assertNoLeak(() => {
    T.manualSeed(0);
    for (const { arch, latent } of CASES) {
      const net = micro(arch, latent);
      T.tidy(() => {
        const x = T.randn([3, ...latent]);
        const out = net.forward(x, T.tensor([0, 500, 999]), makeCond([2, 5, 1], 5, 6, 1));
        assert.deepEqual(out.shape, [3, ...latent], arch);
        assert.equal(out.abs().max().item(), 0, `${arch}: zero-initialised output layer`);
        assert.deepEqual(net.forward(x, T.tensor([1, 2, 3]), null).shape, [3, ...latent], `${arch}: unconditional`);
      });
      net.dispose();
    }
  }));

test('dropCondition replaces exactly the dropped rows by the null condition', () =>
  assertNoLeak(() => {
    for (const { arch, latent } of CASES) {
      const net = micro(arch, latent).double();
      perturb(net.parameters(), 10);
      T.tidy(() => {
        const x = randn64([3, ...latent], 2);
        const t = T.tensor([10, 400, 900], { dtype: 'float64' });
        const cond = makeCond([3, 2, 4], 4, 6, 3, 'float64');
        const withCond = net.forward(x, t, cond);
        const without = net.forward(x, t, null);
        const mixed = net.forward(x, t, cond, { dropCondition: T.tensor([true, false, true], { dtype: 'bool' }) });
        const row = (a: T.Tensor, i: number): number[] => a.select(0, i).flatten().toArray();
        assertClose(row(mixed, 0), row(without, 0), 1e-12, 0, `${arch}: dropped row 0 = null`);
        assertClose(row(mixed, 1), row(withCond, 1), 1e-12, 0, `${arch}: kept row 1 = conditioned`);
        assertClose(row(mixed, 2), row(without, 2), 1e-12, 0, `${arch}: dropped row 2 = null`);
        assert.ok(withCond.sub(without).abs().max().item() > 1e-6, `${arch}: the condition changes the output`);
        // Padded tokens are ignored: scramble row 1's padding (positions 2, 3).
        const pad = T.tensor([0, 0, 1, 1], { dtype: 'float64' }).view([1, 4, 1]).mul(T.tensor([0, 1, 0], { dtype: 'float64' }).view([3, 1, 1]));
        const scrambled = { ...cond, states: cond.states.add(pad.mul(randn64([3, 4, 6], 4))) };
        assertClose(net.forward(x, t, scrambled).flatten().toArray(), withCond.flatten().toArray(), 1e-12, 0, `${arch}: padding ignored`);
      });
      net.dispose();
    }
  }));

test('configs are validated with readable errors', () =>
  assertNoLeak(() => {
    assert.throws(() => createDenoiser('dit', { hiden: 8 }, [4, 2, 4, 4], 6), /unknown option model\.hiden/);
    assert.throws(() => createDenoiser('dit', { patchSize: [1, 3, 3] }, [4, 2, 4, 4], 6), /not divisible by model\.patchSize/);
    assert.throws(() => createDenoiser('dit', {}, [64], 6), /use the 'mlp' denoiser/);
    assert.throws(() => createDenoiser('unet3d', { channelMults: [1, 2, 2, 2] }, [4, 2, 4, 4], 6), /divisible by 2\^\(levels−1\)/);
    assert.throws(() => createDenoiser('transformer', {}, [4], 6), /unknown denoiser 'transformer'; valid: dit, unet3d, mlp/);
    assert.throws(() => createDenoiser('mlp', { depth: 'two' }, [4], 6), /model\.depth must be a number/);
    const net = micro('mlp', [8]);
    assert.throws(() => T.tidy(() => net.forward(T.zeros([2, 9]), T.zeros([2]), null)), /input must be \(B, 8\)/);
    assert.throws(() => T.tidy(() => net.forward(T.zeros([2, 8]), T.zeros([2]), makeCond([1, 1], 1, 5, 1))), /text width 6/);
    net.dispose();
  }));

test('DiT gradients match finite differences (float64, tiny model)', () =>
  assertNoLeak(() => {
    const net = createDenoiser('dit', { hidden: 8, depth: 1, heads: 2, patchSize: [1, 2, 2], mlpRatio: 1, freqDim: 4 }, [2, 2, 2, 2], 3).double();
    perturb(net.parameters(), 20, 0.3);
    const x = randn64([2, 2, 2, 2, 2], 5).requiresGrad_(true);
    const cond = makeCond([2, 1], 2, 3, 6, 'float64');
    const t = T.tensor([3, 700], { dtype: 'float64' });
    const wrt = new Map([['x', x], ['proj_out.weight', net.getParameter('proj_out.weight')], ['blocks.1.attn.to_q.weight', net.getParameter('blocks.1.attn.to_q.weight')]]);
    const report = gradcheck(() => net.forward(x, t, cond, { dropCondition: T.tensor([false, true], { dtype: 'bool' }) }), wrt, { atol: 1e-6, rtol: 1e-4 });
    assert.ok(report.checked > 0);
    for (const v of [x, cond.states, cond.mask, cond.pooled, t]) v.dispose();
    net.dispose();
  }));

test('state dict keys follow the documented names', () =>
  assertNoLeak(() => {
    const dit = micro('dit', [4, 2, 4, 4]);
    const keys = [...dit.namedParameters().keys()];
    for (const k of ['x_embedder.weight', 'cond.t_embedder.mlp.0.weight', 'cond.y_embedder.0.weight', 'cond.caption_projection.2.bias', 'cond.null_cond.states', 'cond.null_cond.pooled',
      'blocks.0.attn.to_q.weight', 'blocks.1.cross_attn.to_k.weight', 'blocks.0.ada.adaLN_modulation.1.weight', 'proj_out.weight']) {
      assert.ok(keys.includes(k), `missing ${k}`);
    }
    assert.ok(!keys.some((k) => k.includes('pos_')), 'fixed position embeddings are not parameters');
    const sd = dit.stateDict();
    assert.ok(![...sd.keys()].some((k) => k.includes('pos_')), 'nor saved');
    for (const v of sd.values()) v.dispose();
    dit.dispose();
  }));

test('DiT blocks factorise attention: spatial blocks mix within a frame, temporal blocks across frames', () =>
  assertNoLeak(() => {
    for (const mode of ['spatial', 'temporal'] as const) {
      const block = new DiTBlock(mode, 8, 2, 2).double();
      perturb(block.parameters(), 30, 0.2);
      T.tidy(() => {
        const x = randn64([1, 3, 4, 8], 1); // (B, T, S, D)
        const c = randn64([1, 8], 2);
        const text = randn64([1, 2, 8], 3);
        const mask = T.ones([1, 2], { dtype: 'bool' });
        const base = block.forward(x, c, text, mask);
        // Perturb frame 1, position 2 only (by a non-constant vector: LayerNorm removes a constant shift).
        const bump = T.zeros([1, 3, 4, 8], { dtype: 'float64' });
        bump.select(1, 1).select(1, 2).copy_(randn64([1, 8], 4));
        const moved = block.forward(x.add(bump), c, text, mask).sub(base).abs().sumDim(3).view([3, 4]).toArray(); // (T·S) change per token
        const changed = (t: number, s: number): boolean => moved[t * 4 + s]! > 1e-12;
        for (let t = 0; t < 3; t++) {
          for (let s = 0; s < 4; s++) {
            const expected = mode === 'spatial' ? t === 1 : s === 2; // same frame / same position as the bump
            assert.equal(changed(t, s), expected, `${mode}: token (t=${t}, s=${s})`);
          }
        }
      });
      block.dispose();
    }
  }));
