// Tests for src/diffusion/task.ts with stand-in components: the step order (syncGrads after
// backward, before the update), clipping, the latent scale λ = 1/std, that condition dropout
// trains the null condition (and only then), the latent cache, deterministic validation that
// leaves libtorch's generator alone, rebuilding from describe(), no leaks, and a tiny DiT
// overfitting four latents (the loss drops).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { createDiffusionTask, denoiserFromDescription } from '../../src/diffusion/task.js';
import { diffusionDefaults } from '../../src/diffusion/presets.js';
import { assertClose } from '../helpers/close.js';
import { assertNoLeak } from '../helpers/leak.js';
import { perturb } from './helpers.js';
import { stepContext, tinyAe, tinyBatch, tinyText } from './fixtures.js';
import type { Batch } from '../../src/data/loader.js';

const INPUT: [number, number, number, number] = [1, 4, 16, 16];

function makeTask(objective: 'eps' | 'v' | 'flow', condDropout = 0.1, lr = 1e-3) {
  return createDiffusionTask({ arch: 'dit', model: diffusionDefaults('dit', 'micro').model, input: INPUT, ae: tinyAe(), conditioner: tinyText(), lr, options: { objective, condDropout } });
}

async function* batches(list: Batch[]): AsyncIterable<Batch> {
  for (const b of list) yield b;
}

test('a step: backward, then syncGrads on the denoiser parameters, then clip and update', () =>
  assertNoLeak(() => {
    T.manualSeed(1);
    const task = makeTask('v');
    perturb(task.denoiser.parameters(), 3);
    const batch = tinyBatch();
    const w = task.denoiser.getParameter('proj_out.weight');
    const before = w.toArray();
    let sawGrad = false;
    const ctx = stepContext(0, 0.01, (params) => {
      assert.equal(params.length, task.denoiser.parameters().length);
      const g = w.grad;
      sawGrad = g !== null && g.abs().max().item() > 0;
      g?.dispose();
      assert.deepEqual(w.toArray(), before, 'no update before syncGrads');
    });
    const figures = task.trainStep(batch, ctx);
    assert.equal(ctx.syncs, 1);
    assert.ok(sawGrad, 'gradients exist when syncGrads is called');
    assert.notDeepEqual(w.toArray(), before, 'the optimizer stepped');
    assert.ok(figures['loss']! > 0 && figures['gradNorm']! > 0.01, 'gradNorm is the norm before clipping');
    assert.ok(!('gradNorm' in task.trainStep(batch, stepContext(1, null))), 'no clipping, no gradNorm');
    batch.videos.dispose();
    task.dispose();
  }));

test('latent shift and scale: mean and 1/std of the first batch\'s latents, recorded in describe()', () =>
  assertNoLeak(() => {
    const task = makeTask('eps');
    const batch = tinyBatch();
    assert.equal(task.describe()['latentScale'], 'auto');
    const z = T.tidy(() => tinyAe().encode(batch.videos).toArray());
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const std = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / (z.length - 1));
    const { shift, scale } = task.calibrate(batch.videos, batch.ids);
    assertClose([shift, scale], [mean, 1 / std], 1e-5, 1e-5);
    assert.equal(task.describe()['latentScale'], scale);
    assert.equal(task.describe()['latentShift'], shift);
    const other = tinyBatch(2, 1);
    T.tidy(() => assert.deepEqual(task.calibrate(other.videos.mulScalar(3)), { shift, scale }, 'estimated once'));
    for (const b of [batch, other]) b.videos.dispose();
    task.dispose();
    // Fixed values are kept; only the 'auto' one is estimated.
    const fixed = createDiffusionTask({ arch: 'mlp', model: diffusionDefaults('mlp', 'micro').model, input: INPUT, ae: tinyAe(), conditioner: tinyText(), lr: 1e-3, options: { latentScale: 2 } });
    const b2 = tinyBatch();
    const got = fixed.calibrate(b2.videos);
    assert.equal(got.scale, 2);
    assertClose([got.shift], [mean], 1e-5, 1e-5);
    b2.videos.dispose();
    fixed.dispose();
  }));

