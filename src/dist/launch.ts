/**
 * The process launcher of `t2v launch`, after `torchrun`: starts `nproc` local workers of a
 * command with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT set, prefixes their
 * output with the rank, and when one worker fails stops the others and exits with its code
 * (a dead peer also makes the others' collectives fail within their timeout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createServer } from 'node:net';

export interface LaunchOptions {
  nproc: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  /** null: pick a free port (single node only). */
  masterPort: number | null;
  /** argv of the worker: argv[0] is the executable. */
  command: string[];
  /** Threads per worker (T2V_THREADS); default cores ÷ nproc, at least 1. */
  threadsPerProc?: number;
  log?: (line: string) => void;
}

/** A free TCP port on `host` (bound then released). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function prefixLines(stream: NodeJS.ReadableStream, prefix: string, out: NodeJS.WritableStream): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.search(/[\n\r]/)) >= 0) {
      out.write(prefix + buf.slice(0, i + 1));
      buf = buf.slice(i + 1);
    }
  });
  stream.on('end', () => {
    if (buf) out.write(prefix + buf + '\n');
  });
}

/** Run the workers; resolves with 0 when all succeed, else the first failure's exit code. */
export async function launch(o: LaunchOptions): Promise<number> {
  if (!Number.isInteger(o.nproc) || o.nproc < 1) throw new Error(`--nproc must be a positive integer, got ${o.nproc}`);
  if (!Number.isInteger(o.nnodes) || o.nnodes < 1) throw new Error(`--nnodes must be a positive integer, got ${o.nnodes}`);
  if (!Number.isInteger(o.nodeRank) || o.nodeRank < 0 || o.nodeRank >= o.nnodes) throw new Error(`--node-rank ${o.nodeRank} must be in 0..${o.nnodes - 1}`);
  if (o.masterPort === null && o.nnodes > 1) throw new Error('multi-node runs need --master HOST:PORT (the same on every node)');
  if (o.command.length === 0) throw new Error('nothing to launch: give the worker command after `--`, e.g. t2v launch --nproc 2 -- t2v train ae ...');
  const port = o.masterPort ?? (await freePort(o.masterAddr));
  const world = o.nnodes * o.nproc;
  const threads = o.threadsPerProc ?? Math.max(1, Math.floor(availableParallelism() / o.nproc));
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  log(`t2v launch: ${o.nproc} worker(s) on node ${o.nodeRank}/${o.nnodes}, world size ${world}, rendezvous ${o.masterAddr}:${port}, ${threads} thread(s) each`);
  const children: ChildProcess[] = [];
  let firstFailure: number | null = null;
  const exits = Array.from({ length: o.nproc }, (_, local) => {
    const rank = o.nodeRank * o.nproc + local;
    const env = {
      ...process.env,
      RANK: String(rank), WORLD_SIZE: String(world), LOCAL_RANK: String(local), LOCAL_WORLD_SIZE: String(o.nproc),
      MASTER_ADDR: o.masterAddr, MASTER_PORT: String(port),
      T2V_THREADS: process.env.T2V_THREADS ?? String(threads), OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE',
    };
    const child = spawn(o.command[0]!, o.command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    prefixLines(child.stdout!, `[rank ${rank}] `, process.stdout);
    prefixLines(child.stderr!, `[rank ${rank}] `, process.stderr);
    return new Promise<void>((resolve) => {
      child.on('error', (e) => {
        log(`t2v launch: rank ${rank} could not start: ${e.message}`);
        if (firstFailure === null) firstFailure = 127;
        resolve();
      });
      child.on('exit', (code, signal) => {
        const failed = code !== 0;
        if (failed && firstFailure === null) {
          firstFailure = code ?? 128;
          log(`t2v launch: rank ${rank} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; stopping the other workers`);
          for (const c of children) if (c !== child && c.exitCode === null) c.kill('SIGTERM');
        }
        resolve();
      });
    });
  });
  const forward = (sig: NodeJS.Signals) => () => children.forEach((c) => c.exitCode === null && c.kill(sig));
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  await Promise.all(exits);
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);
  return firstFailure ?? 0;
}
