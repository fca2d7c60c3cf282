// PLACEHOLDER: replaced by the flow branch's implementation at merge (signature agreed).
import type { Tensor } from '../../tensor/index.js';

/** KVD (TATS `polynomial_mmd`, metrics.md §3): unbiased MMD² with the cubic polynomial kernel between x (N, D) and y (M, D). */
export function kernelDistance(x: Tensor, y: Tensor): number {
  throw new Error(`kernelDistance(${x.shape}, ${y.shape}) is not implemented`);
}
