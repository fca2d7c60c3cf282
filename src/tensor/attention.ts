/**
 * Scaled dot-product attention (Vaswani et al. 2017, eq. 1):
 *   Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + M) V
 * with an optional additive or boolean mask M and causal masking. Shapes:
 *   q (…, L, E), k (…, S, E), v (…, S, Ev) → (…, L, Ev)
 * Written from matmul/softmax so it is differentiable in float64 for gradient checks.
 */
import { Tensor } from './tensor.js';
import { tidy } from './scope.js';
import { dropout, ones } from './ops.generated.js';

export interface AttentionOptions {
  /** Boolean mask (true = attend) or additive float mask, broadcastable to (…, L, S). */
  mask?: Tensor | null;
  /** Mask out keys after the query position (decoder / CLIP text tower). */
  causal?: boolean;
  /** Dropout on the attention weights (only when `training`). */
  dropoutP?: number;
  training?: boolean;
  /** Defaults to 1/√E. */
  scale?: number;
}

export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  return tidy(() => {
    const e = q.size(-1);
    const L = q.size(-2);
    const S = k.size(-2);
    const scale = opts.scale ?? 1 / Math.sqrt(e);
    let scores = q.matmul(k.transpose(-2, -1)).mulScalar(scale); // (…, L, S)
    if (opts.causal) {
      const allowed = ones([L, S], { dtype: 'bool' }).tril(); // (L, S)
      scores = maskedBy(scores, allowed);
    }
    if (opts.mask) {
      scores = opts.mask.dtype === 'bool' ? maskedBy(scores, opts.mask) : scores.add(opts.mask);
    }
    let attn = scores.softmax(-1); // (…, L, S)
    if (opts.dropoutP && opts.training) attn = dropout(attn, opts.dropoutP, true);
    return attn.matmul(v); // (…, L, Ev)
  });
}

/** scores where `allowed`, −∞ elsewhere (keeps scores' dtype and autograd). */
function maskedBy(scores: Tensor, allowed: Tensor): Tensor {
  return scores.maskedFill(allowed.logicalNot(), Number.NEGATIVE_INFINITY);
}
