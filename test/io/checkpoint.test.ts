// Tests for src/io/checkpoint.ts: bit-exact round trips (model, optimizer, EMA, RNG), resuming
// training from a file, corruption detection, and checkpoint directory housekeeping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import {
  CheckpointError, checkpointName, listCheckpoints, loadCheckpoint, pruneCheckpoints, saveCheckpoint,
} from '../../src/io/checkpoint.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { Adam } from '../../src/optim/adam.js';
import { EMA } from '../../src/optim/ema.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 't2v-checkpoint-'));
}

function bytesOf(t: Tensor): Buffer {
  return Buffer.from(T.toBytes(t));
}

/** A small "model": named parameters of several dtypes. */
function model(): Map<string, Tensor> {
  return new Map<string, Tensor>([
    ['encoder.weight', T.randn([3, 4]).requiresGrad_()],
    ['encoder.bias', T.randn([4]).requiresGrad_()],
    ['head.scale', T.tensor([0.5, -1.5], { dtype: 'float64' }).requiresGrad_()],
    ['steps_seen', T.tensor([42], { dtype: 'int64' })],
    ['norm.gamma', T.tidy(() => T.randn([5]).toDType('bfloat16'))],
  ]);
}

function trainable(m: Map<string, Tensor>): Tensor[] {
  return [...m.values()].filter((t) => t.requiresGrad);
}

/** One Adam step with deterministic gradients (same for every run given the same t). */
function trainStep(opt: Adam, ps: Tensor[], ema: EMA, t: number): void {
  for (const [k, p] of ps.entries()) {
    const n = p.numel;
    const g = T.tensor(Array.from({ length: n }, (_, i) => Math.cos(t + i + 3 * k)), { dtype: p.dtype, shape: p.shape });
    p.setGrad(g);
    g.dispose();
  }
  opt.step();
  opt.zeroGrad();
  ema.update(ps);
}

function expectCheckpointError(fn: () => unknown, path: string, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CheckpointError, `expected CheckpointError, got ${String(err)}`);
    assert.ok(err.message.includes(path), `message lacks the path: ${err.message}`);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

test('round trip is bit-exact for model, optimizer, EMA, RNG, step and meta', () => {
  const dir = tmp();
  const live = T.liveTensors();
  T.manualSeed(7);
  const m = model();
  const ps = trainable(m);
  const opt = new Adam(ps, { lr: 0.01, amsgrad: true });
  const ema = new EMA(ps, { decay: 0.9, warmup: true });
  for (let t = 0; t < 3; t++) trainStep(opt, ps, ema, t);
  const rng = T.getRngState();
  const path = join(dir, checkpointName(3));
  const meta = { config: { model: 'tiny', lr: 0.01 }, note: 'ünïcode ✓' };
  saveCheckpoint(path, { tensors: m, optimizer: opt.stateDict(), ema: ema.stateDict(), rng, step: 3, meta });
  assert.deepEqual(readdirSync(dir), ['step-000003.safetensors'], 'no temporary files left behind');

  const drawnAfterSave = T.randn([8]);
  const ck = loadCheckpoint(path);
  assert.equal(ck.step, 3);
  assert.equal(ck.formatVersion, 1);
  assert.deepEqual(ck.meta, meta);
  assert.deepEqual([...ck.tensors.keys()].sort(), [...m.keys()].sort());
  for (const [k, t] of m) {
    const r = ck.tensors.get(k)!;
    assert.equal(r.dtype, t.dtype, k);
    assert.deepEqual(r.shape, t.shape, k);
    assert.ok(bytesOf(r).equals(bytesOf(t)), `${k} differs`);
  }
  const osd = opt.stateDict();
  assert.deepEqual(ck.optimizer!.meta, osd.meta);
  for (const [k, t] of osd.tensors) assert.ok(bytesOf(ck.optimizer!.tensors.get(k)!).equals(bytesOf(t)), `optim ${k}`);
  for (const [k, t] of ema.stateDict().tensors) assert.ok(bytesOf(ck.ema!.tensors.get(k)!).equals(bytesOf(t)), `ema ${k}`);

  // RNG: restoring the saved state replays the same draw.
  T.setRngState(ck.rng!);
  const drawnAfterRestore = T.randn([8]);
  assert.ok(bytesOf(drawnAfterRestore).equals(bytesOf(drawnAfterSave)));

  ck.dispose();
  opt.dispose();
  ema.dispose();
  for (const t of [...m.values(), rng, drawnAfterSave, drawnAfterRestore]) t.dispose();
  assert.equal(T.liveTensors(), live, 'tensors leaked');
  rmSync(dir, { recursive: true });
});

