/**
 * Data-parallel collectives on PyTorch's distributed engine (c10d), as
 * `torch.distributed.init_process_group` with a TCPStore rendezvous: Gloo on CPU, NCCL when
 * the addon was built against a CUDA libtorch. Collectives work in place on tensors and block
 * until done; a timeout or a dead peer throws an Error naming this rank and the store address.
 *
 * @example
 *   // in each of WORLD_SIZE processes started by `t2v launch`:
 *   const pg = ProcessGroup.fromEnv();        // RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT
 *   const x = T.tensor([pg.rank + 1]);
 *   pg.allReduce([x], 'sum');                  // x = [1 + 2 + … + WORLD_SIZE]
 *   pg.destroy();
 */
import { native } from '../tensor/native.js';
import { Tensor } from '../tensor/index.js';

export type ReduceOp = 'sum' | 'avg' | 'max' | 'min' | 'product';
export type Backend = 'gloo' | 'nccl';

export interface ProcessGroupOptions {
  rank: number;
  worldSize: number;
  /** Rendezvous host (rank 0 listens there); default 127.0.0.1. */
  masterAddr?: string;
  /** Rendezvous port; default 29500. */
  masterPort?: number;
  /** Timeout of the rendezvous and of every collective; default 60 000 ms. */
  timeoutMs?: number;
  /** Default 'gloo'. */
  backend?: Backend;
  /** Network interface for Gloo (as GLOO_SOCKET_IFNAME); default: the one that reaches masterAddr. */
  interface?: string;
}

/** Environment variables in the torchrun convention. */
export interface DistEnv {
  rank: number;
  worldSize: number;
  localRank: number;
  masterAddr: string;
  masterPort: number;
}

/** Read RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT; null when WORLD_SIZE is unset. */
export function readDistEnv(env: NodeJS.ProcessEnv = process.env): DistEnv | null {
  if (env.WORLD_SIZE === undefined) return null;
  const num = (name: string, fallback?: number): number => {
    const raw = env[name];
    if (raw === undefined) {
      if (fallback !== undefined) return fallback;
      throw new Error(`${name} is not set; data-parallel runs need RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT (use \`t2v launch\`)`);
    }
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 0) throw new Error(`${name}=${raw} is not a non-negative integer`);
    return v;
  };
  const worldSize = num('WORLD_SIZE');
  const rank = num('RANK');
  if (worldSize < 1 || rank >= worldSize) throw new Error(`RANK=${rank} must be below WORLD_SIZE=${worldSize}`);
  return { rank, worldSize, localRank: num('LOCAL_RANK', rank), masterAddr: env.MASTER_ADDR ?? '127.0.0.1', masterPort: num('MASTER_PORT', 29500) };
}

export class ProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  readonly backend: Backend;
  readonly address: string;
  #id: number;

  private constructor(id: number, o: Required<Omit<ProcessGroupOptions, 'interface'>>) {
    this.#id = id;
    this.rank = o.rank;
    this.worldSize = o.worldSize;
    this.backend = o.backend;
    this.address = `${o.masterAddr}:${o.masterPort}`;
  }

  /** Backends this build of the addon offers. */
  static backends(): Backend[] {
    return native.distBackends() as Backend[];
  }

  /** Rendezvous with the other ranks (blocks until all `worldSize` ranks joined or the timeout). */
  static init(opts: ProcessGroupOptions): ProcessGroup {
    const o = {
      rank: opts.rank,
      worldSize: opts.worldSize,
      masterAddr: opts.masterAddr ?? '127.0.0.1',
      masterPort: opts.masterPort ?? 29500,
      timeoutMs: opts.timeoutMs ?? 60_000,
      backend: opts.backend ?? 'gloo',
    };
    if (!Number.isInteger(o.masterPort) || o.masterPort <= 0 || o.masterPort > 65535) throw new Error(`master port ${o.masterPort} is not a TCP port`);
    const id = native.distInit({
      host: o.masterAddr, port: o.masterPort, rank: o.rank, worldSize: o.worldSize, timeoutMs: o.timeoutMs, backend: o.backend,
      ...(opts.interface ? { interface: opts.interface } : {}),
    });
    return new ProcessGroup(id, o);
  }

  /** From the torchrun-style environment (`t2v launch` sets it); T2V_DIST_TIMEOUT_MS overrides the timeout. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, extra: Partial<ProcessGroupOptions> = {}): ProcessGroup {
    const d = readDistEnv(env);
    if (!d) throw new Error('WORLD_SIZE is not set: start data-parallel runs with `t2v launch --nproc N -- t2v train ...`');
    const timeoutMs = env.T2V_DIST_TIMEOUT_MS ? Number(env.T2V_DIST_TIMEOUT_MS) : undefined;
    return ProcessGroup.init({ ...d, ...(timeoutMs ? { timeoutMs } : {}), ...(env.GLOO_SOCKET_IFNAME ? { interface: env.GLOO_SOCKET_IFNAME } : {}), ...extra });
  }

  get #group(): number {
    if (this.#id === 0) throw new Error('process group used after destroy()');
    return this.#id;
  }

  /** Reduce each tensor across ranks, in place (contiguous tensors). 'avg' divides the sum by worldSize. */
  allReduce(tensors: Tensor[], op: ReduceOp = 'sum'): void {
    native.distAllReduce(this.#group, tensors.map((t) => t.handle), op);
  }

  /** Overwrite each tensor with rank `root`'s, in place. */
  broadcast(tensors: Tensor[], root = 0): void {
    native.distBroadcast(this.#group, tensors.map((t) => t.handle), root);
  }

  /** Every rank's copy of `t`, in rank order (new tensors the caller owns). */
  allGather(t: Tensor): Tensor[] {
    return native.distAllGather(this.#group, t.handle).map((h) => new Tensor(h));
  }

  barrier(): void {
    native.distBarrier(this.#group);
  }

  destroy(): void {
    if (this.#id !== 0) native.distDestroy(this.#id);
    this.#id = 0;
  }
}
