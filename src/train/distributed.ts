/**
 * The trainer's view of a data-parallel run (issue 10 plugs PyTorch's c10d process groups in
 * here). In a single process every collective is the identity.
 *
 * How the trainer uses it:
 *   - `broadcast` module weights and the RNG state from rank 0 at the start of a fresh run, so
 *     every rank starts from the same weights and random stream (a resumed run loads both from
 *     the same checkpoint on every rank);
 *   - the training split is sharded: rank r loads batches r, r + W, … of each epoch's order
 *     (`DataLoader` `shard` with `even: true`, so ranks take the same number of steps);
 *   - `StepContext.syncGrads(params)` → the context's `syncGrads` when it has one, else
 *     `allReduce(grads, 'avg')` per gradient;
 *   - logged figures are averaged with `allReduce`; validation runs the same batches on every
 *     rank (so every rank takes the same best-checkpoint decision);
 *   - only rank 0 writes files (run folder, log, checkpoints, progress) and a `barrier` follows
 *     each checkpoint, so no rank runs ahead of a checkpoint that may be resumed from.
 */
import type { Tensor } from '../tensor/index.js';

// A c10d process group (src/dist/process-group.ts: rank, worldSize, allReduce, broadcast,
// barrier) satisfies this interface as it is.

export type ReduceOp = 'sum' | 'avg';

export interface DistributedContext {
  /** This process's rank in 0..worldSize-1. */
  readonly rank: number;
  readonly worldSize: number;
  /** Reduce the tensors element-wise across ranks, in place (every rank gets the result). */
  allReduce(tensors: Tensor[], op: ReduceOp): void;
  /** Overwrite the tensors in place with rank `root`'s values. */
  broadcast(tensors: Tensor[], root: number): void;
  /** Return once every rank has called it. */
  barrier(): void;
  /**
   * Average the gradients of `params` across ranks (e.g. in size-bounded buckets, DDP style);
   * when absent the trainer all-reduces each gradient with `allReduce(…, 'avg')`.
   */
  syncGrads?(params: Tensor[]): void;
}

/** The single-process context: rank 0 of 1; collectives change nothing. */
export const SINGLE_PROCESS: DistributedContext = Object.freeze({
  rank: 0,
  worldSize: 1,
  allReduce(): void {},
  broadcast(): void {},
  barrier(): void {},
});
