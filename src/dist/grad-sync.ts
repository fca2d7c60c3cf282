/**
 * Gradient averaging for data-parallel training, after PyTorch DDP's reducer
 * (torch/csrc/distributed/c10d/reducer.cpp): after backward, gradients are packed into
 * size-bounded buckets (default 25 MiB, DDP's `bucket_cap_mb`), each bucket is all-reduced
 * (averaged) as one flat tensor, and the averages are copied back into the gradients. Bucket
 * layout depends only on the parameter list, so every rank builds the same buckets.
 *
 * A parameter without a gradient on this rank contributes zeros (DDP with
 * `find_unused_parameters` would skip it on every rank; zeros give the same average only when it
 * is unused everywhere, which is the case for the models here).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { ProcessGroup } from './process-group.js';

export interface GradSyncOptions {
  /** Bytes per bucket; default 25 MiB. */
  bucketBytes?: number;
}

/** Average the gradients of `params` across the ranks of `pg`, in size-bounded buckets. */
export function syncGradients(pg: ProcessGroup, params: Tensor[], opts: GradSyncOptions = {}): void {
  if (pg.worldSize === 1) return;
  const cap = opts.bucketBytes ?? 25 * 1024 * 1024;
  for (const bucket of planBuckets(params, cap)) {
    T.tidy(() => {
      const grads = bucket.map((p) => {
        const g = p.grad;
        if (g) return g;
        const z = T.zerosLike(p);
        p.setGrad(z);
        return z;
      });
      const flat = T.cat(grads.map((g) => g.reshape([-1]))); // (Σ numel)
      pg.allReduce([flat], 'avg');
      const pieces = T.splitWithSizes(flat, grads.map((g) => g.numel)); // [(numel_i)]
      grads.forEach((g, i) => g.copy_(pieces[i]!.view(g.shape)));
    });
  }
}

/** Group parameters (in order, same dtype per bucket) into buckets of at most `cap` bytes (a larger tensor gets its own). */
export function planBuckets(params: Tensor[], cap: number): Tensor[][] {
  const buckets: Tensor[][] = [];
  let cur: Tensor[] = [];
  let bytes = 0;
  let dtype = '';
  for (const p of params) {
    const b = p.numel * T.BYTES_PER_ELEMENT[p.dtype];
    if (cur.length > 0 && (bytes + b > cap || p.dtype !== dtype)) {
      buckets.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(p);
    bytes += b;
    dtype = p.dtype;
  }
  if (cur.length > 0) buckets.push(cur);
  return buckets;
}

/** Overwrite every tensor with rank 0's (parameters and buffers at the start of training). */
export function broadcastTensors(pg: ProcessGroup, tensors: Tensor[]): void {
  if (pg.worldSize === 1) return;
  T.noGrad(() => pg.broadcast(tensors, 0));
}

/** Give every rank rank 0's CPU RNG state (so random draws start identical on all ranks). */
export function broadcastRngState(pg: ProcessGroup): void {
  if (pg.worldSize === 1) return;
  T.tidy(() => {
    const s = T.getRngState(); // (5056) uint8
    pg.broadcast([s], 0);
    T.setRngState(s);
  });
}

/** Mean of a scalar figure across ranks (for logs and validation). */
export function meanAcrossRanks(pg: ProcessGroup, values: Record<string, number>): Record<string, number> {
  if (pg.worldSize === 1) return values;
  const keys = Object.keys(values).sort();
  return T.tidy(() => {
    const t = T.tensor(keys.map((k) => values[k]!), { dtype: 'float64' });
    pg.allReduce([t], 'avg');
    const arr = t.toArray();
    return Object.fromEntries(keys.map((k, i) => [k, arr[i]!]));
  });
}
