// The autoencoder training tasks (src/models/ae/wae-task.ts, index.ts): model-key validation,
// module/optimizer layout, gradient isolation between autoencoder and discriminators, the step
// contract (syncGrads before stepping, clipping), micro trainings that lower the reconstruction
// loss, validation and leak checks; the optional VGG19 perceptual term (fixture test/fixtures/vgg19-tiny).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as T from '../../../src/tensor/index.js';
import { AE_ARCHS, PRESETS, aeSpec, createAeTask } from '../../../src/models/ae/index.js';
import { clampedTowards, gradientDifference } from '../../../src/models/ae/wae-task.js';
import type { StepContext } from '../../../src/train/types.js';
import type { Batch } from '../../../src/data/loader.js';
import type { AttributeProbe } from '../../../src/metrics/types.js';
import { videosFromTensor } from '../../../src/media/tensor-video.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { INPUT, METRICS, TINY, assertAddsTerm, movingSquares, psnrInline } from './tiny.js';

const VGG_FIXTURE = fileURLToPath(new URL('../../../../test/fixtures/vgg19-tiny', import.meta.url));

T.setNumThreads(1);

const batchOf = (videos: T.Tensor): Batch => ({ videos, captions: [], buckets: new Int32Array(videos.size(0)), attributes: [], ids: [], indices: [] });
const ctxAt = (step: number, clipNorm: number | null = 5, sync: (p: T.Tensor[]) => void = () => undefined): StepContext => ({ step, epoch: 0, syncGrads: sync, clipNorm });

test('model keys are validated: unknown keys, wrong kinds and bad values name model.<key>', () =>
  assertNoLeak(() => {
    const spec = aeSpec('conv3d-base');
    const mk = (m: Record<string, unknown>) => () => spec.createTask({ ...TINY['conv3d-base'], ...m }, INPUT, { lr: 1e-3, clipNorm: 5 });
    assert.throws(mk({ bogus: 1 }), /model\.bogus: unknown key for ae\/conv3d-base; valid keys: latentDim, channels/);
    assert.throws(mk({ latentDim: 'big' }), /model\.latentDim: expected a finite number, got "big"/);
    assert.throws(mk({ channels: 8 }), /model\.channels: expected a list of numbers, got 8/);
    assert.throws(mk({ temporalStrides: [2] }), /model\.temporalStrides: needs one entry per stage \(2\)/);
    assert.throws(mk({ temporalStrides: [2, 4] }), /model\.temporalStrides: each must be 1 or 2/);
    assert.throws(mk({ channels: [4, 8, 16, 32, 64], temporalStrides: [1, 1, 1, 1, 1] }), /model\.channels: 5 stride-2 stages need H and W divisible by 32/);
    assert.throws(mk({ outputAct: 'sigmoid' }), /model\.outputAct: must be 'tanh' or 'none'/);
    assert.throws(mk({ klWeight: -1 }), /model\.klWeight: must be ≥ 0, got -1/);
    assert.throws(mk({ discLayers: 0 }), /model\.discLayers: must be an integer ≥ 1, got 0/);
    assert.throws(() => createAeTask('unet3d', { ...TINY.unet3d, latent: 'grid' }, INPUT, { lr: 1e-3 }, METRICS), /model\.latent: must be 'vector' or 'spatial'/);
    assert.throws(() => createAeTask('causal-vae', { ...TINY['causal-vae'], spatialCompression: 8 }, INPUT, { lr: 1e-3 }, METRICS), /model\.channelMult: spatialCompression 8 needs 4 levels, got 3/);
    assert.throws(() => createAeTask('causal-vae', { ...TINY['causal-vae'], pad: 'mirror' }, INPUT, { lr: 1e-3 }, METRICS), /model\.pad: must be 'replicate' or 'zeros'/);
    assert.throws(() => aeSpec('vqgan'), /unknown autoencoder architecture 'vqgan'; valid: conv3d-base, unet3d, causal-vae/);
    assert.throws(() => spec.defaults('huge' as never), /unknown preset 'huge' for ae\/conv3d-base; valid: micro, quick, paper/);
  }));