test('resuming from a checkpoint continues training bit for bit', () => {
  const dir = tmp();
  const run = (resumeFrom: string | null, saveTo: string | null): Buffer[] => {
    T.manualSeed(11);
    const m = model();
    const ps = trainable(m);
    const opt = new Adam(ps, { lr: 0.05, weightDecay: 0.01 });
    const ema = new EMA(ps, { decay: 0.8 });
    let start = 0;
    if (resumeFrom !== null) {
      using ck = loadCheckpoint(resumeFrom);
      T.noGrad(() => {
        for (const [k, t] of m) t.copy_(ck.tensors.get(k)!);
      });
      opt.loadStateDict(ck.optimizer!);
      ema.loadStateDict(ck.ema!);
      start = ck.step;
    }
    for (let t = start; t < 6; t++) {
      trainStep(opt, ps, ema, t);
      if (t === 2 && saveTo !== null) saveCheckpoint(saveTo, { tensors: m, optimizer: opt.stateDict(), ema: ema.stateDict(), step: 3 });
    }
    const out = [...m.values(), ...ema.shadow.values()].map(bytesOf);
    opt.dispose();
    ema.dispose();
    for (const t of m.values()) t.dispose();
    return out;
  };
  const path = join(dir, checkpointName(3));
  const straight = run(null, path);
  const resumed = run(path, null);
  straight.forEach((b, i) => assert.ok(b.equals(resumed[i]!), `tensor ${i} differs after resuming`));
  rmSync(dir, { recursive: true });
});

test('truncated files, flipped data bytes and foreign files are refused with clear errors', () => {
  const dir = tmp();
  const m = model();
  const path = join(dir, 'ck.safetensors');
  saveCheckpoint(path, { tensors: m, step: 1 });
  const good = readFileSync(path);
  const live = T.liveTensors();

  truncateSync(path, good.length - 5);
  expectCheckpointError(() => loadCheckpoint(path), path, /truncated/);

  const flipped = Buffer.from(good);
  const dataStart = 8 + Number(flipped.readBigUInt64LE(0));
  flipped[dataStart + Math.floor((flipped.length - dataStart) / 2)]! ^= 0x10;
  writeFileSync(path, flipped);
  expectCheckpointError(() => loadCheckpoint(path), path, /checksum mismatch/, /corrupted/);

  // A changed digit in the step (same length, so the header still parses).
  const header = good.subarray(0, dataStart).toString('latin1');
  const edited = header.replace('"step":"1"', '"step":"7"');
  assert.notEqual(edited, header);
  writeFileSync(path, Buffer.concat([Buffer.from(edited, 'latin1'), good.subarray(dataStart)]));
  expectCheckpointError(() => loadCheckpoint(path), path, /checksum mismatch in __metadata__/);

  const foreign = join(dir, 'foreign.safetensors');
  writeSafetensors(foreign, new Map([['w', { dtype: 'U8' as const, shape: [1], data: new Uint8Array([1]) }]]), { format: 'pt' });
  expectCheckpointError(() => loadCheckpoint(foreign), foreign, /not a t2vlab checkpoint/);

  expectCheckpointError(() => loadCheckpoint(join(dir, 'missing.safetensors')), join(dir, 'missing.safetensors'), /file not found/);
  assert.equal(T.liveTensors(), live, 'a refused load allocated tensors');
  for (const t of m.values()) t.dispose();
  rmSync(dir, { recursive: true });
});

test('saveCheckpoint rejects a bad step', () => {
  const dir = tmp();
  const path = join(dir, 'x.safetensors');
  expectCheckpointError(() => saveCheckpoint(path, { tensors: new Map(), step: -1 }), path, /step must be an integer >= 0/);
  rmSync(dir, { recursive: true });
});

test('listCheckpoints sorts by step; pruneCheckpoints keeps the newest and the best', () => {
  const dir = tmp();
  assert.deepEqual(listCheckpoints(join(dir, 'nope')), []);
  for (const s of [100, 5, 1_000_000, 300, 200]) writeFileSync(join(dir, checkpointName(s)), 'x');
  writeFileSync(join(dir, 'notes.txt'), 'x');
  symlinkSync(checkpointName(100), join(dir, 'best.safetensors'));
  assert.equal(checkpointName(5), 'step-000005.safetensors');
  assert.equal(checkpointName(1_000_000), 'step-1000000.safetensors');
  assert.deepEqual(listCheckpoints(dir).map((e) => e.step), [5, 100, 200, 300, 1_000_000]);

  const deleted = pruneCheckpoints(dir, 2, ['best.safetensors']);
  assert.deepEqual(deleted, [join(dir, checkpointName(5)), join(dir, checkpointName(200))]);
  assert.deepEqual(readdirSync(dir).sort(), ['best.safetensors', 'notes.txt', checkpointName(100), checkpointName(300), checkpointName(1_000_000)].sort());
  assert.throws(() => pruneCheckpoints(dir, -1), /keepLast must be an integer >= 0/);
  rmSync(dir, { recursive: true });
});
