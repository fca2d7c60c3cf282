/**
 * The bucket loss of the progressive alignment (paper eq. 4; `../shared/docs/method.md`).
 *
 * Symbols (paper → code):
 *   z_t^s (N_t, d) → `text`     shared codes of the batch's captions (M(E_t(t)))
 *   z_v^s (N_v, d) → `video`    shared codes of the batch's videos (E_s(z_v)); N_t = N_v = N
 *   B_i            → `bucket[j] == bucket[i]`: the batch items sharing caption i (i included)
 *   S_ij           → (cos(z_t^s(i), z_v^s(j)) + 1) / 2
 *   λ_ij           → α when i = j (the direct match), 1 otherwise
 *
 *   L_bucket = λ_neg/N · Σ_i Σ_{j∉B_i} S_ij/|B_i|  +  λ_pos/N · (α − Σ_i Σ_{j∈B_i} λ_ij S_ij/|B_i|)   (4)
 *
 * The α outside the sum is a constant offset (it changes the value, not the gradient); it is kept
 * so that the value equals eq. 4 as printed. Defaults: α = 2, λ_neg = λ_pos = 1 (paper A.3).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

export interface BucketLossOptions {
  alpha?: number;
  lambdaNeg?: number;
  lambdaPos?: number;
}

/** Pairwise S_ij = (cos + 1)/2 of rows of a (N, d) and b (M, d) → (N, M). */
export function halfCosine(a: Tensor, b: Tensor): Tensor {
  return T.tidy(() => {
    const an = T.l2Normalize(a, 1); // (N, d)
    const bn = T.l2Normalize(b, 1); // (M, d)
    return an.matmul(bn.t()).add(T.scalar(1)).mul(T.scalar(0.5)); // (N, M)
  });
}

/**
 * Eq. 4. `text` (N, d), `video` (N, d) with row i of each from the same pair; `bucket` (N) the
 * caption (bucket) id of each pair. Returns a scalar tensor.
 */
export function bucketLoss(text: Tensor, video: Tensor, bucket: Int32Array | readonly number[], opts: BucketLossOptions = {}): Tensor {
  const alpha = opts.alpha ?? 2;
  const lNeg = opts.lambdaNeg ?? 1;
  const lPos = opts.lambdaPos ?? 1;
  const n = bucket.length;
  if (text.shape[0] !== n || video.shape[0] !== n) {
    throw new Error(`bucketLoss: text ${text.shape} and video ${video.shape} must both have ${n} rows (one per bucket id)`);
  }
  // Masks built on the host: same (N, N) 1/0, weights λ_ij/|B_i| for positives, 1/|B_i| for negatives.
  const pos = new Float32Array(n * n);
  const neg = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    let size = 0;
    for (let j = 0; j < n; j++) if (bucket[j] === bucket[i]) size++;
    for (let j = 0; j < n; j++) {
      if (bucket[j] === bucket[i]) pos[i * n + j] = (i === j ? alpha : 1) / size;
      else neg[i * n + j] = 1 / size;
    }
  }
  return T.tidy(() => {
    const s = halfCosine(text, video); // (N, N)
    const wPos = T.tensor(pos).view([n, n]); // (N, N)
    const wNeg = T.tensor(neg).view([n, n]); // (N, N)
    const negTerm = s.mul(wNeg).sum().mul(T.scalar(lNeg / n)); // ()
    const posTerm = T.scalar(alpha).sub(s.mul(wPos).sum()).mul(T.scalar(lPos / n)); // ()
    return negTerm.add(posTerm); // ()
  });
}