test('presets: every preset of every arch has the same (valid) model keys; micro builds at 64×64×16', () =>
  assertNoLeak(() => {
    for (const arch of AE_ARCHS) {
      const spec = aeSpec(arch);
      const keys = Object.keys(spec.defaults('micro').model).sort();
      for (const p of PRESETS) {
        const d = spec.defaults(p);
        assert.deepEqual(Object.keys(d.model).sort(), keys, `${arch}/${p}`);
        for (const k of ['steps', 'batchSize', 'lr', 'clipNorm']) assert.equal(typeof d.train[k], 'number', `${arch}/${p} train.${k}`);
      }
      const task = spec.createTask(spec.defaults('micro').model, [1, 16, 64, 64], { lr: 1e-3, clipNorm: 5 });
      assert.equal(task.kind, `ae/${arch}`);
      task.dispose();
    }
    assert.deepEqual(aeSpec('conv3d-base').defaults('paper').model.latentDim, 64);
    assert.deepEqual(aeSpec('unet3d').defaults('paper').model.latentDim, 128);
    assert.deepEqual(aeSpec('causal-vae').defaults('paper').model.latentChannels, 16);
  }));

test('modules, optimizers and EMA modules follow the loss weights', () =>
  assertNoLeak(() => {
    const names = (arch: string, extra: Record<string, unknown> = {}): string[] => {
      const task = createAeTask(arch, { ...TINY[arch as 'unet3d'], ...extra }, INPUT, { lr: 1e-3 }, METRICS);
      const r = Object.keys(task.modules());
      assert.deepEqual(Object.keys(task.optimizers()), r);
      assert.deepEqual(Object.keys(task.emaModules()), ['ae']);
      task.dispose();
      return r;
    };
    assert.deepEqual(names('conv3d-base'), ['ae', 'disc_v', 'disc_z']);
    assert.deepEqual(names('conv3d-base', { latentWeight: 0 }), ['ae', 'disc_v']);
    assert.deepEqual(names('unet3d'), ['ae']);
    assert.deepEqual(names('unet3d', { advWeight: 1 }), ['ae', 'disc_v']);
    assert.deepEqual(names('causal-vae'), ['ae']);
  }));

test('autoencoder losses reach E_v and G only; discriminator losses reach D_v and D_z only', () =>
  assertNoLeak(() => {
    T.manualSeed(7);
    const task = createAeTask('conv3d-base', TINY['conv3d-base'], INPUT, { lr: 1e-3 }, METRICS);
    const x = movingSquares(2);
    const hasGrad = (m: { parameters(): T.Tensor[] }): boolean[] => m.parameters().map((p) => {
      const g = p.grad;
      g?.dispose();
      return g !== null;
    });
    const mods = task.modules();
    T.tidy(() => {
      const { ae, disc } = task.losses(x, true);
      ae.backward({ retainGraph: true });
      assert.ok(hasGrad(mods.ae!).every(Boolean), 'every autoencoder parameter gets a gradient');
      assert.ok(!hasGrad(mods.disc_v!).some(Boolean), 'D_v got a gradient from the autoencoder loss');
      assert.ok(!hasGrad(mods.disc_z!).some(Boolean), 'D_z got a gradient from the autoencoder loss');
      for (const m of Object.values(mods)) m.zeroGrad();
      disc!.backward();
      assert.ok(!hasGrad(mods.ae!).some(Boolean), 'the autoencoder got a gradient from the discriminator losses');
      assert.ok(hasGrad(mods.disc_v!).every(Boolean) && hasGrad(mods.disc_z!).every(Boolean), 'every discriminator parameter gets a gradient');
      for (const m of Object.values(mods)) m.zeroGrad();
    });
    x.dispose();
    task.dispose();
  }));

