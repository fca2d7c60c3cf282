// Tests for src/models/domain-features.ts: the domain-feature perceptual term on a two-stage tower
// whose convolutions are the identity tap (weight 1 at the kernel centre) and whose BatchNorm holds
// its initial running statistics (mean 0, variance 1), so stage s computes
// f_s = SiLU(f_{s−1} / √(1 + ε)) from f_0 = 2x − 1, and the loss is worked in plain JS here;
// zero on itself; gradients reach y and never the tower; the AE task adds exactly
// domainFeatWeight·dfeat; the loader's errors name the key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { DomainModel, type DomainArch } from '../../src/domain/model.js';
import { Vocab } from '../../src/domain/vocab.js';
import { DomainFeatures, loadDomainFeatures } from '../../src/models/domain-features.js';
import { createAeTask } from '../../src/models/ae/index.js';
import { assertNoLeak } from '../helpers/leak.js';
import { INPUT, METRICS, TINY, assertAddsTerm, movingSquares } from './ae/tiny.js';

T.setNumThreads(1);

// One channel throughout, stride 1, input already at the tower's (frames, size, size).
const ARCH: DomainArch = {
  text: { width: 8, layers: 1, heads: 2, maxTokens: 16 },
  video: { inputChannels: 1, frames: 2, size: 4, channels: [1, 1], strides: [[1, 1, 1], [1, 1, 1]] },
  embedDim: 4,
};
const SAVE = { dataset: { name: 'toy', dir: 'toy', frames: 2, height: 4, width: 4, channels: 1 }, seed: 7, preset: 'test', train: { seconds: 0 }, test: { r1: 0 } };
const EPS = 1e-5; // BatchNorm3d's ε

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 't2v-domain-features-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The identity tower: every conv weight 0 except 1 at the centre tap, biases 0. */
function identityModel(): DomainModel {
  T.manualSeed(3);
  const m = new DomainModel(Vocab.fromCaptions(['digit 1 is moving up and down']), ARCH);
  const sd = new Map<string, T.Tensor>();
  for (const s of [0, 1]) {
    const w = new Float32Array(27);
    w[13] = 1; // (kt, kh, kw) = (1, 1, 1)
    sd.set(`video.stages.${s}.conv.weight`, T.tensor(w, { shape: [1, 1, 3, 3, 3] }));
    sd.set(`video.stages.${s}.conv.bias`, T.zeros([1]));
  }
  m.loadStateDict(sd, { strict: false });
  for (const t of sd.values()) t.dispose();
  m.eval();
  return m;
}

const silu = (v: number): number => v / (1 + Math.exp(-v));

/** (1/2) Σ_s mean |f_s(y) − f_s(x)| of the identity tower, in plain JS. */
function expectedLoss(x: number[], y: number[]): number {
  const stages = (v: number[]): number[][] => {
    const f1 = v.map((a) => silu((2 * a - 1) / Math.sqrt(1 + EPS)));
    const f2 = f1.map((a) => silu(a / Math.sqrt(1 + EPS)));
    return [f1, f2];
  };
  const [fx, fy] = [stages(x), stages(y)];
  const l1 = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
  return (l1(fy[0]!, fx[0]!) + l1(fy[1]!, fx[1]!)) / 2;
}

const N = 2 * 1 * 2 * 4 * 4; // (B, C, T, H, W) = (2, 1, 2, 4, 4)
const values = (k: number): number[] => Array.from({ length: N }, (_, i) => ((i * 7 + k * 13) % 17) / 16);

test('the loss is the mean over stages of the features\' L1, worked by hand; zero on itself; gradients reach y only', () =>
  assertNoLeak(() => {
    const net = new DomainFeatures(identityModel());
    const [xs, ys] = [values(1), values(2)];
    T.tidy(() => {
      const x = T.tensor(xs, { shape: [2, 1, 2, 4, 4] });
      const y = T.tensor(ys, { shape: [2, 1, 2, 4, 4] }).requiresGrad_(true);
      const loss = net.perceptualLoss(x, y);
      assert.ok(Math.abs(loss.item() - expectedLoss(xs, ys)) < 1e-6, `loss ${loss.item()} vs ${expectedLoss(xs, ys)}`);
      assert.ok(Math.abs(net.perceptualLoss(x, x).item()) < 1e-9);
      loss.backward();
      assert.ok(y.grad !== null && y.grad.abs().sum().item() > 0, 'y got no gradient');
      assert.ok(x.grad === null);
      assert.ok(x.requiresGrad === false);
      y.grad?.dispose();
    });
    assert.throws(() => T.tidy(() => net.perceptualLoss(T.zeros([1, 3, 2, 4, 4]), T.zeros([1, 3, 2, 4, 4]))), /domain features: expected videos \(B, 1, T, H, W\)/);
    assert.throws(() => T.tidy(() => net.perceptualLoss(T.zeros([1, 1, 2, 4, 4]), T.zeros([2, 1, 2, 4, 4]))), /differ in shape/);
    net.dispose();
  }));

