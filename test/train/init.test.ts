// Warm start (src/train/init.ts, `train.init`): a fresh run starts from a finished run's exported
// weights with a fresh optimizer, schedule and step; mismatches are refused with the reason.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, TrainError } from '../../src/train/trainer.js';
import { loadTensors } from '../../src/io/tensors.js';
import { TinyTask, makeTinyData, tinyConfig } from './tiny-task.js';

let data = '';
const runDir = (): string => join(mkdtempSync(join(tmpdir(), 't2v-init-')), 'run');

before(async () => {
  data = await makeTinyData();
});

/** The exported weights of a run's module as plain arrays by key. */
function exported(run: string, module: string): Map<string, number[]> {
  const { tensors } = loadTensors(join(run, 'model', `${module}.safetensors`));
  const out = new Map<string, number[]>();
  for (const [k, t] of tensors) {
    out.set(k, [...t.toFloat32Array()]);
    t.dispose();
  }
  return out;
}

test('train.init: the new run starts from the source run\'s exported weights, its own step count and optimizer', async () => {
  const src = runDir();
  await train(() => new TinyTask({ lr: 0.05 }), { config: tinyConfig(data, { steps: 6, valEvery: 0, seed: 3 }), runDir: src, progress: null });
  const srcNet = exported(src, 'net');
  const srcScalar = exported(src, 'scalar');
  assert.notEqual(srcScalar.get('w')![0], 0, 'the source run moved its scalar off its initial 0');

  // One step at a vanishing learning rate: the exported weights are the initial ones to ~1e-12.
  const dst = runDir();
  const cfg = tinyConfig(data, { steps: 1, warmupSteps: 0, valEvery: 0, seed: 11, init: src, lr: 1e-12 });
  const r = await train(() => new TinyTask({ lr: cfg.train.lr, scalarLr: 1e-12 }), { config: cfg, runDir: dst, progress: null });
  assert.equal(r.step, 1, 'the warm-started run counts its own steps from 0');
  for (const [k, v] of exported(dst, 'net')) {
    const want = srcNet.get(k)!;
    assert.equal(v.length, want.length);
    for (let i = 0; i < v.length; i++) assert.ok(Math.abs(v[i]! - want[i]!) < 1e-9, `net.${k}[${i}]: ${v[i]} vs ${want[i]}`);
  }
  assert.ok(Math.abs(exported(dst, 'scalar').get('w')![0]! - srcScalar.get('w')![0]!) < 1e-9);
  // The init is part of the recorded config, so a resume must give the same one.
  assert.equal((JSON.parse(readFileSync(join(dst, 'config.json'), 'utf8')) as { train: { init: string } }).train.init, src);

  // A module the source has no weights for keeps its fresh initialisation (the scalar's 0).
  rmSync(join(src, 'model', 'scalar.safetensors'));
  const dst2 = runDir();
  await train(() => new TinyTask({ lr: 1e-12, scalarLr: 1e-12 }), { config: tinyConfig(data, { steps: 1, warmupSteps: 0, valEvery: 0, init: src, lr: 1e-12 }), runDir: dst2, progress: null });
  assert.ok(Math.abs(exported(dst2, 'scalar').get('w')![0]!) < 1e-9);
});

test('train.init refuses a folder that is not a finished run, a run of another kind, and weights of other shapes', async () => {
  const notRun = mkdtempSync(join(tmpdir(), 't2v-init-empty-'));
  await assert.rejects(
    train(() => new TinyTask(), { config: tinyConfig(data, { steps: 1, warmupSteps: 0, init: notRun }), runDir: runDir(), progress: null }),
    (e: Error) => e instanceof TrainError && /task\.json' is missing: it is not a trained run folder/.test(e.message) && e.message.includes('finished run'),
  );
  const src = runDir();
  await train(() => new TinyTask(), { config: tinyConfig(data, { steps: 2, valEvery: 0 }), runDir: src, progress: null });
  const taskJson = join(src, 'model', 'task.json');
  const original = readFileSync(taskJson, 'utf8');
  writeFileSync(taskJson, JSON.stringify({ kind: 'ae/conv3d-base' }));
  await assert.rejects(
    train(() => new TinyTask(), { config: tinyConfig(data, { steps: 1, warmupSteps: 0, init: src }), runDir: runDir(), progress: null }),
    /train\.init: .*task\.json' describes a 'ae\/conv3d-base' run, not a test\/tiny run like this one; give the folder of a finished run/,
  );
  writeFileSync(taskJson, original);
  // Weights of another shape: the source's net exported with one key replaced by a wrong-sized tensor.
  const netPath = join(src, 'model', 'net.safetensors');
  const hdrLen = Number(readFileSync(netPath).readBigUInt64LE(0));
  const buf = readFileSync(netPath);
  const header = JSON.parse(buf.subarray(8, 8 + hdrLen).toString('utf8')) as Record<string, { shape: number[] }>;
  header['enc.bias']!.shape = [2, 4]; // same byte count (8 floats), other shape
  const h = Buffer.from(JSON.stringify(header).padEnd(hdrLen, ' '));
  assert.equal(h.length, hdrLen, 'the edited header keeps its length');
  writeFileSync(netPath, Buffer.concat([buf.subarray(0, 8), h, buf.subarray(8 + hdrLen)]));
  await assert.rejects(
    train(() => new TinyTask(), { config: tinyConfig(data, { steps: 1, warmupSteps: 0, init: src }), runDir: runDir(), progress: null }),
    /train\.init: the weights of 'net' in .* do not fit this run's model/,
  );
});

test('a run saved before train.init existed (no such key in its config.json) still resumes', async () => {
  const out = runDir();
  const cfg = tinyConfig(data, { steps: 4, valEvery: 0 });
  await train(() => new TinyTask({ lr: cfg.train.lr }), { config: cfg, runDir: out, progress: null });
  const path = join(out, 'config.json');
  const saved = JSON.parse(readFileSync(path, 'utf8')) as { train: Record<string, unknown> };
  delete saved.train['init'];
  writeFileSync(path, JSON.stringify(saved));
  const r = await train(() => new TinyTask({ lr: cfg.train.lr }), { config: cfg, runDir: out, resume: true, progress: null });
  assert.equal(r.step, 4);
  // A key that really differs is still refused.
  saved.train['seed'] = 99;
  writeFileSync(path, JSON.stringify(saved));
  await assert.rejects(
    train(() => new TinyTask(), { config: cfg, runDir: out, resume: true, progress: null }),
    (err: Error) => err instanceof TrainError && /train\.seed: 99 in .*config\.json, 7 now/.test(err.message),
  );
});
