// `t2v train ae` with a stand-in AeSpec (the real autoencoders live in src/models/ae): flag
// parsing, config layers (preset <- --config <- flags), the input shape from the manifest, resume.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrainAe } from '../../../src/cli/commands/train-ae.js';
import { UsageError } from '../../../src/cli/command.js';
import { ConfigError } from '../../../src/train/schema.js';
import { TrainError } from '../../../src/train/trainer.js';
import type { AeSpec, Preset } from '../../../src/models/ae/index.js';
import type { VideoAutoencoder } from '../../../src/models/ae/types.js';
import { TinyTask, makeTinyData } from '../../train/tiny-task.js';
import { AttributeProbeModel } from '../../../src/domain/probe.js';

let data = '';
let tmp = '';
before(async () => {
  data = await makeTinyData();
  tmp = mkdtempSync(join(tmpdir(), 't2v-cli-train-'));
});

interface Created {
  model: Record<string, unknown>;
  input: number[];
  opts: { lr: number; clipNorm: number | null };
}

function fakeSpec(created: Created[]): AeSpec {
  return {
    arch: 'conv3d-base',
    defaults: (preset: Preset) => ({
      model: { width: 8, depth: 2 },
      train: { steps: preset === 'micro' ? 3 : 50, batchSize: 16, valEvery: 0, valBatches: 1, ckptEvery: 2, logEvery: 1, threads: 1 },
    }),
    createTask(model, input, opts) {
      created.push({ model, input: [...input], opts });
      return Object.assign(new TinyTask({ lr: opts.lr }), { ae: null as unknown as VideoAutoencoder });
    },
  };
}

test('config layers reach the task: preset, then --config, then flags; (C, T, H, W) from the manifest', async () => {
  const created: Created[] = [];
  const cfgFile = join(tmp, 'cfg.json');
  writeFileSync(cfgFile, JSON.stringify({ train: { lr: 0.02, steps: 7 }, model: { width: 4 } }));
  const out = join(tmp, 'run1');
  const args = ['--arch', 'conv3d-base', '--data', data, '--out', out, '--preset', 'micro', '--config', cfgFile, '--steps', '4', '--seed', '3', '--quiet'];
  assert.equal(await runTrainAe(args, () => fakeSpec(created)), 0);
  assert.equal(created.length, 1);
  assert.deepEqual(created[0]!.model, { width: 4, depth: 2 });
  assert.deepEqual(created[0]!.input, [1, 4, 32, 32]);
  assert.deepEqual(created[0]!.opts, { lr: 0.02, clipNorm: 1 });
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { train: Record<string, unknown>; data: Record<string, unknown> };
  assert.equal(cfg.train['steps'], 4); // flag over file over preset
  assert.equal(cfg.train['seed'], 3);
  assert.equal(cfg.train['lr'], 0.02);
  assert.equal(cfg.data['dir'], data);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { steps: number };
  assert.equal(results.steps, 4);

  // Again into the same folder: refused without --resume; with it, the finished run is re-exported.
  await assert.rejects(runTrainAe(args, () => fakeSpec(created)), (e: Error) => e instanceof TrainError && e.message.includes('--resume'));
  assert.equal(await runTrainAe([...args, '--resume'], () => fakeSpec(created)), 0);
});

test('bad flags and config keys are reported with what is valid', async () => {
  const created: Created[] = [];
  const base = ['--data', data, '--out', join(tmp, 'run2'), '--quiet'];
  await assert.rejects(runTrainAe(['--arch', 'vqgan', ...base], () => fakeSpec(created)), (e: Error) => e instanceof UsageError && e.message === "--arch must be one of conv3d-base, unet3d, causal-vae, got 'vqgan'");
  await assert.rejects(runTrainAe(['--arch', 'unet3d', '--preset', 'huge', ...base], () => fakeSpec(created)), /--preset must be one of micro, quick, paper, got 'huge'/);
  await assert.rejects(runTrainAe(['--arch', 'unet3d', '--steps', '0', ...base], () => fakeSpec(created)), /--steps must be an integer >= 1, got 0/);
  const bad = join(tmp, 'bad.json');
  writeFileSync(bad, JSON.stringify({ train: { lr: 'fast', stesp: 3 } }));
  await assert.rejects(runTrainAe(['--arch', 'unet3d', '--config', bad, ...base], () => fakeSpec(created)), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.ok(e.message.includes(`(merged: trainer defaults <- preset 'quick' of unet3d <- ${bad} <- flags)`), e.message);
    assert.ok(e.message.includes('config.train.stesp: unknown key'), e.message);
    assert.ok(e.message.includes('config.train.lr: expected a number > 0, got "fast"'), e.message);
    return true;
  });
  assert.equal(created.length, 0);
});

