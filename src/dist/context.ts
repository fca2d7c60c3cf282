/**
 * The trainer's DistributedContext (src/train/distributed.ts) over a c10d process group, built
 * from the torchrun-style environment that `t2v launch` sets. Gradients are averaged in
 * size-bounded buckets (grad-sync.ts).
 *
 * @example
 *   const dist = distributedFromEnv();            // null outside `t2v launch`
 *   await train(task, { config, runDir, ...(dist ? { dist: dist.context } : {}) });
 *   dist?.close();
 */
import type { DistributedContext } from '../train/distributed.js';
import { ProcessGroup, readDistEnv } from './process-group.js';
import { syncGradients } from './grad-sync.js';

export interface DistributedRun {
  context: DistributedContext;
  group: ProcessGroup;
  close(): void;
}

/** A context over `pg` (bucket size in bytes for gradient averaging; default 25 MiB). */
export function contextFor(pg: ProcessGroup, bucketBytes?: number): DistributedContext {
  return {
    rank: pg.rank,
    worldSize: pg.worldSize,
    allReduce: (ts, op) => pg.allReduce(ts, op),
    broadcast: (ts, root) => pg.broadcast(ts, root),
    barrier: () => pg.barrier(),
    syncGrads: (params) => syncGradients(pg, params, bucketBytes === undefined ? {} : { bucketBytes }),
  };
}

/** Join the process group described by RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT; null when WORLD_SIZE is unset. */
export function distributedFromEnv(env: NodeJS.ProcessEnv = process.env): DistributedRun | null {
  if (!readDistEnv(env)) return null;
  const group = ProcessGroup.fromEnv(env);
  return { context: contextFor(group), group, close: () => group.destroy() };
}
