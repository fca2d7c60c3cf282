// Tests for src/diffusion/pipeline.ts with stand-in components: seeded sampling is bit-identical
// across runs (DDIM, DDPM with ancestral noise, flow Euler), the documented seed rule, a sample
// does not depend on its batch mates, quantisation to uint8, no leaks, and the train/eval mode
// is restored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { generate, sampleSeed, decodeToU8 } from '../../src/diffusion/pipeline.js';
import { createDenoiser } from '../../src/diffusion/denoisers/index.js';
import { createScheduler } from '../../src/diffusion/schedulers/index.js';
import { diffusionDefaults } from '../../src/diffusion/presets.js';
import { PoolAutoencoder } from '../../src/diffusion/stand-ins.js';
import { assertNoLeak } from '../helpers/leak.js';
import { perturb } from './helpers.js';
import { tinyAe, tinyText } from './fixtures.js';

const PROMPTS = ['digit 1 is moving up and down', 'digit 7 is moving left and right'];

function setup() {
  const denoiser = createDenoiser('dit', diffusionDefaults('dit', 'micro').model, [1, 2, 4, 4], 8);
  perturb(denoiser.parameters(), 1, 0.1);
  return { denoiser, conditioner: tinyText(), ae: tinyAe() };
}

test('seeded sampling is bit-identical across runs, with every scheduler', () =>
  assertNoLeak(() => {
    const { denoiser, conditioner, ae } = setup();
    for (const config of [{ name: 'ddim', predictionType: 'v_prediction' }, { name: 'ddpm', predictionType: 'epsilon' }, { name: 'ddim', eta: 1 }, { name: 'flow-euler', shift: 2 }]) {
      const run = (globalSeed: number) => {
        T.manualSeed(globalSeed); // must not matter
        return generate({ denoiser, scheduler: createScheduler(config), conditioner, ae, prompts: PROMPTS, steps: 6, guidance: 2.5, seed: 42, samplesPerPrompt: 2, latentScale: 2, batchSize: 3 });
      };
      const [a, b] = [run(1), run(2)];
      assert.equal(a.videos.length, 4);
      assert.deepEqual(a.latents, b.latents, `${config.name}: latents`);
      a.videos.forEach((v, i) => assert.deepEqual(v.data, b.videos[i]!.data, `${config.name}: video ${i}`));
      assert.deepEqual([a.videos[0]!.frames, a.videos[0]!.height, a.videos[0]!.width, a.videos[0]!.channels], [4, 16, 16, 1]);
      assert.notDeepEqual(a.latents[0], a.latents[1], 'different seeds, different samples');
    }
    denoiser.dispose();
  }));

test('seed rule: sample j of prompt i gets seed + i·k + j, and does not depend on its batch', () =>
  assertNoLeak(() => {
    const { denoiser, conditioner } = setup();
    const scheduler = createScheduler({ name: 'ddim' });
    const all = generate({ denoiser, scheduler, conditioner, ae: null, prompts: PROMPTS, steps: 4, guidance: 3, seed: 10, samplesPerPrompt: 3, batchSize: 1 });
    assert.deepEqual(all.samples.map((s) => s.seed), [10, 11, 12, 13, 14, 15]);
    assert.deepEqual(all.samples.map((s) => [s.promptIndex, s.sampleIndex]), [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
    assert.equal(sampleSeed(10, 1, 2, 3), 15);
    assert.equal(all.videos.length, 0, 'no autoencoder, latents only');
    // Prompt 1, sample 1 (seed 14) alone, as prompt 0 sample 0 of a run with seed 14.
    const alone = generate({ denoiser, scheduler, conditioner, ae: null, prompts: [PROMPTS[1]!], steps: 4, guidance: 3, seed: 14, batchSize: 1 });
    assert.deepEqual(alone.latents[0], all.latents[4]);
    denoiser.dispose();
  }));

test('guidance changes samples; s = 1 needs no unconditional branch', () =>
  assertNoLeak(() => {
    const { denoiser, conditioner } = setup();
    const scheduler = createScheduler({ name: 'ddim' });
    let nullForwards = 0;
    const forward = denoiser.forward.bind(denoiser);
    denoiser.forward = (x, t, cond, opts) => ((nullForwards += opts?.dropCondition ? 1 : 0), forward(x, t, cond, opts));
    const g1 = generate({ denoiser, scheduler, conditioner, ae: null, prompts: PROMPTS, steps: 3, guidance: 1, seed: 0 });
    assert.equal(nullForwards, 0);
    const g4 = generate({ denoiser, scheduler, conditioner, ae: null, prompts: PROMPTS, steps: 3, guidance: 4, seed: 0 });
    assert.equal(nullForwards, 3, 'one batched cond + null forward per step');
    assert.notDeepEqual(g1.latents[0], g4.latents[0]);
    denoiser.dispose();
  }));

test('decodeToU8: round(255·clamp(D(z/λ + μ), 0, 1)) in (T, H, W, C) order', () =>
  assertNoLeak(() => {
    const ae = new PoolAutoencoder([1, 2, 2]);
    T.tidy(() => {
      // z/λ = [[−1, 0], [1, 3]] per frame → D = (z + 1)/2 = [0, 0.5, 1, 2→1]; two frames: the second negated.
      const z = T.tensor([-2, 0, 2, 6, 2, 0, -2, -6], { shape: [1, 1, 2, 2, 2] });
      const [v] = decodeToU8(ae, z, 2);
      const [shifted] = decodeToU8(ae, z.subScalar(2), 2, 1); // (z − 2)/2 + 1 = z/2
      assert.deepEqual(shifted!.data, v!.data);
      assert.deepEqual([v!.frames, v!.height, v!.width, v!.channels], [2, 4, 4, 1]);
      // Frame 0, row 0: pixels from z[0,0] = −1 → 0 (×2) and z[0,1] = 0 → 127.5 → 128 (half to even).
      assert.deepEqual(Array.from(v!.data.slice(0, 4)), [0, 0, 128, 128]);
      assert.deepEqual(Array.from(v!.data.slice(8, 12)), [255, 255, 255, 255]);
      assert.deepEqual(Array.from(v!.data.slice(16, 20)), [255, 255, 128, 128]);
    });
  }));

test('generate leaves no tensors behind and restores the training mode', () => {
  const { denoiser, conditioner, ae } = setup();
  denoiser.train();
  assertNoLeak(() => generate({ denoiser, scheduler: createScheduler({ name: 'ddpm' }), conditioner, ae, prompts: PROMPTS, steps: 3, guidance: 2, seed: 5 }));
  assert.equal(denoiser.training, true);
  assert.throws(() => generate({ denoiser, scheduler: createScheduler({ name: 'ddim' }), conditioner, ae, prompts: [], steps: 3, guidance: 2, seed: 5 }), /no prompts/);
  denoiser.dispose();
});
