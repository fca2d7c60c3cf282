import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { createAlignTask, ALIGN_METHODS } from '../../src/align/methods.js';
import { NoiseWords } from '../../src/align/noise-words.js';
import type { FrozenParts } from '../../src/align/base.js';
import { assertNoLeak } from '../helpers/leak.js';
import { CAPTIONS, FakeAe, FakeConditioner, INPUT, ctx, makeBatch } from './fakes.js';

const SMALL = { hidden: 32, sharedDim: 8, dropout: 0, lr: 1e-3 };

function parts(ae = new FakeAe(), conditioner = new FakeConditioner()): FrozenParts {
  T.manualSeed(0);
  return { ae, conditioner, input: INPUT, trainSize: 16, noise: NoiseWords.fromCorpus(CAPTIONS) };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A (n, d) tensor as n rows of d numbers. */
function rowsOf(t: T.Tensor): number[][] {
  const [n, d] = t.shape as [number, number];
  const flat = Array.from(t.toFloat32Array());
  return Array.from({ length: n }, (_, i) => flat.slice(i * d, (i + 1) * d));
}

/** Per-column mean and population std of rows (n, d), worked in plain JS. */
function columnStats(rows: number[][]): { mu: number[]; sd: number[] } {
  const d = rows[0]!.length;
  const mu = Array.from({ length: d }, (_, j) => mean(rows.map((r) => r[j]!)));
  const sd = Array.from({ length: d }, (_, j) => Math.sqrt(mean(rows.map((r) => (r[j]! - mu[j]!) ** 2))));
  return { mu, sd };
}

/** (z − μ)/σ per column, as a tensor (n, d). */
function standardized(z: T.Tensor): T.Tensor {
  const rows = rowsOf(z);
  const { mu, sd } = columnStats(rows);
  return T.tensor(rows.map((r) => r.map((v, j) => (v - mu[j]!) / sd[j]!)));
}

for (const method of ALIGN_METHODS) {
  test(`${method}: trainStep reduces its loss over 30 steps on a fixed batch, without leaking`, () => {
    const ae = method === 'codi' ? new FakeAe('unet3d', [2, 2, 2]) : new FakeAe();
    const task = createAlignTask(method, parts(ae), SMALL);
    const batch = makeBatch();
    try {
      const losses: number[] = [task.trainStep(batch, ctx(0)).loss!];
      assertNoLeak(() => {
        for (let s = 1; s < 30; s++) {
          const r = task.trainStep(batch, ctx(s));
          assert.ok(Number.isFinite(r.loss), `step ${s}: loss ${r.loss}`);
          losses.push(r.loss!);
        }
      });
      const first = mean(losses.slice(0, 3));
      const last = mean(losses.slice(-3));
      assert.ok(last < first - 0.05 * Math.abs(first), `${method}: loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
      // Generation: z_v of the AE's latent shape, video of the input shape, nothing leaked.
      assertNoLeak(() => {
        const z = task.generateLatents(['digit 0 is moving up and down', 'digit 3 is moving left and right']);
        assert.deepEqual(z.shape, [2, ...ae.shape]);
        const v = task.generate(['digit 0 is moving up and down']);
        assert.deepEqual(v.shape, [1, ...INPUT]);
        z.dispose();
        v.dispose();
      });
    } finally {
      batch.videos.dispose();
      task.dispose();
      ae.dispose();
    }
  });
}

test('latents are encoded once per training video and read from the cache afterwards', () => {
  const ae = new FakeAe();
  const task = createAlignTask('progressive-bucket', parts(ae), SMALL);
  const batch = makeBatch();
  try {
    task.trainStep(batch, ctx(0));
    assert.equal(ae.encodedRows, 16);
    task.trainStep(batch, ctx(1));
    task.trainStep(batch, ctx(2));
    assert.equal(ae.encodedRows, 16, 'the cache served later steps');
    // The codes the method sees are the frozen encoder's output, standardised per dimension over
    // the cached latents (here the batch's 16).
    const direct = T.tidy(() => rowsOf(standardized(task.encodeVideos(batch.videos))));
    assert.equal(task.cacheLatents(batch), 0);
    const cached = T.tidy(() => rowsOf((task as unknown as { batchLatents(b: typeof batch): T.Tensor }).batchLatents(batch)));
    cached.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - direct[i]![j]!) < 1e-4, `[${i}, ${j}] ${v} vs ${direct[i]![j]}`)));
    // A batch whose ids do not match the cached ones is refused.
    const other = { ...batch, ids: batch.ids.map((id) => `val-${id}`) };
    assert.throws(() => task.trainStep(other, ctx(3)), /holds video 'train-0' but the batch says 'val-train-0'/);
  } finally {
    batch.videos.dispose();
    task.dispose();
    ae.dispose();
  }
});

test('the alignment term sees the clean caption while the cost sees t̂ (noise p = 1, lr 0)', async () => {
  const { bucketLoss } = await import('../../src/align/bucket-loss.js');
  const ae = new FakeAe();
  const p = parts(ae);
  p.noise = NoiseWords.fromCorpus(CAPTIONS, { p: 1 });
  const task = createAlignTask('progressive-bucket', p, { ...SMALL, lr: 0 }) as unknown as import('../../src/align/progressive.js').ProgressiveTask;
  const batch = makeBatch();
  try {
    const r = task.trainStep(batch, ctx(0));
    const clean = T.tidy(() => T.noGrad(() => bucketLoss(task.mapping.forward(task.textFeatures(batch.captions)), task.sharedEncoder.forward(standardized(task.encodeVideos(batch.videos))), batch.buckets, { negatives: 'mean' }).item()));
    assert.ok(Math.abs(r.align! - clean) < 1e-5, `align ${r.align} vs clean-caption bucket loss ${clean}`);
    // ... and the shared term used the noisy captions: with clean ones it would differ.
    const sharedClean = T.tidy(() => T.noGrad(() => T.l1Loss(task.sharedEncoder.forward(standardized(task.encodeVideos(batch.videos))), task.mapping.forward(task.textFeatures(batch.captions))).item()));
    assert.ok(Math.abs(r.shared! - sharedClean) > 1e-4, 'the shared term should see t̂');
    assert.deepEqual(Array.from(batch.buckets), Array.from({ length: 16 }, (_, i) => i % 4), 'bucket ids unchanged');
  } finally {
    batch.videos.dispose();
    task.dispose();
    ae.dispose();
  }
});

test('the pixel term decodes pixelSamples videos on every pixelEvery-th step', () => {
  const ae = new FakeAe();
  const task = createAlignTask('progressive-bucket', parts(ae), { ...SMALL, pixelSamples: 3, pixelEvery: 2 });
  const batch = makeBatch();
  try {
    const has = [0, 1, 2, 3].map((s) => 'pixel' in task.trainStep(batch, ctx(s)));
    assert.deepEqual(has, [true, false, true, false]);
    assert.deepEqual(ae.decodedBatches, [3, 3, 3, 3], 'two decodes (G_s(z1), G_s(z2)) of 3 videos on steps 0 and 2');
  } finally {
    batch.videos.dispose();
    task.dispose();
    ae.dispose();
  }
});

test('BYOL target is an EMA of E_s: θ̄ ← 0.99 θ̄ + 0.01 θ after each step', () => {
  const ae = new FakeAe();
  const task = createAlignTask('byol', parts(ae), SMALL);
  const batch = makeBatch();
  const mods = task.modules();
  const flat = (m: import('../../src/nn/index.js').Module) => T.tidy(() => m.parameters().flatMap((p) => p.toArray()));
  try {
    task.trainStep(batch, ctx(0));
    const before = flat(mods.byol_target!);
    task.trainStep(batch, ctx(1));
    const online = flat(mods.shared_encoder!);
    const after = flat(mods.byol_target!);
    let maxErr = 0;
    before.forEach((b, i) => (maxErr = Math.max(maxErr, Math.abs(after[i]! - (0.99 * b + 0.01 * online[i]!)))));
    assert.ok(maxErr < 1e-6, `max deviation ${maxErr}`);
    assert.ok(after.some((v, i) => Math.abs(v - online[i]!) > 1e-6), 'the target is not a copy of E_s');
    assert.ok(mods.byol_target!.parameters().every((p) => !p.requiresGrad));
  } finally {
    batch.videos.dispose();
    task.dispose();
    ae.dispose();
  }
});

test('describe() records method, dims, weights, conditioner and AE run; modules have fixed names', () => {
  const ae = new FakeAe();
  const p = { ...parts(ae), aeRun: '/runs/ae-1', conditionerSpec: { kind: 'text' as const, dir: '/runs/text-1' } };
  const task = createAlignTask('imagebind', p, SMALL);
  try {
    const d = task.describe();
    assert.equal(task.kind, 'align/imagebind');
    assert.equal(d.method, 'imagebind');
    assert.deepEqual(d.dims, { text: 12, shared: 8, video: 8, latentShape: [8], input: INPUT });
    assert.deepEqual(d.weights, { lambdaShared: 100, lambdaFeat: 10, lambdaPixel: 30, lambdaDiv: 5 });
    assert.deepEqual(d.conditioner, { name: 'fake-bag-of-words', spec: { kind: 'text', dir: '/runs/text-1' } });
    assert.equal((d.ae as { run: string }).run, '/runs/ae-1');
    assert.equal(d.maps, 'linear');
    assert.deepEqual(d.align, { kind: 'infonce', temperature: 0.07 });
    assert.deepEqual(Object.keys(task.modules()), ['mapping', 'shared_encoder', 'shared_decoder', 'shared_disc', 'latent_norm']);
    assert.deepEqual(Object.keys(task.optimizers()), ['gen', 'disc']);
  } finally {
    task.dispose();
    ae.dispose();
  }
});

/** Flat copies of a module's parameters. */
const snapshot = (m: { parameters(): T.Tensor[] }): number[][] => m.parameters().map((p) => Array.from(p.toFloat32Array()));

test("sharedTarget: 'video' detaches z1 in λ_s‖z1 − z2‖₁ (only M moves); 'both' moves E_s too", () => {
  for (const [target, esMoves] of [['video', false], ['both', true]] as const) {
    const ae = new FakeAe();
    // Only the λ_s term: the other weights are 0, so any change of E_s comes from that term.
    const task = createAlignTask('progressive-bucket', parts(ae), { ...SMALL, lambdaFeat: 0, lambdaPixel: 0, lambdaDiv: 0, sharedTarget: target }) as unknown as import('../../src/align/progressive.js').ProgressiveTask;
    const batch = makeBatch();
    try {
      const es0 = snapshot(task.sharedEncoder);
      const m0 = snapshot(task.mapping);
      task.trainStep(batch, ctx(0));
      const changed = (a: number[][], b: number[][]) => a.some((x, i) => x.some((v, k) => v !== b[i]![k]));
      assert.equal(changed(es0, snapshot(task.sharedEncoder)), esMoves, `E_s with sharedTarget '${target}'`);
      assert.equal(changed(m0, snapshot(task.mapping)), true, `M with sharedTarget '${target}'`);
      assert.equal((task.describe() as { sharedTarget: string }).sharedTarget, target);
    } finally {
      batch.videos.dispose();
      task.dispose();
      ae.dispose();
    }
  }
});

test('user errors: codi needs a unet3d AE, unknown methods and options are named', () => {
  const ae = new FakeAe();
  try {
    assert.throws(() => createAlignTask('codi', parts(ae), SMALL), /codi.*'conv3d-base'.*unet3d/);
    assert.throws(() => createAlignTask('progressive', parts(ae), SMALL), /unknown alignment method 'progressive'; valid: progressive-bucket, clip-infonce/);
    assert.throws(() => createAlignTask('byol', parts(ae), { ...SMALL, hiddn: 3 } as never), /align option 'hiddn' is unknown/);
    assert.throws(() => createAlignTask('progressive-bucket', parts(ae), { ...SMALL, bucketNegatives: 'all' } as never), /align option 'bucketNegatives' must be one of 'paper', 'mean', got "all"/);
    assert.throws(() => createAlignTask('progressive-bucket', parts(ae), { ...SMALL, sharedTarget: 1 } as never), /align option 'sharedTarget' must be one of 'video', 'both', got 1/);
  } finally {
    ae.dispose();
  }
});

test("latentNorm: μ and σ of the cached training latents are fitted at the first step and saved; generation decodes u·σ + μ; 'none' keeps raw z_v", () => {
  for (const mode of ['standardize', 'none'] as const) {
    const ae = new FakeAe();
    const task = createAlignTask('nonprog-bucket', parts(ae), { ...SMALL, latentNorm: mode }) as unknown as import('../../src/align/nonprogressive.js').NonProgressiveTask;
    const batch = makeBatch();
    try {
      task.trainStep(batch, ctx(0));
      const mods = task.modules();
      const texts = ['digit 0 is moving up and down', 'digit 3 is moving left and right'];
      const gen = T.tidy(() => rowsOf(task.generateLatents(texts)));
      task.mapping.eval();
      const u = T.tidy(() => T.noGrad(() => rowsOf(task.mapping.forward(task.textFeatures(texts)))));
      if (mode === 'none') {
        assert.ok(!('latent_norm' in mods));
        gen.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - u[i]![j]!) < 1e-6)));
        continue;
      }
      const { mu, sd } = T.tidy(() => columnStats(rowsOf(task.encodeVideos(batch.videos))));
      const sdict = mods.latent_norm!.stateDict();
      try {
        assert.deepEqual([...sdict.keys()], ['mean', 'std', 'count']);
        const m = Array.from(sdict.get('mean')!.toFloat32Array());
        const s = Array.from(sdict.get('std')!.toFloat32Array());
        m.forEach((v, j) => assert.ok(Math.abs(v - mu[j]!) < 1e-5, `mean[${j}] ${v} vs ${mu[j]}`));
        s.forEach((v, j) => assert.ok(Math.abs(v - sd[j]!) < 1e-5, `std[${j}] ${v} vs ${sd[j]}`));
        assert.equal(sdict.get('count')!.item(), 16);
      } finally {
        for (const t of sdict.values()) t.dispose();
      }
      gen.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - (u[i]![j]! * sd[j]! + mu[j]!)) < 1e-4, `gen[${i}][${j}] ${v}`)));
      // Fitted once: a later step with other latents leaves the statistics alone.
      task.trainStep(batch, ctx(1));
      assert.equal(T.tidy(() => mods.latent_norm!.stateDict().get('count')!.item()), 16);
    } finally {
      batch.videos.dispose();
      task.dispose();
      ae.dispose();
    }
  }
});
