/**
 * Issue 10 acceptance: killing one rank of a data-parallel run makes the others fail with a clear
 * error within the configured timeout (no hang), and the run resumes from its last checkpoint
 * with a different number of processes (2 → 1) and finishes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(root, 'bin/t2v.js');
const env = { ...process.env, T2V_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE', T2V_DIST_TIMEOUT_MS: '10000' };

function childrenOf(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

test('a killed rank stops the job with a clear error; the run resumes on 1 process and finishes', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 't2v-ddp-resume-'));
  try {
    const data = join(dir, 'data');
    const g = spawnSync(process.execPath, [bin, 'data', 'syncdraw', '--out', data, '--train', '64', '--val', '4', '--test', '4', '--size', '32', '--frames', '8'], { env, encoding: 'utf8' });
    assert.equal(g.status, 0, g.stderr);
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ train: { steps: 40, batchSize: 2, ckptEvery: 2, valEvery: 1000, logEvery: 1, keepLast: 50 } }));
    const run = join(dir, 'run');
    const args = ['train', 'ae', '--arch', 'conv3d-base', '--preset', 'micro', '--data', data, '--out', run, '--config', cfg, '--quiet'];
    const launcher = spawn(process.execPath, [bin, 'launch', '--nproc', '2', '--threads', '1', '--', 't2v', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    launcher.stdout.on('data', (d: Buffer) => (output += d.toString()));
    launcher.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => launcher.on('exit', (code) => resolve(code)));
    // Wait for the step-4 checkpoint, then SIGKILL rank 1.
    const ckpt = join(run, 'ckpt');
    const t0 = Date.now();
    while (!(existsSync(ckpt) && readdirSync(ckpt).some((f) => /0*4\.safetensors$/.test(f) || /step-0*4/.test(f)))) {
      assert.ok(Date.now() - t0 < 120_000, `no step-4 checkpoint after 120 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ranks = childrenOf(launcher.pid!);
    assert.equal(ranks.length, 2, 'the launcher should have two workers');
    const killedAt = Date.now();
    process.kill(ranks[1]!, 'SIGKILL');
    const code = await exited;
    const seconds = (Date.now() - killedAt) / 1000;
    assert.notEqual(code, 0);
    assert.ok(seconds < 10 + 5, `the job took ${seconds} s to stop (timeout 10 s)`);
    assert.match(output, /rank 1 was killed by SIGKILL/);
    // Resume on one process: it continues from the newest checkpoint and completes.
    const r = spawnSync(process.execPath, [bin, ...args, '--resume'], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, `resume failed:\n${r.stdout}\n${r.stderr}`);
    const results = JSON.parse(readFileSync(join(run, 'results.json'), 'utf8')) as { steps: number };
    assert.equal(results.steps, 40);
    const steps = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number }).filter((l) => l.type === 'train').map((l) => l.step);
    assert.equal(steps.at(-1), 40);
    assert.deepEqual(steps, [...new Set(steps)].sort((a, b) => a - b), 'log steps are unique and increasing across the resume');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