test('trainStep: syncGrads gets each network\'s parameters once, gradients are clipped, D_v waits for discStart', () =>
  assertNoLeak(() => {
    T.manualSeed(8);
    const task = createAeTask('conv3d-base', { ...TINY['conv3d-base'], discStart: 1 }, INPUT, { lr: 1e-3 }, METRICS);
    const x = movingSquares(2);
    const synced: number[] = [];
    const sync = (ps: T.Tensor[]): void => {
      for (const p of ps) {
        const g = p.grad;
        assert.ok(g !== null || ps === task.discV?.parameters(), 'syncGrads is called after backward');
        g?.dispose();
      }
      synced.push(ps.length);
    };
    const mods = task.modules();
    const count = (k: string): number => mods[k]!.parameters().length;
    const f0 = task.trainStep(batchOf(x), ctxAt(0, 0.01, sync));
    assert.deepEqual(synced, [count('ae'), count('disc_z')], 'step 0: D_v sits out before discStart');
    assert.ok(!('d_v' in f0) && 'd_z' in f0 && 'lat' in f0 && f0.gnorm_ae! > 0.01, JSON.stringify(f0));
    synced.length = 0;
    const f1 = task.trainStep(batchOf(x), ctxAt(1, null, sync));
    assert.deepEqual(synced, [count('ae'), count('disc_v'), count('disc_z')]);
    for (const k of ['l1', 'feat', 'adv', 'd_v', 'lat', 'd_z', 'loss']) assert.ok(Number.isFinite(f1[k]), `${k}: ${f1[k]}`);
    assert.ok(!('gnorm_ae' in f1), 'no clipping when clipNorm is null');
    for (const m of Object.values(mods)) for (const p of m.parameters()) assert.equal(p.grad, null, 'gradients are cleared after the step');
    x.dispose();
    task.dispose();
  }));

test('l1Start: before it the loss is the squared error alone, from it L1 joins with its weight', () =>
  assertNoLeak(() => {
    T.manualSeed(9);
    const model = { ...TINY['conv3d-base'], featWeight: 0, advWeight: 0, latentWeight: 0, l1Weight: 10, l2Weight: 3, l1Start: 2, samplePosterior: false };
    const task = createAeTask('conv3d-base', model, INPUT, { lr: 1e-3 }, METRICS);
    const x = movingSquares(2);
    T.tidy(() => {
      for (const useL1 of [false, true]) {
        const { ae, disc, parts } = task.losses(x, false, useL1);
        assert.equal(disc, null, 'no discriminators at these weights');
        const expected = parts.l2!.item() * 3 + (useL1 ? parts.l1!.item() * 10 : 0);
        assert.ok(Math.abs(ae.item() - expected) < 1e-5 * Math.max(1, expected), `useL1=${useL1}: ${ae.item()} vs ${expected}`);
      }
    });
    // trainStep passes step >= l1Start: the logged loss is 3·L2 at step 1, 3·L2 + 10·L1 at step 2.
    const f1 = task.trainStep(batchOf(x), ctxAt(1));
    assert.ok(Math.abs(f1.loss! - 3 * f1.l2!) < 1e-5, JSON.stringify(f1));
    const f2 = task.trainStep(batchOf(x), ctxAt(2));
    assert.ok(Math.abs(f2.loss! - 3 * f2.l2! - 10 * f2.l1!) < 1e-4, JSON.stringify(f2));
    x.dispose();
    task.dispose();
  }));

test('clampedTowards: the decoded (clamped) value, raw where the clamp would stop the gradient towards the target', () =>
  assertNoLeak(() => {
    T.tidy(() => {
      const y = T.tensor([-0.2, -0.2, 0.5, 1.3, 1.3, -0.1]).requiresGrad_(true);
      const x = T.tensor([0, 0.5, 0.4, 1, 0.7, 0]);
      const c = clampedTowards(y, x);
      // below 0 with target 0: clamped; below 0 with target 0.5: raw; inside: raw; above 1 with
      // target 1: clamped; above 1 with target 0.7: raw.
      assert.deepEqual([...c.toFloat32Array()].map((v) => Math.round(v * 100) / 100), [0, -0.2, 0.5, 1, 1.3, 0]);
      c.sum().backward();
      const g = y.grad!;
      assert.deepEqual([...g.toFloat32Array()], [0, 1, 1, 0, 1, 0], 'gradient flows exactly where the value is raw');
      g.dispose();
    });
  }));

