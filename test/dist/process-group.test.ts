import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readDistEnv } from '../../src/dist/process-group.js';
import { planBuckets } from '../../src/dist/grad-sync.js';
import * as T from '../../src/tensor/index.js';

const worker = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');

/** A free loopback TCP port (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface RankResult { code: number | null; signal: NodeJS.Signals | null; lines: Record<string, unknown>[]; stderr: string }

async function runRanks(scenario: string, world: number, timeoutMs: number): Promise<RankResult[]> {
  const port = await freePort();
  const procs = Array.from({ length: world }, (_, rank) => {
    const env = { ...process.env, RANK: String(rank), WORLD_SIZE: String(world), LOCAL_RANK: String(rank), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), T2V_DIST_TIMEOUT_MS: String(timeoutMs), T2V_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' };
    const p = spawn(process.execPath, [worker, scenario], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise<RankResult>((resolve) =>
      p.on('exit', (code, signal) => resolve({ code, signal, stderr: err, lines: out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) })),
    );
  });
  return Promise.all(procs);
}

test('readDistEnv follows the torchrun convention', () => {
  assert.equal(readDistEnv({}), null);
  assert.deepEqual(readDistEnv({ RANK: '1', WORLD_SIZE: '2', MASTER_ADDR: 'h', MASTER_PORT: '1234' }), { rank: 1, worldSize: 2, localRank: 1, masterAddr: 'h', masterPort: 1234 });
  assert.throws(() => readDistEnv({ RANK: '2', WORLD_SIZE: '2' }), /RANK=2 must be below WORLD_SIZE=2/);
  assert.throws(() => readDistEnv({ WORLD_SIZE: '2' }), /RANK is not set/);
});

test('two Gloo ranks on loopback: sum, avg, max, broadcast, allGather, barrier', async () => {
  const rs = await runRanks('collectives', 2, 30_000);
  for (const r of rs) assert.equal(r.code, 0, r.stderr);
  for (const r of rs) {
    const o = r.lines[0]!;
    assert.deepEqual(o.sum, [3, 30]);
    assert.deepEqual(o.avg, [1.5]);
    assert.deepEqual(o.max, [3]);
    assert.deepEqual(o.broadcast, [42, 7]);
    assert.deepEqual(o.gather, [[0, 0], [1, 1]]);
    assert.equal(o.ok, true);
  }
});

test('syncGradients averages gradients over buckets; parameters, RNG and figures are shared', async () => {
  const rs = await runRanks('grads', 2, 30_000);
  for (const r of rs) assert.equal(r.code, 0, r.stderr);
  const [a, b] = rs.map((r) => r.lines[0]!);
  // d loss / d p_i = (rank+1)(i+1); the average over ranks 0 and 1 is 1.5 (i+1).
  const expected = [[1.5, 1.5, 1.5], [3, 3, 3, 3], [4.5, 4.5, 4.5, 4.5, 4.5]];
  assert.deepEqual(a!.grads, expected);
  assert.deepEqual(b!.grads, expected);
  assert.deepEqual(a!.params, [0, 0]);
  assert.deepEqual(b!.params, [0, 0]);
  assert.deepEqual(a!.draw, b!.draw);
  assert.deepEqual(a!.mean, { acc: 1, loss: 1 });
});

test('a killed rank makes the survivor fail with an error naming its rank, within the timeout', async () => {
  const rs = await runRanks('die', 2, 5_000);
  assert.equal(rs[1]!.signal, 'SIGKILL');
  const o = rs[0]!.lines[0]!;
  assert.equal(typeof o.error, 'string', 'rank 0 should have failed');
  assert.match(o.error as string, /rank 0 of 2/);
  assert.ok((o.seconds as number) < 5 + 2, `failed after ${o.seconds as number} s (timeout 5 s)`);
});

test('planBuckets keeps order, bounds bytes and gives a large tensor its own bucket', () => {
  const ps = [T.zeros([2]), T.zeros([2]), T.zeros([10]), T.zeros([1]), T.zeros([1], { dtype: 'float64' })];
  const b = planBuckets(ps, 16);
  assert.deepEqual(b.map((x) => x.map((p) => ps.indexOf(p))), [[0, 1], [2], [3], [4]]);
  ps.forEach((p) => p.dispose());
});
