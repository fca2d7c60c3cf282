// The shipped diffusion configs (configs/diffusion/*.json, passed with `t2v train diffusion
// --config`) stay valid: they resolve through the same layers as the CLI (the quick preset of the
// denoiser their name starts with, then the file), every key in them survives as written, and the
// denoiser builds for the latent it was written for, with the parameter count counted by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { resolveDiffusionConfig } from '../../src/cli/commands/train-diffusion.js';
import { DENOISER_ARCHS, createDenoiser } from '../../src/diffusion/denoisers/index.js';
import { assertNoLeak } from '../helpers/leak.js';

const DIR = 'configs/diffusion';
/** The latent each file is for, the text width it is used with, and its parameter count by hand. */
const EXPECT: Record<string, { latent: number[]; condDim: number; params: number }> = {
  // 3DConv-Base d_z = 64, conditioning text encoder 128 wide (the study's quick `t2v train domain`
  // run); 5,817,536, as the measured run /work/exp/dl10 recorded.
  'mlp-conv3d-base-30min.json': { latent: [64], condDim: 128, params: mlpParams(64, 128, 384, 3, 2, 128) },
};

/**
 * MLPDenoiser parameters by hand (src/diffusion/denoisers/mlp.ts): proj_in d→D; the condition
 * embedder (timestep MLP f→D→D; pooled text c→D→D; caption projection c→D→D; null states (1·c)
 * and pooled (c));
 * per block: LN(D) affine, cross-attention (4 D×D + biases), FFN D→rD→D, adaLN D→3D; out: adaLN D→2D,
 * proj_out D→d.
 */
function mlpParams(d: number, c: number, D: number, depth: number, r: number, f: number): number {
  const lin = (i: number, o: number) => i * o + o;
  const cond = lin(f, D) + lin(D, D) + lin(c, D) + lin(D, D) + lin(c, D) + lin(D, D) + c + c;
  const block = 2 * D + 4 * lin(D, D) + lin(D, r * D) + lin(r * D, D) + lin(D, 3 * D);
  return lin(d, D) + cond + depth * block + lin(D, 2 * D) + lin(D, d);
}

test('every configs/diffusion file resolves under its denoiser\'s quick preset and builds for its latent', () =>
  assertNoLeak(() => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(files, Object.keys(EXPECT).sort(), 'a new config needs its latent and parameter count here');
    for (const file of files) {
      const arch = DENOISER_ARCHS.find((a) => file.startsWith(`${a}-`));
      assert.ok(arch, `${file}: the name must start with a denoiser (${DENOISER_ARCHS.join(', ')})`);
      const given = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { train: Record<string, unknown>; model: Record<string, unknown> };
      const { cfg, settings } = resolveDiffusionConfig({
        latent: '/runs/ae', arch, data: '/data/single', out: '/runs/x', conditioner: { kind: 'text', dir: '/runs/text' },
        preset: 'quick', configFile: join(DIR, file), resume: false, quiet: true,
      });
      for (const [k, v] of Object.entries(given.train)) assert.deepEqual((cfg.train as unknown as Record<string, unknown>)[k], v, `${file}: train.${k}`);
      for (const [k, v] of Object.entries(given.model)) {
        if (k === 'diffusion' || k === 'sample') for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) assert.deepEqual((settings[k] as unknown as Record<string, unknown>)[k2], v2, `${file}: model.${k}.${k2}`);
        else assert.deepEqual(settings.denoiser[k], v, `${file}: model.${k}`);
      }
      const e = EXPECT[file]!;
      T.manualSeed(0);
      const den = createDenoiser(arch, settings.denoiser, e.latent, e.condDim);
      try {
        assert.equal(den.numParameters(), e.params, `${file}: parameters`);
      } finally {
        den.dispose();
      }
    }
  }));