test('--vgg DIR becomes model.vggDir (over --config), recorded in the run\'s config.json; a missing folder is a usage error', async () => {
  const created: Created[] = [];
  const vgg = mkdtempSync(join(tmp, 'vgg-'));
  const cfgFile = join(tmp, 'cfg-vgg.json');
  writeFileSync(cfgFile, JSON.stringify({ model: { vggDir: 'from-config' } }));
  const out = join(tmp, 'run-vgg');
  const args = ['--arch', 'conv3d-base', '--data', data, '--out', out, '--preset', 'micro', '--config', cfgFile, '--steps', '1', '--vgg', vgg, '--quiet'];
  assert.equal(await runTrainAe(args, () => fakeSpec(created)), 0);
  assert.equal(created[0]!.model['vggDir'], vgg);
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { model: Record<string, unknown> };
  assert.equal(cfg.model['vggDir'], vgg);
  const missing = join(tmp, 'no-such-vgg');
  await assert.rejects(runTrainAe(['--arch', 'conv3d-base', '--data', data, '--out', join(tmp, 'run-vgg2'), '--vgg', missing, '--quiet'], () => fakeSpec(created)),
    (e: Error) => e instanceof UsageError && e.message.includes(`--vgg: '${missing}' does not exist`));
  assert.equal(created.length, 1);
});

test('--val-probe DIR: validation also reports attribute_accuracy and attr_<key> of the reconstructions; a task without video validation, or a missing folder, is refused by key', async () => {
  const probeDir = mkdtempSync(join(tmp, 'probe-'));
  const probe = new AttributeProbeModel({ inputChannels: 1, frames: 4, size: 16, channels: [8] });
  probe.save(probeDir, { dataset: { name: 'x', dir: 'x', frames: 4, height: 32, width: 32, channels: 1 }, seed: 0, preset: 'test', train: {}, test: {} });
  probe.dispose();
  const out = join(tmp, 'run-probe');
  assert.equal(await runTrainAe(['--arch', 'conv3d-base', '--data', data, '--out', out, '--preset', 'micro', '--steps', '2', '--val-probe', probeDir, '--quiet']), 0);
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { train: Record<string, unknown> };
  assert.equal(cfg.train['valProbe'], probeDir);
  assert.equal(cfg.train['valDomain'], null);
  const val = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r['type'] === 'val').at(-1)!;
  for (const k of ['attribute_accuracy', 'attr_digit0', 'attr_motion0']) {
    const v = val[k] as number;
    assert.ok(typeof v === 'number' && v >= 0 && v <= 1, `${k} = ${String(v)}`);
  }
  // All attributes right implies each one right: accuracy ≤ every per-key accuracy.
  assert.ok((val['attribute_accuracy'] as number) <= Math.min(val['attr_digit0'] as number, val['attr_motion0'] as number));
  assert.ok(!('fvd_domain' in val), 'no domain model, no fvd_domain');

  await assert.rejects(runTrainAe(['--arch', 'conv3d-base', '--data', data, '--out', join(tmp, 'run-probe2'), '--val-probe', probeDir, '--quiet'], () => fakeSpec([])),
    (e: Error) => e instanceof TrainError && /^train\.valProbe: the test\/tiny task's validation makes no videos to judge/.test(e.message));
  const missing = join(tmp, 'no-such-probe');
  await assert.rejects(runTrainAe(['--arch', 'conv3d-base', '--data', data, '--out', join(tmp, 'run-probe3'), '--preset', 'micro', '--steps', '1', '--val-domain', missing, '--quiet']),
    (e: Error) => e instanceof TrainError && e.message.startsWith('train.valDomain: ') && e.message.includes(missing));
});

test('--resume of a run saved before a model key existed: the key counts as its default; set to another value it is a difference', async () => {
  const out = join(tmp, 'run-later-key');
  const args = ['--arch', 'conv3d-base', '--data', data, '--out', out, '--preset', 'micro', '--quiet'];
  assert.equal(await runTrainAe(args, () => fakeSpec([])), 0);
  const path = join(out, 'config.json');
  const saved = JSON.parse(readFileSync(path, 'utf8')) as { model: Record<string, unknown> };
  assert.equal(saved.model['depth'], 2);
  delete saved.model['depth']; // as written before the key existed
  writeFileSync(path, JSON.stringify(saved));
  assert.equal(await runTrainAe([...args, '--resume'], () => fakeSpec([])), 0);
  const deeper = join(tmp, 'cfg-depth3.json');
  writeFileSync(deeper, JSON.stringify({ model: { depth: 3 } }));
  await assert.rejects(runTrainAe([...args, '--config', deeper, '--resume'], () => fakeSpec([])),
    (e: Error) => e instanceof TrainError && /model\.depth: 2 in .*config\.json, 3 now/.test(e.message));
});

test('--init is checked before anything is built: a missing folder, an unfinished run and a run of another task are usage errors', async () => {
  const base = ['--arch', 'conv3d-base', '--data', data, '--out', join(tmp, 'run-init'), '--quiet'];
  const fail = (init: string, re: RegExp) =>
    assert.rejects(runTrainAe([...base, '--init', init], () => fakeSpec([])), (e: Error) => e instanceof UsageError && re.test(e.message));
  await fail(join(tmp, 'no-such-run'), /^--init: run folder '.*no-such-run' does not exist; give the run folder of a completed `t2v train ae`/);
  const unfinished = mkdtempSync(join(tmp, 'unfinished-'));
  mkdirSync(join(unfinished, 'ckpt'));
  await fail(unfinished, /^--init: '.*task\.json' is missing: its training has not finished/);
  const other = mkdtempSync(join(tmp, 'align-run-'));
  mkdirSync(join(other, 'model'));
  writeFileSync(join(other, 'model', 'task.json'), JSON.stringify({ kind: 'align/byol' }));
  await fail(other, /^--init: '.*task\.json' describes a 'align\/byol' run, not an autoencoder run/);
});
