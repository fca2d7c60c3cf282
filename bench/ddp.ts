/**
 * Data-parallel benchmarks (`npm run bench -- ddp`, issue 10): all-reduce bandwidth of a 100 MB
 * float32 buffer between 2 processes on loopback (Gloo), and 3DConv-Base WAE training throughput
 * (quick preset sizes, 64×64×16) in 1 process with all cores vs 2 processes with one core each,
 * through `t2v train ae` and `t2v launch` exactly as a user runs them.
 *
 * Figures: `allreduce_gb_per_s` = bytes / median time of one all-reduce (algorithm bandwidth; the
 * ring moves 2(n−1)/n of that per link, `allreduce_bus_gb_per_s`); `train_videos_per_s_1proc`
 * and `train_videos_per_s_2proc` from the run logs (videos of all ranks per second of training,
 * start-up excluded), and their ratio.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '../../bin/t2v.js');

function t2v(args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`t2v ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Videos per second over the logged training steps after the first log line (warm-up excluded). */
function throughput(run: string, batchPerRank: number, world: number): number {
  const lines = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as { type?: string; step: number; time: number })
    .filter((l) => l.type === 'train');
  const a = lines[0]!;
  const b = lines.at(-1)!;
  return ((b.step - a.step) * batchPerRank * world) / (b.time - a.time);
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 't2v-bench-ddp-'));
  try {
    // 1. All-reduce bandwidth, 100 MB, 2 ranks.
    const out = t2v(['launch', '--nproc', '2', '--threads', '1', '--', process.execPath, join(here, 'ddp-worker.js')], { T2V_BENCH_MB: '100' });
    const line = out.split('\n').find((l) => l.includes('"seconds"'))!;
    const ar = JSON.parse(line.slice(line.indexOf('{'))) as { seconds: number; bytes: number; world: number };
    const gbps = ar.bytes / ar.seconds / 1e9;
    // 2. WAE training throughput, 1 process (all cores) vs 2 processes (cores / 2 each).
    const data = join(dir, 'data');
    t2v(['data', 'syncdraw', '--out', data, '--train', '256', '--val', '8', '--test', '8'], {});
    const batch = 8;
    const steps = 12;
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ train: { steps, batchSize: batch, valEvery: 10000, ckptEvery: 10000, logEvery: 2 } }));
    const args = ['train', 'ae', '--arch', 'conv3d-base', '--preset', 'quick', '--data', data, '--config', cfg, '--quiet'];
    const cores = availableParallelism();
    t2v([...args, '--out', join(dir, 'one')], { T2V_THREADS: String(cores) });
    t2v(['launch', '--nproc', '2', '--threads', String(Math.max(1, Math.floor(cores / 2))), '--', 't2v', ...args, '--out', join(dir, 'two')], {});
    const one = throughput(join(dir, 'one'), batch, 1);
    const two = throughput(join(dir, 'two'), batch, 2);
    return {
      allreduce_mb: ar.bytes / 1e6,
      allreduce_seconds: Number(ar.seconds.toFixed(4)),
      allreduce_gb_per_s: Number(gbps.toFixed(3)),
      allreduce_bus_gb_per_s: Number(((gbps * 2 * (ar.world - 1)) / ar.world).toFixed(3)),
      train_model: 'conv3d-base quick, 64x64x16, batch 8 per process',
      train_videos_per_s_1proc: Number(one.toFixed(2)),
      train_videos_per_s_2proc: Number(two.toFixed(2)),
      train_speedup_2proc: Number((two / one).toFixed(3)),
      cores,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
