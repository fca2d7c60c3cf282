// The trainer on a tiny task over a real SyncDraw data set: step budget and data order, the
// learning-rate schedule, the JSONL log, validation, keepLast + best pruning, EMA, run folder.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, TrainError } from '../../src/train/trainer.js';
import { DatasetReader } from '../../src/data/format.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { loadTensors } from '../../src/io/tensors.js';
import { assertNoLeak } from '../helpers/leak.js';
import { TinyTask, makeTinyData, tinyConfig } from './tiny-task.js';

let data = '';
const runDir = (): string => join(mkdtempSync(join(tmpdir(), 't2v-run-')), 'run');

before(async () => {
  data = await makeTinyData();
});

/** Linear warmup then cosine to 0 (Loshchilov & Hutter 2017, eq. 5), written out by hand. */
function lrClosedForm(base: number, W: number, S: number, s: number): number {
  if (s < W) return (base * s) / W;
  return 0.5 * base * (1 + Math.cos((Math.PI * (s - W)) / (S - W)));
}

function readLog(dir: string): Record<string, number | string>[] {
  return readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | string>);
}

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('step budget, data order, LR schedule and the JSONL log', async () => {
  const out = runDir();
  const cfg = tinyConfig(data, { steps: 7, warmupSteps: 2, logEvery: 3, valEvery: 2, ckptEvery: 4 });
  let task = new TinyTask();
  task.dispose();
  await assertNoLeak(async () => {
    const r = await train(() => (task = new TinyTask({ lr: cfg.train.lr })), { config: cfg, runDir: out, progress: null });
    assert.equal(r.step, 7);
    assert.equal(r.completed, true);
  });

  // 1. Exactly `steps` steps, 4 batches of 16 per epoch of 64 videos.
  assert.deepEqual(task.records.map((r) => r.step), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(task.records.map((r) => r.epoch), [0, 0, 0, 0, 1, 1, 1]);
  const reader = DatasetReader.open(data);
  const trainIds = reader.videos('train').map((v) => v.id).sort();
  reader.close();
  const epoch0 = task.records.slice(0, 4).flatMap((r) => r.ids).sort();
  assert.deepEqual(epoch0, trainIds, 'epoch 0 visits every training video once');
  assert.ok(task.records.every((r) => r.ids.length === 16));

  // 2. Both optimizers follow warmup + cosine from their own base rate.
  task.records.forEach((r) => {
    close(r.figures['lr_net']!, lrClosedForm(0.01, 2, 7, r.step), 1e-12, `lr_net at ${r.step}`);
    close(r.figures['lr_scalar']!, lrClosedForm(0.5, 2, 7, r.step), 1e-12, `lr_scalar at ${r.step}`);
  });

  // 3. Train lines every 3 steps and at the end, with window means; val lines every 2 steps and at the end.
  const log = readLog(out);
  const trainLines = log.filter((l) => l['type'] === 'train');
  assert.deepEqual(trainLines.map((l) => l['step']), [3, 6, 7]);
  assert.deepEqual(trainLines.map((l) => l['epoch']), [0, 1, 1]);
  const windows = [[0, 1, 2], [3, 4, 5], [6]];
  trainLines.forEach((l, i) => {
    const w = windows[i]!;
    const mean = w.reduce((a, k) => a + task.records[k]!.figures['loss']!, 0) / w.length;
    close(l['loss'] as number, mean, 1e-12, `loss of line ${i}`);
    close(l['lr'] as number, lrClosedForm(0.01, 2, 7, w.at(-1)!), 1e-12, `lr of line ${i}`);
    close(l['lr_scalar'] as number, lrClosedForm(0.5, 2, 7, w.at(-1)!), 1e-12, `lr_scalar of line ${i}`);
    assert.equal(typeof l['time'], 'number');
    assert.ok((l['videos_per_s'] as number) > 0);
  });
  const valLines = log.filter((l) => l['type'] === 'val');
  assert.deepEqual(valLines.map((l) => l['step']), [2, 4, 6, 7]);
  assert.ok(valLines.every((l) => l['batches'] === 1));
  assert.equal(task.valCalls.length, 4);
});

test('checkpoints: every ckptEvery steps, the last keepLast kept plus the best (psnr max)', async () => {
  const out = runDir();
  const cfg = tinyConfig(data, { steps: 12, ckptEvery: 4, keepLast: 1, valEvery: 2 });
  // Validations at steps 2, 4, 6, 8, 10, 12: the best psnr (5) is at step 4.
  const r = await train(() => new TinyTask({ lr: cfg.train.lr, valScript: [1, 5, 3, 2, 4, 2] }), { config: cfg, runDir: out, progress: null });
  assert.deepEqual(r.best, { metric: 'psnr', mode: 'max', value: 5, step: 4 });
  const files = readdirSync(join(out, 'ckpt')).sort();
  assert.deepEqual(files, ['best.json', 'step-000004.safetensors', 'step-000012.safetensors']);
  const best = JSON.parse(readFileSync(join(out, 'ckpt', 'best.json'), 'utf8')) as unknown;
  assert.deepEqual(best, { metric: 'psnr', mode: 'max', value: 5, step: 4, file: 'step-000004.safetensors' });
  using ck = loadCheckpoint(join(out, 'ckpt', 'step-000004.safetensors'));
  assert.equal(ck.step, 4);
  assert.deepEqual((ck.meta as { position: unknown }).position, { epoch: 1, batch: 0 });
  assert.deepEqual([...ck.tensors.keys()].sort(), ['net.dec.bias', 'net.dec.weight', 'net.enc.bias', 'net.enc.weight', 'scalar.w']);
  assert.ok([...ck.optimizer!.tensors.keys()].some((k) => k.startsWith('net.state.0.')));
  assert.equal((ck.optimizer!.meta['scalar'] as { optimizer: string }).optimizer, 'SGD');
  assert.equal((ck.optimizer!.meta['net'] as { optimizer: string }).optimizer, 'Adam');
  assert.ok(ck.rng !== null);
});

test('EMA: validation and the exported weights use the averaged weights; training continues from the raw ones', async () => {
  const out = runDir();
  const cfg = tinyConfig(data, { steps: 6, ema: 0.5, valEvery: 2, warmupSteps: 0, ckptEvery: 6 });
  const task = new TinyTask({ lr: cfg.train.lr, ema: true });
  const r = await train(task, { config: cfg, runDir: out, progress: null });

  // The scalar follows SGD on (w - m)^2 from the raw weights: w ← w - lr·2(w - m).
  let w = 0;
  const raw: number[] = [];
  for (const rec of task.records) {
    w = w - rec.figures['lr_scalar']! * 2 * (w - rec.figures['m']!);
    close(rec.figures['w']!, w, 1e-6, `w after step ${rec.step}`);
    raw.push(rec.figures['w']!);
  }
  // EMA with the warmup rule d = min(0.5, (1 + n) / (10 + n)), shadow starting at w0 = 0.
  let e = 0;
  const ema: number[] = [];
  raw.forEach((wk, n) => {
    const d = Math.min(0.5, (1 + n) / (10 + n));
    e = d * e + (1 - d) * wk;
    ema.push(e);
  });
  assert.equal(task.valCalls.length, 3);
  [1, 3, 5].forEach((k, i) => close(task.valCalls[i]!, ema[k]!, 1e-6, `validated w at step ${k + 1}`));
  close(r.validation!['w']!, ema[5]!, 1e-6, 'final validation w');

  const { tensors } = loadTensors(join(out, 'model', 'scalar.safetensors'));
  close(tensors.get('w')!.item(), ema[5]!, 1e-6, 'exported w');
  for (const t of tensors.values()) t.dispose();
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(results['validatedWith'], 'ema');
  task.dispose();
});

test('the run folder: config.json, run.json, model/, results.json', async () => {
  const out = runDir();
  const cfg = tinyConfig(data, { steps: 4, valEvery: 0 });
  await train(() => new TinyTask({ lr: cfg.train.lr }), { config: cfg, runDir: out, progress: null });
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')), cfg);
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as Record<string, any>;
  assert.equal(run['kind'], 'test/tiny');
  assert.equal(run['versions'].node, process.version);
  assert.match(run['versions'].engine.torch, /^\d+\.\d+/);
  assert.deepEqual(run['seeds'], { seed: 7, dataOrder: 7 });
  assert.equal(run['threads'], 1);
  // Linear(32, 8) + Linear(8, 32): 32·8 + 8 + 8·32 + 32 = 552; the scalar: 1.
  assert.deepEqual(run['parameters'], { net: 552, scalar: 1, total: 553 });
  assert.equal(typeof run['started'], 'string');
  assert.equal(typeof run['finished'], 'string');
  assert.equal(run['sessions'].length, 1);
  assert.equal(run['sessions'][0].toStep, 4);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'model', 'task.json'), 'utf8')), { kind: 'test/tiny', features: 32, latent: 8 });
  assert.ok(existsSync(join(out, 'model', 'net.safetensors')));
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Record<string, any>;
  assert.equal(results['steps'], 4);
  assert.equal(results['epochs'], 1);
  assert.equal(results['validation'].batches, 1); // the final validation over valBatches = 1
  assert.equal(results['validatedWith'], 'weights');

  // Training into it again without resume is refused.
  await assert.rejects(
    train(() => new TinyTask(), { config: cfg, runDir: out, progress: null }),
    (err: Error) => err instanceof TrainError && err.message.includes('already holds a run (checkpoints up to step 4)') && err.message.includes('--resume'),
  );
  // Resuming with another config is refused, naming the key.
  const other = tinyConfig(data, { steps: 5, valEvery: 0 });
  await assert.rejects(
    train(() => new TinyTask(), { config: other, runDir: out, resume: true, progress: null }),
    (err: Error) => err instanceof TrainError && /train\.steps: 4 in .*config\.json, 5 now/.test(err.message),
  );
});

