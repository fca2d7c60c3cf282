/**
 * `l2Normalize`: x / max(‖x‖₂, eps) along a dimension, as `torch.nn.functional.normalize`
 * (p = 2, eps = 1e-12).
 */
import * as T from './ops.generated.js';
import type { Tensor } from './tensor.js';
import { tidy } from './scope.js';

/** x (…, D, …) → the same shape with unit L2 norm along `dim` (default the last). */
export function l2Normalize(x: Tensor, dim = -1, eps = 1e-12): Tensor {
  return tidy(() => x.div(T.clampMin(T.linalgVectorNorm(x, { dim, keepdim: true }), eps))); // (…)
}