test('decodedStart: from that step the pixel loss is that of the clamped output', () =>
  assertNoLeak(() => {
    T.manualSeed(10);
    const model = { ...TINY['conv3d-base'], featWeight: 0, advWeight: 0, latentWeight: 0, l1Weight: 0, l2Weight: 1, decodedStart: 1, samplePosterior: false };
    const task = createAeTask('conv3d-base', model, INPUT, { lr: 1e-3 }, METRICS);
    const x = movingSquares(2);
    T.tidy(() => {
      const raw = task.ae.decodeRaw(task.ae.posterior(x).mean).addScalar(1).mulScalar(0.5); // y on [0, 1]
      const expectRaw = raw.sub(x).square().mean().item();
      const expectDecoded = clampedTowards(raw, x).sub(x).square().mean().item();
      assert.ok(Math.abs(task.losses(x, false, true, false).parts.l2!.item() - expectRaw) < 1e-6);
      assert.ok(Math.abs(task.losses(x, false, true, true).parts.l2!.item() - expectDecoded) < 1e-6);
      assert.ok(expectDecoded <= expectRaw, 'clamping towards [0, 1] never moves a value away from a target in [0, 1]');
    });
    assert.throws(() => createAeTask('conv3d-base', { ...model, decodedStart: -2 }, INPUT, { lr: 1e-3 }, METRICS), /model\.decodedStart: must be an integer step ≥ 0, or −1 for never, got -2/);
    x.dispose();
    task.dispose();
  }));

test('inkWeight: each pixel\'s L1 and squared error is weighted by 1 + inkWeight·max(x, clamped y)', () =>
  assertNoLeak(() => {
    T.manualSeed(11);
    const model = { ...TINY['conv3d-base'], featWeight: 0, advWeight: 0, latentWeight: 0, l1Weight: 2, l2Weight: 5, inkWeight: 3, samplePosterior: false };
    const task = createAeTask('conv3d-base', model, INPUT, { lr: 1e-3 }, METRICS);
    const x = movingSquares(2);
    T.tidy(() => {
      const y = [...task.ae.decodeRaw(task.ae.posterior(x).mean).addScalar(1).mulScalar(0.5).toFloat32Array()]; // y on [0, 1]
      const xs = [...x.toFloat32Array()];
      let l1 = 0;
      let l2 = 0;
      let plain = 0;
      for (let i = 0; i < xs.length; i++) {
        const w = 1 + 3 * Math.max(xs[i]!, Math.min(1, Math.max(0, y[i]!)));
        plain += Math.abs(y[i]! - xs[i]!) / xs.length;
        l1 += w * Math.abs(y[i]! - xs[i]!);
        l2 += w * (y[i]! - xs[i]!) ** 2;
      }
      l1 /= xs.length;
      l2 /= xs.length;
      const { ae, parts } = task.losses(x, false, true, false);
      assert.ok(Math.abs(parts.l1!.item() - l1) < 1e-5 * l1, `weighted L1 ${parts.l1!.item()} vs ${l1}`);
      assert.ok(Math.abs(parts.l2!.item() - l2) < 1e-5 * l2, `weighted L2 ${parts.l2!.item()} vs ${l2}`);
      assert.ok(Math.abs(ae.item() - (2 * l1 + 5 * l2)) < 1e-5 * (2 * l1 + 5 * l2));
      assert.ok(xs.some((v) => v > 0.5) && l1 > 1.1 * plain, `the ink pixels weigh more: weighted ${l1} vs plain ${plain}`);
    });
    assert.throws(() => createAeTask('conv3d-base', { ...model, inkWeight: -1 }, INPUT, { lr: 1e-3 }, METRICS), /model\.inkWeight: must be ≥ 0, got -1/);
    x.dispose();
    task.dispose();
  }));