test('model.domainFeatDir: the AE loss gains exactly domainFeatWeight·dfeat; the tower gets no gradient and is not a module; bad folders name the key', () =>
  assertNoLeak(() => {
    const folder = join(dir, 'dfeat-s7');
    const m = identityModel();
    m.save(folder, SAVE);
    m.dispose();
    const model = { ...TINY['conv3d-base'], samplePosterior: false, domainFeatWeight: 3 };
    T.manualSeed(11);
    const plain = createAeTask('conv3d-base', model, INPUT, { lr: 1e-3 }, METRICS);
    T.manualSeed(11);
    const task = createAeTask('conv3d-base', { ...model, domainFeatDir: folder }, INPUT, { lr: 1e-3 }, METRICS);
    assert.equal(plain.domainFeat, null, 'no folder, no tower');
    assert.ok(task.domainFeat !== null);
    assert.deepEqual(Object.keys(task.modules()), Object.keys(plain.modules()));
    assert.equal((task.describe().model as Record<string, unknown>).domainFeatDir, folder);
    const x = movingSquares(2);
    assertAddsTerm(plain, task, x, 'dfeat', 3, () => assert.ok(task.domainFeat!.parameters().every((p) => p.grad === null), 'a tower weight got a gradient'));
    x.dispose();
    plain.dispose();
    task.dispose();
    assert.throws(() => createAeTask('conv3d-base', { ...model, domainFeatDir: join(dir, 'missing') }, INPUT, { lr: 1e-3 }, METRICS), /^Error: model\.domainFeatDir: .*missing/);
    assert.throws(() => createAeTask('conv3d-base', { ...model, domainFeatWeight: -1 }, INPUT, { lr: 1e-3 }, METRICS), /model\.domainFeatWeight: must be ≥ 0, got -1/);
    // A tower that reads RGB cannot judge gray videos: refused when the task is built.
    const rgb = join(dir, 'dfeat-rgb');
    T.manualSeed(4);
    const m3 = new DomainModel(Vocab.fromCaptions(['digit 1 is moving up and down']), { ...ARCH, video: { ...ARCH.video, inputChannels: 3 } });
    m3.save(rgb, { ...SAVE, dataset: { ...SAVE.dataset, channels: 3 } });
    m3.dispose();
    assert.throws(() => createAeTask('conv3d-base', { ...model, domainFeatDir: rgb }, INPUT, { lr: 1e-3 }, METRICS), /model\.domainFeatDir: '.*dfeat-rgb' reads 3-channel videos but the autoencoder's have 1/);
    const off = createAeTask('conv3d-base', { ...model, domainFeatWeight: 0, domainFeatDir: folder }, INPUT, { lr: 1e-3 }, METRICS);
    assert.equal(off.domainFeat, null, 'a zero weight loads nothing');
    off.dispose();
  }));

test('loadDomainFeatures: the saved tower gives the same loss as the one in memory', () =>
  assertNoLeak(() => {
    const folder = join(dir, 'dfeat-reload');
    const m = identityModel();
    m.save(folder, SAVE);
    const mem = new DomainFeatures(m);
    const disk = loadDomainFeatures(folder);
    assert.equal(disk.name, 'domain:dfeat-reload');
    T.tidy(() => {
      const x = T.tensor(values(3), { shape: [2, 1, 2, 4, 4] });
      const y = T.tensor(values(4), { shape: [2, 1, 2, 4, 4] });
      assert.equal(disk.perceptualLoss(x, y).item(), mem.perceptualLoss(x, y).item());
    });
    mem.dispose();
    disk.dispose();
  }));
