// Resume: a run killed with SIGKILL mid-way and resumed ends with weights bit-identical to an
// uninterrupted run; damaged checkpoints are refused with a clear error, the previous good one
// stays and resuming from it works.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { train, TrainError } from '../../src/train/trainer.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { TinyTask, makeTinyData, tinyConfig } from './tiny-task.js';

const CHILD = fileURLToPath(new URL('./tiny-run.js', import.meta.url));
let data = '';
const runDir = (): string => join(mkdtempSync(join(tmpdir(), 't2v-resume-')), 'run');

before(async () => {
  data = await makeTinyData();
});

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run test/train/tiny-run.js; SIGKILL it as soon as `killWhen` exists. */
function runChild(args: Record<string, unknown>, killWhen?: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(args)], {
      env: { ...process.env, T2V_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killWhen
      ? setInterval(() => {
          if (existsSync(killWhen)) child.kill('SIGKILL');
        }, 5)
      : null;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Every tensor's bytes of a safetensors file, by name. */
function tensorBytes(path: string): Map<string, Buffer> {
  const { tensors } = readSafetensors(path);
  return new Map([...tensors].map(([k, r]) => [k, Buffer.from(r.data)]));
}

function assertSameTensors(a: string, b: string): void {
  const ta = tensorBytes(a);
  const tb = tensorBytes(b);
  assert.deepEqual([...tb.keys()].sort(), [...ta.keys()].sort(), `${b}: tensor names`);
  for (const [k, v] of ta) assert.ok(v.equals(tb.get(k)!), `${k} differs between ${a} and ${b}`);
}

/** log.jsonl without the wall-clock fields. */
function logWithoutTimes(dir: string): unknown[] {
  return readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { time: _t, videos_per_s: _v, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
}

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

test('SIGKILL mid-run, then --resume: final weights bit-identical to an uninterrupted run', async () => {
  const trainCfg = { steps: 30, ckptEvery: 5, keepLast: 2, valEvery: 10, logEvery: 2, ema: 0.9 };
  // The uninterrupted reference, in this process (same code, seed and thread count).
  const ref = runDir();
  const cfg = tinyConfig(data, trainCfg);
  await train(() => new TinyTask({ lr: cfg.train.lr, ema: true }), { config: cfg, runDir: ref, progress: null });

  // Killed once the second checkpoint (step 10) exists; each step sleeps 25 ms so it is mid-run.
  const out = runDir();
  const second = join(out, 'ckpt', 'step-000010.safetensors');
  const killed = await runChild({ data, out, train: trainCfg, sleepMs: 25 }, second);
  assert.equal(killed.signal, 'SIGKILL', `the child was not killed (exit ${killed.code}): ${killed.stderr}`);
  assert.ok(existsSync(second));
  assert.ok(!existsSync(join(out, 'ckpt', 'step-000030.safetensors')), 'killed after the end');
  assert.ok(!existsSync(join(out, 'results.json')));

  const resumed = await runChild({ data, out, train: trainCfg, resume: true });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(JSON.parse(resumed.stdout), { step: 30, completed: true });

  for (const m of ['net', 'scalar']) {
    const pa = join(ref, 'model', `${m}.safetensors`);
    const pb = join(out, 'model', `${m}.safetensors`);
    assert.ok(readFileSync(pa).equals(readFileSync(pb)), `model/${m}.safetensors differs`);
  }
  // Weights, optimizer moments, EMA and RNG state of the final checkpoints, byte for byte.
  assertSameTensors(join(ref, 'ckpt', 'step-000030.safetensors'), join(out, 'ckpt', 'step-000030.safetensors'));
  // The log was cut back to the checkpoint and continued as if never interrupted.
  assert.deepEqual(logWithoutTimes(out), logWithoutTimes(ref));
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { sessions: { fromStep: number; toStep: number }[] };
  assert.equal(run.sessions.length, 2);
  assert.ok(run.sessions[1]!.fromStep >= 10 && run.sessions[1]!.fromStep < 30 && run.sessions[1]!.fromStep % 5 === 0);
  assert.equal(run.sessions[1]!.toStep, 30);
});

const SETTINGS = { steps: 12, ckptEvery: 3, keepLast: 5, valEvery: 6, ema: 0.8 };

/** A run stopped (by its abort signal) after step 9, with checkpoints at steps 3, 6 and 9. */
async function interruptedRun(): Promise<string> {
  const out = runDir();
  const cfg = tinyConfig(data, SETTINGS);
  const ac = new AbortController();
  const r = await train(() => new TinyTask({ lr: cfg.train.lr, ema: true, onStep: (s) => s === 8 && ac.abort() }), {
    config: cfg,
    runDir: out,
    signal: ac.signal,
    progress: null,
  });
  assert.deepEqual([r.step, r.completed], [9, false]);
  return out;
}

let reference = '';
async function referenceRun(): Promise<string> {
  if (reference) return reference;
  reference = runDir();
  const cfg = tinyConfig(data, SETTINGS);
  await train(() => new TinyTask({ lr: cfg.train.lr, ema: true }), { config: cfg, runDir: reference, progress: null });
  return reference;
}

async function checkDamagedNewest(damage: (path: string) => void, reason: RegExp): Promise<void> {
  const ref = await referenceRun();
  const out = await interruptedRun();
  const cfg = tinyConfig(data, SETTINGS);
  const newest = join(out, 'ckpt', 'step-000009.safetensors');
  const previous = join(out, 'ckpt', 'step-000006.safetensors');
  const previousSha = sha(previous);
  damage(newest);

  // 1. Refused, naming the damaged file, what is wrong, and the intact previous one with the flag.
  await assert.rejects(
    train(() => new TinyTask({ lr: cfg.train.lr, ema: true }), { config: cfg, runDir: out, resume: true, progress: null }),
    (err: Error) => {
      assert.ok(err instanceof TrainError, String(err));
      assert.ok(err.message.includes(`checkpoint ${newest}:`), err.message);
      assert.match(err.message, reason);
      assert.ok(err.message.includes(`the previous checkpoint ${previous} (step 6) is intact: resume from it with --resume-from ${previous}`), err.message);
      return true;
    },
  );
  // 2. The previous good checkpoint is untouched.
  assert.equal(sha(previous), previousSha);
  loadCheckpoint(previous).dispose();

  // 3. Resuming from it completes the run with the uninterrupted run's weights.
  const r = await train(() => new TinyTask({ lr: cfg.train.lr, ema: true }), { config: cfg, runDir: out, resume: previous, progress: null });
  assert.deepEqual([r.step, r.completed], [12, true]);
  assert.ok(existsSync(`${newest}.superseded`), 'the damaged checkpoint is set aside, not deleted');
  loadCheckpoint(newest).dispose(); // written again by the resumed run
  for (const m of ['net', 'scalar']) assertSameTensors(join(ref, 'model', `${m}.safetensors`), join(out, 'model', `${m}.safetensors`));
  assertSameTensors(join(ref, 'ckpt', 'step-000012.safetensors'), join(out, 'ckpt', 'step-000012.safetensors'));
}

test('a corrupted checkpoint (one flipped byte) is refused; resume from the previous one is exact', async () => {
  await checkDamagedNewest((p) => {
    const b = readFileSync(p);
    b[b.length - 3] ^= 0x10; // inside the data section
    writeFileSync(p, b);
  }, /checksum mismatch: the data hashes to sha256 [0-9a-f]{64} but the header records [0-9a-f]{64}; the file is corrupted/);
});

test('a truncated checkpoint is refused; resume from the previous one is exact', async () => {
  await checkDamagedNewest((p) => truncateSync(p, Math.floor(statSync(p).size * 0.6)), /unreadable: /);
});