test('gradientDifference: Mathieu et al.\'s eq. 5 (α = 1) on a 3×3 frame, worked by hand; gdlWeight adds it to the loss', () =>
  assertNoLeak(() => {
    T.tidy(() => {
      // x: one vertical stroke in the middle column; y: the same column half as bright, plus a
      // stray pixel at the top left. Shapes (1, 1, 1, 3, 3).
      const x = T.tensor([0, 1, 0, 0, 1, 0, 0, 1, 0]).reshape([1, 1, 1, 3, 3]);
      const y = T.tensor([0.5, 0.5, 0, 0, 0.5, 0, 0, 0.5, 0]).reshape([1, 1, 1, 3, 3]);
      // Vertical |Δ| (rows i vs i−1), 6 pairs: x all 0; y: column 0 |0 − 0.5| = 0.5 once, others 0
      //   → mean |0 − |Δy|| = 0.5 / 6.
      // Horizontal |Δ| (columns j vs j−1), 6 pairs: x rows give 1, 1 in each row;
      //   y row 0: |0.5 − 0.5| = 0, |0 − 0.5| = 0.5; rows 1, 2: 0.5, 0.5 → diffs 1, 0.5, 0.5, 0.5, 0.5, 0.5 = 3.5 / 6.
      const want = 0.5 / 6 + 3.5 / 6;
      assert.ok(Math.abs(gradientDifference(y, x).item() - want) < 1e-6, `${gradientDifference(y, x).item()} vs ${want}`);
      assert.equal(gradientDifference(x, x).item(), 0);
      // A constant offset has the same gradients: no GDL.
      assert.ok(Math.abs(gradientDifference(x.addScalar(0.25), x).item()) < 1e-7);
    });
    T.manualSeed(12);
    const model = { ...TINY['conv3d-base'], featWeight: 0, advWeight: 0, latentWeight: 0, l1Weight: 1, l2Weight: 0, gdlWeight: 7, samplePosterior: false };
    const task = createAeTask('conv3d-base', model, INPUT, { lr: 1e-3 }, METRICS);
    const x = movingSquares(2);
    T.tidy(() => {
      const { ae, parts } = task.losses(x, false, true, false);
      const y = task.ae.decodeRaw(task.ae.posterior(x).mean).addScalar(1).mulScalar(0.5);
      assert.ok(Math.abs(parts.gdl!.item() - gradientDifference(y, x).item()) < 1e-6);
      assert.ok(Math.abs(ae.item() - (parts.l1!.item() + 7 * parts.gdl!.item())) < 1e-5);
    });
    x.dispose();
    task.dispose();
  }));

/** L1 of the deterministic reconstruction (posterior mean) of x. */
function reconL1(task: ReturnType<typeof createAeTask>, x: T.Tensor): number {
  return T.noGrad(() => T.tidy(() => task.ae.decode(task.ae.encode(x)).sub(x).abs().mean().item()));
}

for (const arch of AE_ARCHS) {
  test(`micro training of ${arch} on moving squares lowers the reconstruction loss within 40 steps`, () =>
    assertNoLeak(() => {
      T.manualSeed(9);
      const task = createAeTask(arch, TINY[arch], INPUT, { lr: 2e-3 }, METRICS);
      const x = movingSquares(4);
      const before = reconL1(task, x);
      for (let s = 0; s < 40; s++) task.trainStep(batchOf(x), ctxAt(s));
      const after = reconL1(task, x);
      assert.ok(after < 0.5 * before, `${arch}: reconstruction L1 ${before.toFixed(4)} → ${after.toFixed(4)}`);
      x.dispose();
      task.dispose();
    }));
}

