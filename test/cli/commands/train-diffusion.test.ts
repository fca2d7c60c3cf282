// `t2v train diffusion` with stand-in frozen pieces (test/cli/commands/diffusion-run.ts): the run
// folder and what task.json records (autoencoder run, text encoder, video shape, calibration),
// the calibration against an independent computation, config layers and validation, the flow
// objective's sampler, usage errors, pre-encoded latents (--latents).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetReader } from '../../../src/data/format.js';
import { UsageError } from '../../../src/cli/command.js';
import { ConfigError } from '../../../src/train/schema.js';
import { runTrainDiffusion } from '../../../src/cli/commands/train-diffusion.js';
import { makeWorld, standInAe, trainMicro, type DiffusionWorld } from './diffusion-run.js';
import * as T from '../../../src/tensor/index.js';
import { saveTensors } from '../../../src/io/tensors.js';
import { LATENTS_FORMAT } from '../../../src/diffusion/latents-file.js';
import type { FrozenLoaders } from '../../../src/diffusion/load.js';

let w: DiffusionWorld;
before(async () => {
  w = await makeWorld('t2v-cli-train-diffusion-');
});

const json = (p: string): Record<string, unknown> => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

/**
 * μ and 1/σ̂ (unbiased) of the (2, 8, 8)-average-pooled, [0,1] → [−1,1] mapped pixels of every
 * training video, computed here in plain float64 from the dataset bytes.
 */
