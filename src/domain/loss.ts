/**
 * Symmetric InfoNCE with multiple positives: CLIP's contrastive loss (Radford et al. 2021,
 * https://arxiv.org/abs/2103.00020, Fig. 3) with the false negatives of repeated captions turned
 * into positives, as the supervised-contrastive "L_out" of Khosla et al. 2020
 * (https://arxiv.org/abs/2004.11362, eq. 2) does across one modality.
 *
 * SyncDraw has 20 captions for 10000 videos, so a batch of 64 holds each caption about three
 * times; plain InfoNCE would push a video away from its own caption's other copies. Instead, with
 * s_ij = exp(τ) · cos(v_i, t_j) (τ the learnable log temperature, `logit_scale`) and
 * P_ij = 1 when caption_i = caption_j (so P_ii = 1 and P is symmetric):
 *
 *   q_ij  = P_ij / Σ_k P_ik                                  target: uniform over i's positives
 *   L_v→t = −1/B Σ_i Σ_j q_ij log softmax_j(s_i·)            each video against every caption row
 *   L_t→v = −1/B Σ_j Σ_i q_ji log softmax_i(s_·j)            each caption against every video
 *   L     = (L_v→t + L_t→v) / 2
 *
 * With distinct captions P = I and this is CLIP's loss exactly.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

/** (B, B) float32 positive mask: 1 where `keys[i] === keys[j]`. */
export function positiveMask(keys: readonly string[]): Tensor {
  const B = keys.length;
  const p = new Float32Array(B * B); // (B, B)
  for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) if (keys[i] === keys[j]) p[i * B + j] = 1;
  return T.tensor(p, { shape: [B, B] });
}

/** Soft-target cross entropy of each row: −Σ_j q_ij log softmax_j(logits_i), mean over rows. */
function rowLoss(logits: Tensor, positive: Tensor): Tensor {
  return T.tidy(() => {
    const q = positive.div(positive.sumDim(1, { keepdim: true })); // (N, M) rows sum to 1
    return q.mul(logits.logSoftmax(1)).sumDim(1).mean().neg(); // ()
  });
}

/**
 * The symmetric multi-positive loss from a (B, B) logit matrix (rows videos, columns captions)
 * and the (B, B) positive mask. Returns a scalar tensor.
 */
export function multiPositiveInfoNCE(logits: Tensor, positive: Tensor): Tensor {
  return T.tidy(() => {
    const v2t = rowLoss(logits, positive); // ()
    const t2v = rowLoss(logits.t(), positive.t()); // ()
    return v2t.add(t2v).mulScalar(0.5); // ()
  });
}

/**
 * Logits s = exp(logitScale) · v̂ t̂ᵀ from unnormalised embeddings: v (B, E), t (B, E) → (B, B).
 * The scale is clamped at 100 as in CLIP.
 */
export function clipLogits(videoEmb: Tensor, textEmb: Tensor, logitScale: Tensor): Tensor {
  return T.tidy(() => {
    const v = normalize(videoEmb); // (B, E)
    const t = normalize(textEmb); // (B, E)
    const scale = logitScale.exp().clampMax(100); // () or (1)
    return v.matmul(t.t()).mul(scale); // (B, B)
  });
}

/** Rows scaled to unit L2 norm (eps 1e-12 as torch.nn.functional.normalize). */
export function normalize(x: Tensor): Tensor {
  return T.tidy(() => x.div(T.linalgVectorNorm(x, { dim: -1, keepdim: true }).clampMin(1e-12))); // (N, E)
}