test('condition dropout trains the null condition (p = 1) and leaves it alone at p = 0', () =>
  assertNoLeak(() => {
    for (const p of [1, 0]) {
      T.manualSeed(2);
      const task = makeTask('eps', p);
      perturb(task.denoiser.parameters(), 4);
      const batch = tinyBatch();
      task.trainStep(batch, stepContext(0, null));
      const grads = ['cond.null_cond.states', 'cond.null_cond.pooled'].map((k) => task.denoiser.getParameter(k).grad);
      const norm = grads.reduce((s, g) => s + (g ? T.tidy(() => g.abs().sum().item()) : 0), 0);
      grads.forEach((g) => g?.dispose());
      if (p === 1) assert.ok(norm > 0, 'p = 1: the null condition gets gradients');
      else assert.equal(norm, 0, 'p = 0: the null condition is never used');
      batch.videos.dispose();
      task.dispose();
    }
  }));

test('latents are encoded once per video id', () =>
  assertNoLeak(() => {
    const task = makeTask('flow');
    let encoded = 0;
    const encode = task.ae.encode.bind(task.ae);
    task.ae.encode = (x) => ((encoded += x.size(0)), encode(x));
    for (const [n, off] of [[3, 0], [4, 0], [2, 3]] as const) {
      const b = tinyBatch(n, off);
      task.trainStep(b, stepContext(0, 1));
      b.videos.dispose();
    }
    assert.equal(encoded, 4, 'videos 0–2 on the first batch (calibration fills the cache), video-3 on the second, none on the third');
    task.dispose();
  }));

test('validate is deterministic and does not touch libtorch\'s generator', async () =>
  assertNoLeak(async () => {
    const task = makeTask('v');
    perturb(task.denoiser.parameters(), 5);
    const a = await task.validate(batches([tinyBatch(), tinyBatch(2, 1)]));
    T.manualSeed(9);
    const b = await task.validate(batches([tinyBatch(), tinyBatch(2, 1)]));
    const next = T.tidy(() => T.randn([3]).toArray());
    T.manualSeed(9);
    assert.deepEqual(T.tidy(() => T.randn([3]).toArray()), next);
    assert.equal(a['loss'], b['loss']);
    assert.ok(a['loss']! > 0);
    task.dispose();
  }));

test('describe() rebuilds the denoiser; with the weights loaded it computes the same', () =>
  assertNoLeak(() => {
    const task = makeTask('v');
    perturb(task.denoiser.parameters(), 6);
    const desc = JSON.parse(JSON.stringify(task.describe())) as Record<string, unknown>;
    assert.equal(task.kind, 'diffusion/dit');
    assert.equal(desc['objective'], 'v');
    assert.deepEqual(desc['latentShape'], [1, 2, 4, 4]);
    assert.equal(desc['conditioner'], 'hash-text-stand-in');
    assert.equal((desc['scheduler'] as Record<string, unknown>)['predictionType'], 'v_prediction');
    const copy = denoiserFromDescription(desc);
    const sd = task.denoiser.stateDict();
    copy.loadStateDict(sd);
    for (const v of sd.values()) v.dispose();
    T.tidy(() => {
      const x = T.randn([2, 1, 2, 4, 4]);
      const cond = tinyText().encode(['a b', 'c']);
      const t = T.tensor([5, 600]);
      assert.deepEqual(copy.forward(x, t, cond).toArray(), task.denoiser.forward(x, t, cond).toArray());
    });
    copy.dispose();
    task.dispose();
  }));

test('training steps leak nothing (after the optimizer state exists)', () => {
  const task = makeTask('flow');
  const batch = tinyBatch();
  task.trainStep(batch, stepContext(0, 1));
  assertNoLeak(() => {
    for (let i = 1; i < 3; i++) task.trainStep(batch, stepContext(i, 1));
  });
  batch.videos.dispose();
  task.dispose();
});

test('a tiny DiT overfits four latents: the validation loss falls by more than a quarter in 60 steps', async () =>
  assertNoLeak(async () => {
    T.manualSeed(0);
    const task = makeTask('eps', 0.1, 3e-3);
    const fixed = async (): Promise<number> => (await task.validate(batches([tinyBatch(), tinyBatch(), tinyBatch()])))['loss']!;
    const before = await fixed();
    const batch = tinyBatch();
    for (let i = 0; i < 60; i++) task.trainStep(batch, stepContext(i, 1));
    const after = await fixed();
    assert.ok(after < 0.75 * before, `validation loss ${before.toFixed(3)} → ${after.toFixed(3)}`);
    batch.videos.dispose();
    task.dispose();
  }));
