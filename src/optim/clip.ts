/**
 * Gradient clipping by global norm, exactly `torch.nn.utils.clip_grad_norm_`
 * (https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html).
 *
 *   total ← ‖(‖g₁‖ₚ, …, ‖gₙ‖ₚ)‖ₚ          (p = normType; p = ∞ gives max |g|)
 *   coef  ← maxNorm / (total + 1e-6)     (computed as torch does: reciprocal, then multiply)
 *   gᵢ    ← gᵢ · coef                    only when coef < 1 (or NaN)
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

export interface ClipOptions {
  /** Throw when the total norm is NaN or ±∞ (torch's `error_if_nonfinite`). Default false. */
  errorIfNonfinite?: boolean;
}

/**
 * Rescale the gradients of `params` in place so their combined `normType`-norm is at most
 * `maxNorm`; returns the total norm before clipping. Parameters without a gradient are ignored;
 * with none at all the result is 0.
 *
 * @example
 *   loss.backward();
 *   const norm = clipGradNorm(params, 1.0);   // e.g. 3.52; the grads now have norm ≈ 1
 *   opt.step();
 */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType = 2, opts: ClipOptions = {}): number {
  if (!(maxNorm >= 0) || !Number.isFinite(maxNorm)) throw new Error(`clipGradNorm: maxNorm must be a finite number >= 0, got ${maxNorm}`);
  if (!(normType > 0)) throw new Error(`clipGradNorm: normType must be > 0 (or Infinity), got ${normType}`);
  return T.tidy(() =>
    T.noGrad(() => {
      // 1. Gradients (1 native read per parameter), then one norm kernel for all of them.
      const grads: Tensor[] = [];
      for (const p of params) {
        const g = p.grad;
        if (g !== null) grads.push(g);
      }
      if (grads.length === 0) return 0;
      const norms = T.foreachNorm(grads, { ord: normType }); // n × ()
      // 2. Total norm: the norm of the per-tensor norms.
      const total = T.linalgVectorNorm(T.stack(norms), { ord: normType }); // ()
      const totalValue = total.item();
      if (opts.errorIfNonfinite && !Number.isFinite(totalValue)) {
        throw new Error(
          `clipGradNorm: the total ${normType}-norm of the gradients is ${totalValue}, so they cannot be clipped; ` +
            'look for a NaN/Inf in the loss or lower the learning rate (or pass errorIfNonfinite: false)',
        );
      }
      // 3. coef = maxNorm / (total + 1e-6), clamped to 1, in the gradients' dtype as torch computes it.
      const coef = total.addScalar(1e-6).reciprocal().mulScalar(maxNorm).clampMax(1).item();
      // 4. Rescale only when it shrinks the gradients (multiplying by 1 would change nothing); a NaN
      //    total poisons the gradients, as in torch.
      if (coef < 1 || Number.isNaN(coef)) T.foreachMulScalar_(grads, coef);
      return totalValue;
    }),
  );
}