test('maxSeconds: the first step past the wall-clock budget ends the run as its last step; resuming with a larger budget goes on', async () => {
  const out = runDir();
  // 100 ms per step, a 0.8 s budget out of 1000 planned steps: every step before the last ended
  // under 0.8 s, so the last is at most step 0.8 / 0.1 = 8.
  const cfg = tinyConfig(data, { steps: 1000, warmupSteps: 0, valEvery: 0, ckptEvery: 500, logEvery: 1000, maxSeconds: 0.8 });
  let task = new TinyTask();
  task.dispose();
  const r = await train(() => (task = new TinyTask({ lr: cfg.train.lr, sleepMs: 100 })), { config: cfg, runDir: out, progress: null });
  assert.equal(r.completed, true);
  assert.equal(r.stoppedBy, 'time');
  assert.ok(r.step >= 1 && r.step <= 8, `stopped at step ${r.step}`);
  assert.equal(task.records.length, r.step);
  assert.ok(r.wallClockS >= 0.8);
  // The schedule still runs over the planned 1000 steps: the last rate is far from 0.
  close(task.records.at(-1)!.figures['lr_net']!, lrClosedForm(0.01, 0, 1000, r.step - 1), 1e-12, 'lr at the last step');
  // The end of a run: a final train and val line, a checkpoint, the exported model, results.json.
  const log = readLog(out);
  assert.deepEqual(log.filter((l) => l['type'] === 'val').map((l) => l['step']), [r.step]);
  assert.equal(log.filter((l) => l['type'] === 'train').at(-1)!['step'], r.step);
  assert.ok(readdirSync(join(out, 'ckpt')).includes(`step-${String(r.step).padStart(6, '0')}.safetensors`));
  assert.ok(existsSync(join(out, 'model', 'net.safetensors')));
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(results['steps'], r.step);
  assert.equal(results['plannedSteps'], 1000);
  assert.equal(results['stoppedBy'], 'time');

  // Resumed with the same budget: already spent, no step is taken.
  const same = await train(() => (task = new TinyTask({ lr: cfg.train.lr, sleepMs: 100 })), { config: cfg, runDir: out, resume: true, progress: null });
  assert.equal(same.step, r.step);
  assert.equal(task.records.length, 0);
  // With a larger budget (a key that may change on resume) it goes on from where it stopped:
  // the resumed clock starts at the time recorded at that step, at most r.wallClockS.
  const more = tinyConfig(data, { ...cfg.train, maxSeconds: r.wallClockS + 1.5 });
  const next = await train(() => (task = new TinyTask({ lr: cfg.train.lr, sleepMs: 100 })), { config: more, runDir: out, resume: true, progress: null });
  assert.equal(next.stoppedBy, 'time');
  assert.ok(next.step > r.step, `went on from step ${r.step} to ${next.step}`);
  assert.equal(task.records[0]!.step, r.step);
  // Without a budget the same steps run to the planned end.
  const plain = await train(() => new TinyTask({ lr: cfg.train.lr }), { config: tinyConfig(data, { steps: 3, valEvery: 0 }), runDir: runDir(), progress: null });
  assert.equal(plain.stoppedBy, 'steps');
  assert.equal(plain.step, 3);
});

test('a too-small training split is refused with advice', async () => {
  const cfg = tinyConfig(data, { batchSize: 100 });
  await assert.rejects(
    train(() => new TinyTask(), { config: cfg, runDir: runDir(), progress: null }),
    /the 'train' split of .* has 64 videos, too few for one batch of 100; lower train.batchSize/,
  );
});
