import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadTensors } from '../../../src/io/tensors.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyncDraw } from '../../../src/data/syncdraw/generator.js';
import { runTrainAlign } from '../../../src/cli/commands/train-align.js';
import { UsageError } from '../../../src/cli/command.js';
import type { JointLoaders } from '../../../src/align/generate.js';
import { FakeAe, FakeConditioner } from '../../align/fakes.js';

let root: string;
const loads: string[] = [];
const loaders: JointLoaders = {
  loadAutoencoder: async (run) => (loads.push(run), new FakeAe('conv3d-base', [6], [1, 4, 32, 32])),
  loadConditioner: async (spec) => (loads.push(`${spec.kind}:${spec.dir}`), new FakeConditioner()),
};

before(async () => {
  root = mkdtempSync(join(tmpdir(), 't2v-cli-align-'));
  await generateSyncDraw({ out: join(root, 'sd'), preset: 'single', splits: { train: 60, val: 0, test: 10 }, frames: 4, size: 32, seed: 2 });
});
after(() => rmSync(root, { recursive: true, force: true }));

test('t2v train align --preset micro writes the model, log, results and diagnostics', async () => {
  const out = join(root, 'run');
  const argv = ['--method', 'vicreg', '--ae', join(root, 'ae'), '--text', join(root, 'text'), '--data', join(root, 'sd'), '--out', out, '--preset', 'micro', '--steps', '6', '--seed', '3'];
  assert.equal(await runTrainAlign(argv, loaders), 0);
  assert.deepEqual(loads, [join(root, 'ae'), `text:${join(root, 'text')}`]);
  const task = JSON.parse(readFileSync(join(out, 'model', 'task.json'), 'utf8'));
  assert.equal(task.kind, 'align/vicreg');
  assert.equal(task.options.seed, 3);
  assert.equal(task.options.hidden, 64, 'the micro preset');
  assert.equal(task.options.bucketNegatives, 'mean', 'the default inter-bucket normalisation');
  assert.equal(task.options.sharedTarget, 'video', 'the default λ_s target');
  assert.equal(task.options.latentNorm, 'standardize', 'the default: standardised latents');
  // micro does not precompute the latents, so the statistics come from the first batch of 8.
  const norm = loadTensors(join(out, 'model', 'latent_norm.safetensors')).tensors;
  assert.equal(norm.get('count')!.item(), 8);
  assert.deepEqual(norm.get('mean')!.shape, norm.get('std')!.shape);
  for (const t of norm.values()) t.dispose();
  assert.deepEqual(task.conditioner.spec, { kind: 'text', dir: join(root, 'text') });
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(results.steps, 6);
  assert.ok(Number.isFinite(results.final.loss));
  assert.deepEqual(Object.keys(results.collapse), ['video_latent', 'shared']);
  assert.equal(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').length, 2, 'logEvery 5: steps 5 and 6');
  for (const f of ['diagnostics.json', 'video-latent-pca.png', 'shared-tsne.png', 'shared-umap.png']) assert.ok(existsSync(join(out, 'diagnostics', f)), f);
  // The same folder again is refused.
  await assert.rejects(runTrainAlign(argv, loaders), (e: unknown) => e instanceof UsageError && /already holds a trained run/.test(e.message));
});

test('--bucket-negatives and --shared-target select the printed forms of eqs. 2 and 4', async () => {
  const out = join(root, 'printed');
  const argv = ['--method', 'progressive-bucket', '--ae', 'a', '--text', 't', '--data', join(root, 'sd'), '--out', out, '--preset', 'micro', '--steps', '2', '--skip-diagnostics',
    '--bucket-negatives', 'paper', '--shared-target', 'both', '--latent-norm', 'none'];
  assert.equal(await runTrainAlign(argv, loaders), 0);
  const task = JSON.parse(readFileSync(join(out, 'model', 'task.json'), 'utf8'));
  assert.equal(task.options.bucketNegatives, 'paper');
  assert.equal(task.options.sharedTarget, 'both');
  assert.equal(task.align.negatives, 'paper');
  assert.equal(task.sharedTarget, 'both');
  assert.equal(task.options.latentNorm, 'none');
  assert.ok(!existsSync(join(out, 'model', 'latent_norm.safetensors')), 'no statistics without standardisation');
});

test('usage errors name the flag', async () => {
  const base = ['--method', 'byol', '--ae', 'a', '--data', join(root, 'sd'), '--out', join(root, 'x')];
  await assert.rejects(runTrainAlign([...base, '--text', 't', '--clip', 'c'], loaders), /exactly one text encoder/);
  await assert.rejects(runTrainAlign(base, loaders), /exactly one text encoder/);
  await assert.rejects(runTrainAlign([...base, '--text', 't', '--preset', 'huge'], loaders), /--preset must be one of micro, quick, paper/);
  await assert.rejects(runTrainAlign([...base, '--text', 't', '--bucket-negatives', 'sum'], loaders), /--bucket-negatives must be one of paper, mean, got 'sum'/);
  await assert.rejects(runTrainAlign([...base, '--text', 't', '--shared-target', 'text'], loaders), /--shared-target must be one of video, both, got 'text'/);
  await assert.rejects(runTrainAlign([...base, '--text', 't', '--latent-norm', 'whiten'], loaders), /--latent-norm must be one of standardize, none, got 'whiten'/);
  await assert.rejects(runTrainAlign(['--method', 'byol', '--ae', 'a', '--text', 't', '--data', join(root, 'none'), '--out', 'o'], loaders), /does not exist/);
});