test('validate averages per-video PSNR/SSIM over all batches, frees them and restores training mode', async () =>
  assertNoLeak(async () => {
    T.manualSeed(10);
    const task = createAeTask('unet3d', TINY.unet3d, INPUT, { lr: 1e-3 }, METRICS);
    const videos = [movingSquares(3), movingSquares(2)];
    // The expected value, from the same (eval-mode) reconstruction scored by the inline PSNR.
    task.ae.eval();
    const want = T.noGrad(() => T.tidy(() => videos.flatMap((v) => [...psnrInline(task.ae.decode(task.ae.encode(v)), v)])));
    task.ae.train();
    async function* batches(): AsyncGenerator<Batch> {
      for (const v of videos) yield batchOf(v);
    }
    const r = await task.validate(batches());
    assert.ok(Math.abs(r.psnr! - want.reduce((a, b) => a + b, 0) / 5) < 1e-9, `${r.psnr} vs ${want}`);
    assert.equal(r.ssim, 0.5);
    assert.ok(videos.every((v) => v.isDisposed), 'validate disposes the batches it consumed');
    assert.equal(task.ae.training, true);
    await assert.rejects(task.validate((async function* () {})()), /validation got no videos/);
    task.dispose();
  }));

test('validate with aids: the probe judges each reconstruction against its caption, fvd_domain compares reconstructions with the real videos', async () =>
  assertNoLeak(async () => {
    T.manualSeed(11);
    const task = createAeTask('conv3d-base', TINY['conv3d-base'], INPUT, { lr: 1e-3 }, METRICS);
    const videos = [movingSquares(3), movingSquares(2)];
    const captions = ['digit 1 is moving up and down', 'digit 2 is moving up and down', 'digit 3 is moving left and right', 'digit 4 is moving up and down', 'digit 5 is moving up and down'];
    // What the aids must be shown: the eval-mode reconstructions and the inputs, as uint8 videos.
    task.ae.eval();
    const recon = T.noGrad(() => T.tidy(() => videos.flatMap((v) => videosFromTensor(task.ae.decode(task.ae.encode(v))))));
    const real = videos.flatMap((v) => videosFromTensor(v));
    task.ae.train();
    // A probe that answers 'digit 1 … up and down' for every video: right for videos 0, and the
    // motion (not the digit) for 1, 3 and 4 → attribute_accuracy 1/5, digit 1/5, motion 4/5.
    const seen: Uint8Array[] = [];
    const probe: AttributeProbe = {
      name: 'fake-probe',
      predict: (vs) => vs.map((v) => (seen.push(v.data), { digit0: '1', motion0: 'up and down' })),
      captionAttributes: (c) => {
        const m = /^digit (\d) is moving (.+)$/.exec(c);
        return m ? { digit0: m[1]!, motion0: m[2]! } : null;
      },
    };
    // A domain model whose video feature is the mean byte: the biased Fréchet distance of 1-D
    // features is (μ_g − μ_r)² + (σ_g − σ_r)².
    const meanByte = (d: Uint8Array): number => d.reduce((a, b) => a + b, 0) / d.length;
    const domain = {
      name: 'fake-domain',
      encodeVideos: (v: T.Tensor) => v.toDType('float32').meanDim([1, 2, 3, 4], { keepdim: false }).unsqueeze(1), // (B, T, H, W, 3) → (B, 1)
      encodeFrames: () => { throw new Error('not used'); },
      encodeTexts: () => { throw new Error('not used'); },
    };
    const stats = (xs: number[]): [number, number] => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return [m, Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length)];
    };
    const [mg, sg] = stats(recon.map((v) => meanByte(v.data)));
    const [mr, sr] = stats(real.map((v) => meanByte(v.data)));
    let k = 0;
    async function* batches(): AsyncGenerator<Batch> {
      for (const v of videos) {
        const n = v.size(0);
        const ids = Array.from({ length: n }, (_, i) => `v${k + i}`);
        yield { ...batchOf(v), captions: captions.slice(k, k + n), ids };
        k += n;
      }
    }
    const r = await task.validate(batches(), { probe, domain });
    assert.deepEqual(seen.map((d) => [...d]), recon.map((v) => [...v.data]), 'the probe saw the reconstructions, in order');
    assert.equal(r.attribute_accuracy, 1 / 5);
    assert.equal(r.attr_digit0, 1 / 5);
    assert.equal(r.attr_motion0, 4 / 5);
    const want = (mg - mr) ** 2 + (sg - sr) ** 2;
    assert.ok(Math.abs(r.fvd_domain! - want) < 1e-6 * Math.max(1, want), `fvd_domain ${r.fvd_domain} vs ${want}`);
    assert.ok(want > 0, 'the untrained AE changes the videos');
    assert.ok(Number.isFinite(r.psnr) && r.ssim === 0.5);
    task.dispose();
  }));

