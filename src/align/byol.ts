/**
 * BYOL's regression loss (Grill et al., NeurIPS 2020, eq. 2), the paper's "progressive with BYOL"
 * ablation in place of the bucket loss: the online branch (text: M(E_t(t)) then a predictor
 * q_θ) regresses the target branch's projection (video: an EMA copy of E_s, no gradient).
 *
 *   L = 2 − 2 · cos(q_θ(z_online), sg(z_target)),  mean over the batch
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

/** prediction (N, d), target (N, d) (detached inside) → (). */
export function byolLoss(prediction: Tensor, target: Tensor): Tensor {
  return T.tidy(() => {
    const p = T.l2Normalize(prediction, 1); // (N, d)
    const z = T.l2Normalize(target.detach(), 1); // (N, d)
    return T.scalar(2).sub(p.mul(z).sumDim(1).mul(T.scalar(2))).mean(); // ()
  });
}