function expectedCalibration(data: string): { shift: number; scale: number; n: number } {
  const reader = DatasetReader.open(data);
  const values: number[] = [];
  try {
    for (const e of reader.videos('train')) {
      const v = reader.read(e); // (T, H, W, C) uint8, C = 1
      for (let t = 0; t < 4; t += 2) for (let y = 0; y < 32; y += 8) for (let x = 0; x < 32; x += 8) {
        let s = 0;
        for (let dt = 0; dt < 2; dt++) for (let dy = 0; dy < 8; dy++) for (let dx = 0; dx < 8; dx++) s += v[((t + dt) * 32 + y + dy) * 32 + x + dx]! / 255;
        values.push((2 * s) / 128 - 1);
      }
    }
  } finally {
    reader.close();
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { shift: mean, scale: 1 / Math.sqrt(variance), n: values.length };
}

test('a micro run writes the run folder; task.json records the frozen pieces and the calibration', async () => {
  const out = join(w.root, 'run-dit');
  w.loads.length = 0;
  assert.equal(await trainMicro(w, out, ['--steps', '3']), 0);
  assert.deepEqual(w.loads, [`ae:${w.ae}`, `text:${w.text}`]);
  for (const f of ['config.json', 'run.json', 'log.jsonl', 'results.json', 'model/denoiser.safetensors', 'model/task.json']) assert.ok(existsSync(join(out, f)), f);
  const task = json(join(out, 'model', 'task.json'));
  assert.equal(task['kind'], 'diffusion/dit');
  assert.equal(task['objective'], 'v');
  assert.deepEqual((task['ae'] as Record<string, unknown>)['run'], w.ae);
  assert.deepEqual(task['conditionerSpec'], { kind: 'text', dir: w.text });
  assert.deepEqual(task['input'], [1, 4, 32, 32]);
  assert.deepEqual(task['latentShape'], [1, 2, 4, 4]);
  assert.equal(task['condDim'], 8);
  assert.deepEqual(task['sample'], { sampler: 'ddim', steps: 10, guidance: 3, eta: 0 }, 'the micro preset, sampler resolved for v');
  const want = expectedCalibration(w.data);
  const cal = task['calibration'] as Record<string, number>;
  assert.equal(cal['videos'], 16, 'the whole 16-video split (fewer than the 64 asked)');
  assert.equal(cal['elements'], want.n);
  assert.ok(Math.abs((task['latentShift'] as number) - want.shift) < 1e-6, `shift ${String(task['latentShift'])} vs ${want.shift}`);
  assert.ok(Math.abs((task['latentScale'] as number) / want.scale - 1) < 1e-6, `scale ${String(task['latentScale'])} vs ${want.scale}`);
  const cfg = json(join(out, 'config.json')) as { train: Record<string, unknown>; model: Record<string, unknown> };
  assert.equal(cfg.train['steps'], 3);
  assert.equal(cfg.train['seed'], 1);
  assert.deepEqual(cfg.model['calibration'], { videos: 64 });
  assert.equal((cfg.model['diffusion'] as Record<string, unknown>)['latentScale'], 'auto');
  // The same folder again without --resume is refused; with --resume the finished run is kept.
  await assert.rejects(trainMicro(w, out, ['--steps', '3']), /already holds a run/);
});

test('config file and --objective flow: layers merge, the flow sampler is recorded, fixed μ and λ skip calibration', async () => {
  const file = join(w.root, 'flow.json');
  writeFileSync(file, JSON.stringify({ train: { lr: 0.002 }, model: { hidden: 16, diffusion: { latentScale: 2, latentShift: 0, condDropout: 0.2 } } }));
  const out = join(w.root, 'run-flow');
  assert.equal(await trainMicro(w, out, ['--steps', '2', '--objective', 'flow', '--config', file]), 0);
  const task = json(join(out, 'model', 'task.json'));
  assert.equal(task['objective'], 'flow');
  assert.equal((task['scheduler'] as Record<string, unknown>)['name'], 'flow-euler');
  assert.equal((task['sample'] as Record<string, unknown>)['sampler'], 'flow-euler');
  assert.equal((task['model'] as Record<string, unknown>)['hidden'], 16);
  assert.equal(task['condDropout'], 0.2);
  assert.equal(task['latentScale'], 2);
  assert.equal(task['latentShift'], 0);
  assert.equal(task['calibration'], null);
  assert.equal((json(join(out, 'config.json'))['train'] as Record<string, unknown>)['lr'], 0.002);
});

test('a resumed run recalibrates to the same μ, λ and ends with the same weights', async () => {
  const file = join(w.root, 'ckpt.json');
  writeFileSync(file, JSON.stringify({ train: { ckptEvery: 2, keepLast: 5, valBatches: 0 } }));
  const [a, b] = [join(w.root, 'run-a'), join(w.root, 'run-b')];
  for (const out of [a, b]) assert.equal(await trainMicro(w, out, ['--steps', '4', '--config', file]), 0);
  // Make b look interrupted after step 2.
  for (const f of readdirSync(join(b, 'ckpt'))) if (f.startsWith('step-000004')) rmSync(join(b, 'ckpt', f));
  rmSync(join(b, 'model'), { recursive: true });
  rmSync(join(b, 'results.json'));
  assert.equal(await trainMicro(w, b, ['--steps', '4', '--config', file, '--resume']), 0);
  const weights = (d: string) => readFileSync(join(d, 'model', 'denoiser.safetensors'));
  assert.ok(weights(a).equals(weights(b)), 'bit-identical weights');
  const task = (d: string) => json(join(d, 'model', 'task.json'));
  assert.deepEqual(task(b)['calibration'], task(a)['calibration']);
});

test('bad config keys are ConfigErrors naming the key path', async () => {
  const file = join(w.root, 'bad.json');
  writeFileSync(file, JSON.stringify({ model: { hiden: 16, diffusion: { condDropout: 2, objectiv: 'v' }, sample: { sampler: 'flow-euler' } } }));
  await assert.rejects(trainMicro(w, join(w.root, 'run-bad'), ['--config', file]), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /config\.model\.diffusion\.condDropout: expected a number >= 0 and <= 1, got 2/);
    assert.match(e.message, /config\.model\.diffusion\.objectiv: unknown key/);
    assert.match(e.message, /model\.hiden/);
    return true;
  });
  writeFileSync(file, JSON.stringify({ model: { sample: { sampler: 'flow-euler' } } }));
  await assert.rejects(trainMicro(w, join(w.root, 'run-bad'), ['--config', file]), /config\.model\.sample\.sampler: the v objective samples with 'ddim' or 'ddpm'/);
  assert.ok(!existsSync(join(w.root, 'run-bad')), 'nothing written');
});