test('describe() gives the arch, input, resolved model config, latent shape and parameter counts', () =>
  assertNoLeak(() => {
    const task = createAeTask('causal-vae', TINY['causal-vae'], INPUT, { lr: 1e-3 }, METRICS);
    const d = task.describe();
    assert.equal(d.arch, 'causal-vae');
    assert.deepEqual(d.input, INPUT);
    assert.deepEqual(d.latentShape, [4, 3, 4, 4]);
    const model = d.model as Record<string, unknown>;
    assert.equal(model.baseChannels, 4);
    assert.equal(model.temporalCompression, 4);
    assert.equal(model.l1Weight, 10);
    assert.deepEqual(d.params, { ae: task.ae.numParameters() });
    task.dispose();
  }));

test('perceptual term: with model.vggDir the loss gains exactly perceptualWeight·perc; VGG19 gets no gradient, no optimizer, no checkpoint slot', () =>
  assertNoLeak(() => {
    assert.equal(aeSpec('conv3d-base').defaults('paper').model.perceptualWeight, 0.0025);
    assert.equal(aeSpec('conv3d-base').defaults('paper').model.vggDir, '');
    // D_v and D_z stay on (their noise is seeded alike); codes are the posterior mean.
    const model = { ...TINY['conv3d-base'], samplePosterior: false, perceptualWeight: 0.5 };
    T.manualSeed(11);
    const plain = createAeTask('conv3d-base', model, INPUT, { lr: 1e-3 }, METRICS);
    T.manualSeed(11);
    const task = createAeTask('conv3d-base', { ...model, vggDir: VGG_FIXTURE }, INPUT, { lr: 1e-3 }, METRICS);
    assert.equal(plain.vgg, null, 'no folder, no VGG');
    assert.ok(task.vgg !== null);
    assert.deepEqual(Object.keys(task.modules()), ['ae', 'disc_v', 'disc_z']);
    assert.equal((task.describe().model as Record<string, unknown>).vggDir, VGG_FIXTURE);
    const x = movingSquares(2);
    assertAddsTerm(plain, task, x, 'perc', 0.5, () => assert.ok(task.vgg!.parameters().every((p) => p.grad === null), 'a VGG19 weight got a gradient'));
    const f = task.trainStep(batchOf(x), ctxAt(0));
    assert.ok(typeof f.perc === 'number' && f.perc > 0, `perc is logged: ${JSON.stringify(f)}`);
    // A zero weight loads nothing; a bad folder fails when the task is built, saying what to download.
    const off = createAeTask('conv3d-base', { ...model, perceptualWeight: 0, vggDir: VGG_FIXTURE }, INPUT, { lr: 1e-3 }, METRICS);
    assert.equal(off.vgg, null);
    off.dispose();
    assert.throws(() => createAeTask('conv3d-base', { ...model, vggDir: '/nonexistent/vgg' }, INPUT, { lr: 1e-3 }, METRICS), /loadVgg19: folder '\/nonexistent\/vgg' does not exist; put torchvision's ImageNet VGG19 there/);
    assert.throws(() => createAeTask('conv3d-base', { ...model, vggDir: 3 }, INPUT, { lr: 1e-3 }, METRICS), /model\.vggDir: expected a string, got 3/);
    assert.throws(() => createAeTask('conv3d-base', { ...model, perceptualWeight: -1 }, INPUT, { lr: 1e-3 }, METRICS), /model\.perceptualWeight: must be ≥ 0, got -1/);
    x.dispose();
    plain.dispose();
    task.dispose();
  }));
