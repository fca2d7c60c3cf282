/**
 * Classifier-free guidance (Ho & Salimans 2022, "Classifier-Free Diffusion Guidance",
 * https://arxiv.org/abs/2207.12598).
 *
 * Training (§3.2, Algorithm 1): with probability p_uncond (0.1 here, as the paper's best
 * settings and Latte/PixArt) a sample's condition is replaced by the null condition, so one
 * network learns both ε(x, c) and ε(x, ∅). Our null condition is the denoiser's learned
 * `null_cond` (layers/condition.ts).
 *
 * Sampling (eq. 6, written with guidance scale s = 1 + w):
 *   ε̃ = ε(x, ∅) + s · (ε(x, c) − ε(x, ∅))
 * s = 1 is the plain conditional model, s = 0 the unconditional one. The same combination is
 * applied to v or flow-velocity outputs (all are affine in the score). Both branches run in one
 * batched forward: rows [cond; uncond] with `dropCondition` = [false…; true…].
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { TextTokens } from '../models/conditioning.js';
import type { Denoiser } from './denoisers/types.js';

/** Default probability of dropping the condition in training. */
export const COND_DROPOUT = 0.1;

/** (B) bool: each row true (use the null condition) with probability p, from libtorch's generator. */
export function conditionDropout(batch: number, p: number = COND_DROPOUT): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`condition dropout must be a probability in [0, 1], got ${p}`);
  return T.tidy(() => T.rand([batch]).ltScalar(p)); // (B) bool
}

/** uncond + s·(cond − uncond). */
export function combineGuidance(cond: Tensor, uncond: Tensor, scale: number): Tensor {
  return T.tidy(() => uncond.add(cond.sub(uncond).mulScalar(scale))); // cond's shape
}

/**
 * The guided prediction for x (B, …) at times t (B): one forward of 2B rows (cond, then null)
 * when s ≠ 1; a single conditional forward when s = 1; the unconditional model when cond is null.
 */
export function guidedPrediction(denoiser: Denoiser, x: Tensor, t: Tensor, cond: TextTokens | null, scale: number): Tensor {
  if (!Number.isFinite(scale)) throw new Error(`guidance scale must be a finite number, got ${scale}`);
  if (cond === null) return denoiser.forward(x, t, null);
  if (scale === 1) return denoiser.forward(x, t, cond);
  return T.tidy(() => {
    const B = x.size(0);
    const twice = (a: Tensor): Tensor => T.cat([a, a], { dim: 0 }); // (2B, …)
    const drop = T.cat([T.zeros([B], { dtype: 'bool' }), T.ones([B], { dtype: 'bool' })]); // (2B): [cond; null]
    const both: TextTokens = { states: twice(cond.states), mask: twice(cond.mask), pooled: twice(cond.pooled) };
    const out = denoiser.forward(twice(x), twice(t), both, { dropCondition: drop }); // (2B, …)
    const [c, u] = out.chunk(2, { dim: 0 }) as [Tensor, Tensor]; // 2 × (B, …)
    return combineGuidance(c, u, scale); // (B, …)
  });
}
