/**
 * Symmetric InfoNCE (van den Oord et al. 2018; CLIP's loss, Radford et al. 2021, Fig. 3): the
 * direct match of each row is the only positive, every other pair of the batch a negative —
 * also pairs that share a caption, which is exactly what the bucket loss avoids (paper §3).
 *
 *   logits_ij = cos(a_i, b_j) / τ;   L = ½ (CE(logits, I) + CE(logitsᵀ, I))
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

/** a (N, d), b (N, d) row-paired; `temperature` τ (e.g. 0.07) as a number or a scalar tensor (learned). → () */
export function infoNce(a: Tensor, b: Tensor, temperature: number | Tensor = 0.07): Tensor {
  const n = a.shape[0]!;
  return T.tidy(() => {
    const sim = T.l2Normalize(a, 1).matmul(T.l2Normalize(b, 1).t()); // (N, N)
    const logits = typeof temperature === 'number' ? sim.mul(T.scalar(1 / temperature)) : sim.div(temperature); // (N, N)
    const target = T.arange(0, n, { dtype: 'int64' }); // (N)
    const ab = T.crossEntropyLoss(logits, target); // ()
    const ba = T.crossEntropyLoss(logits.t(), target); // ()
    return ab.add(ba).mul(T.scalar(0.5)); // ()
  });
}
