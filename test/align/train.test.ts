import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { generateSyncDraw } from '../../src/data/syncdraw/generator.js';
import { DatasetReader } from '../../src/data/format.js';
import { DataLoader } from '../../src/data/loader.js';
import { createAlignTask } from '../../src/align/methods.js';
import { NoiseWords } from '../../src/align/noise-words.js';
import { precomputeLatents, saveAlignModel, trainAlign } from '../../src/align/train.js';
import { generateJoint, loadJointModel, samplePrompts, type JointLoaders } from '../../src/align/generate.js';
import { videosFromTensor } from '../../src/media/tensor-video.js';
import { assertNoLeak } from '../helpers/leak.js';
import { FakeAe, FakeConditioner } from './fakes.js';

const INPUT: [number, number, number, number] = [1, 4, 32, 32];
let root: string;
let reader: DatasetReader;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 't2v-align-'));
  await generateSyncDraw({ out: join(root, 'sd'), preset: 'single', splits: { train: 40, val: 0, test: 8 }, frames: 4, size: 32, seed: 3 });
  reader = DatasetReader.open(join(root, 'sd'));
});
after(() => {
  reader.close();
  rmSync(root, { recursive: true, force: true });
});

test('precompute, train, save, reload and generate: the reloaded run generates what the trained one did', async () => {
  T.manualSeed(0);
  const ae = new FakeAe('conv3d-base', [6], INPUT);
  const conditioner = new FakeConditioner();
  const noise = NoiseWords.fromCorpus(reader.manifest.buckets);
  const task = createAlignTask('progressive-bucket', { ae, conditioner, input: INPUT, trainSize: 40, noise, aeRun: '/runs/fake-ae', conditionerSpec: { kind: 'text', dir: '/runs/fake-text' } }, { hidden: 16, sharedDim: 4, pixelSamples: 2 });
  const out = join(root, 'run');
  try {
    // 1. Every training latent once.
    const progress: number[] = [];
    assert.equal(await precomputeLatents(task, reader, { batchSize: 16, onProgress: (done, total) => progress.push(done, total) }), 40);
    assert.deepEqual(progress, [16, 40, 32, 40, 40, 40], 'the training split in order, batches of 16');
    assert.equal(ae.encodedRows, 40);
    // 2. Train a few steps on bucket batches; no new encodes, nothing leaked after the first step.
    const loader = new DataLoader(reader, { split: 'train', batchSize: 8, sampler: 'bucket', perBucket: 2, seed: 0, dropLast: true });
    const logs: Record<string, number>[] = [];
    await trainAlign(task, loader, { steps: 1, clipNorm: 4 });
    await assertNoLeak(async () => {
      const r = await trainAlign(task, loader, { steps: 7, clipNorm: 4, logEvery: 3, log: (x) => logs.push(x) });
      assert.equal(r.steps, 7);
    });
    assert.equal(ae.encodedRows, 40);
    assert.deepEqual(logs.map((l) => l.step), [3, 6, 7]);
    assert.ok(logs.every((l) => Number.isFinite(l.loss) && Number.isFinite(l.align)));
    // 3. Save in the trainer's layout.
    saveAlignModel(task, out, { preset: 'test' });
    for (const f of ['mapping', 'shared_encoder', 'shared_decoder', 'shared_disc']) assert.ok(existsSync(join(out, 'model', `${f}.safetensors`)), f);
    const info = JSON.parse(readFileSync(join(out, 'model', 'task.json'), 'utf8'));
    assert.equal(info.kind, 'align/progressive-bucket');
    assert.equal(info.preset, 'test');
    assert.deepEqual(info.noise.words, noise.words);
    // 4. Reload over stand-ins of the same AE and conditioner.
    const seen: string[] = [];
    const loaders: JointLoaders = {
      loadAutoencoder: async (run) => {
        seen.push(run);
        const copy = new FakeAe('conv3d-base', [6], INPUT);
        const sd = ae.stateDict();
        copy.loadStateDict(sd);
        for (const t of sd.values()) t.dispose();
        return copy;
      },
      loadConditioner: async (spec) => {
        seen.push(`${spec.kind}:${spec.dir}`);
        return new FakeConditioner();
      },
    };
    const prompts = [reader.manifest.buckets[0]!, reader.manifest.buckets[5]!];
    const model = await loadJointModel(out, loaders);
    assert.deepEqual(seen, ['/runs/fake-ae', 'text:/runs/fake-text']);
    const want = T.tidy(() => task.generateLatents(prompts).toArray());
    const got = T.tidy(() => model.task.generateLatents(prompts).toArray());
    model.dispose();
    assert.deepEqual(got, want);
    // 5. generateJoint: prompt-major, sample 0 = the clean prompt, later samples carry a noise word.
    const videos = await generateJoint(out, prompts, { samplesPerPrompt: 3, seed: 1 }, loaders);
    assert.equal(videos.length, 6);
    assert.deepEqual([videos[0]!.frames, videos[0]!.height, videos[0]!.width, videos[0]!.channels], [4, 32, 32, 1]);
    const clean = T.tidy(() => videosFromTensor(task.generate(prompts)));
    assert.deepEqual(videos[0]!.data, clean[0]!.data);
    assert.deepEqual(videos[3]!.data, clean[1]!.data);
    assert.notDeepEqual(videos[1]!.data, videos[0]!.data);
  } finally {
    task.dispose();
    ae.dispose();
  }
});

test('samplePrompts: sample 0 is the prompt, the others insert one noise word, deterministically', () => {
  const noise = NoiseWords.fromCorpus(['digit 1 is moving up and down']);
  const a = samplePrompts(['digit 1 is moving up and down'], 3, 7, noise);
  assert.equal(a[0], 'digit 1 is moving up and down');
  for (const s of a.slice(1)) assert.equal(s.split(' ').length, 8);
  assert.deepEqual(samplePrompts(['digit 1 is moving up and down'], 3, 7, noise), a);
  assert.deepEqual(samplePrompts(['x'], 2, 0, null), ['x', 'x']);
});

test('loadJointModel explains a folder that is not an alignment run', async () => {
  await assert.rejects(loadJointModel(join(root, 'nope')), /run folder '.*nope' does not exist; train one with `t2v train align`/);
});