test('usage errors name the flag', async () => {
  const base = ['--latent', w.ae, '--data', w.data, '--out', join(w.root, 'x')];
  const run = (extra: string[]) => runTrainDiffusion([...base, ...extra], w.loaders);
  await assert.rejects(run(['--denoiser', 'dit']), (e: unknown) => e instanceof UsageError && /exactly one text encoder/.test(e.message));
  await assert.rejects(run(['--denoiser', 'dit', '--text', 't', '--clip', 'c']), /exactly one text encoder/);
  await assert.rejects(run(['--denoiser', 'vit', '--text', 't']), /--denoiser must be one of dit, unet3d, mlp, got 'vit'/);
  await assert.rejects(run(['--denoiser', 'dit', '--text', 't', '--objective', 'x0']), /--objective must be one of eps, v, flow/);
  await assert.rejects(run(['--denoiser', 'dit', '--text', 't', '--preset', 'huge']), /--preset must be one of micro, quick, paper/);
  await assert.rejects(run(['--denoiser', 'dit', '--text', 't', '--steps', '0']), /--steps must be an integer >= 1/);
});

test('--latents: a pre-encoded training split is not encoded again, is recorded in task.json, and a file for another split or dataset is refused', async () => {
  const reader = DatasetReader.open(w.data);
  const ids = reader.videos('train').map((v) => v.id);
  reader.close();
  const file = (name: string, meta: Record<string, string> = {}): string => {
    const path = join(w.root, name);
    T.tidy(() => saveTensors(path, new Map([['latents', T.zeros([ids.length, 1, 2, 4, 4])]]), {
      format: LATENTS_FORMAT, run: w.ae, data: w.data, split: 'train', ids: JSON.stringify(ids), ...meta,
    }));
    return path;
  };
  let encoded = 0;
  const counting: FrozenLoaders = {
    loadAutoencoder: async () => {
      const ae = standInAe();
      const encode = ae.encode.bind(ae);
      ae.encode = (x) => ((encoded += x.size(0)), encode(x));
      return ae;
    },
    loadConditioner: w.loaders.loadConditioner,
  };
  const cfg = join(w.root, 'latents.json');
  writeFileSync(cfg, JSON.stringify({ train: { batchSize: 4, valEvery: 0, valBatches: 0 } }));
  const run = (out: string, extra: string[]) => runTrainDiffusion(
    ['--latent', w.ae, '--denoiser', 'dit', '--data', w.data, '--out', join(w.root, out), '--text', w.text, '--preset', 'micro', '--steps', '8', '--config', cfg, '--quiet', ...extra], counting);
  assert.equal(await run('run-plain', []), 0);
  const plain = encoded;
  encoded = 0;
  assert.equal(await run('run-latents', ['--latents', file('train.safetensors')]), 0);
  assert.equal(plain - encoded, ids.length, `the ${ids.length} training videos are encoded without the file (${plain} videos) and not with it (${encoded})`);
  const rec = json(join(w.root, 'run-latents', 'model', 'task.json'))['latentsFile'];
  assert.deepEqual(rec, { path: join(w.root, 'train.safetensors'), split: 'train', videos: ids.length });
  assert.equal(json(join(w.root, 'run-plain', 'model', 'task.json'))['latentsFile'], null);
  await assert.rejects(run('run-val', ['--latents', file('val.safetensors', { split: 'val' })]), (e: unknown) => e instanceof UsageError && /holds the 'val' split but the run trains on 'train'/.test(e.message));
  await assert.rejects(run('run-data', ['--latents', file('other.safetensors', { data: join(w.root, 'elsewhere') })]), (e: unknown) => e instanceof UsageError && /encodes the videos of '.*elsewhere'/.test(e.message));
  await assert.rejects(run('run-ae', ['--latents', file('ae.safetensors', { run: join(w.root, 'other-ae') })]), (e: unknown) => e instanceof UsageError && /encoded with the autoencoder run/.test(e.message));
  assert.ok(!existsSync(join(w.root, 'run-val')), 'a refused file writes no run folder');
});
