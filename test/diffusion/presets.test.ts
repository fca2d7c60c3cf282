// Tests for src/diffusion/presets.ts: every micro and quick preset builds for the study's latents
// (3DConv-Base's 64-d code for the MLP; a causal-VAE-like (16, 4, 8, 8) latent for DiT and U-Net),
// and unknown presets are rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDenoiser } from '../../src/diffusion/denoisers/index.js';
import { checkPreset, diffusionDefaults } from '../../src/diffusion/presets.js';
import { assertNoLeak } from '../helpers/leak.js';

test('micro and quick presets build on the study\'s latent shapes', () =>
  assertNoLeak(() => {
    for (const preset of ['micro', 'quick'] as const) {
      for (const [arch, latent] of [['mlp', [64]], ['dit', [16, 4, 8, 8]], ['unet3d', [16, 4, 8, 8]]] as const) {
        const d = diffusionDefaults(arch, preset);
        const net = createDenoiser(arch, d.model, latent, 512);
        assert.ok(net.numParameters() > 0);
        assert.ok((d.train['steps'] as number) > 0 && (d.train['batchSize'] as number) > 0);
        net.dispose();
      }
    }
    assert.throws(() => checkPreset('large'), /unknown preset 'large'; valid: micro, quick, paper/);
    assert.equal(diffusionDefaults('dit', 'paper').model['hidden'], 384);
  }));
