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
 *
 * Normalisation of the inter-bucket term (`negatives`):
 *   'paper'  Σ_{j∉B_i} S_ij / |B_i|, eq. 4 as printed (this function's default).
 *   'mean'   Σ_{j∉B_i} S_ij / (N − |B_i|), the mean over row i's negatives (ours; the alignment
 *            methods use it, see AlignOptions.bucketNegatives).
 * Why (ours): as printed, row i weighs its negatives (N − |B_i|)/|B_i| times and its positives at
 * most (|B_i| + α − 1)/|B_i|. With 8 buckets of 4 in a batch of 32 that is 7 against 1.25, so the
 * global minimum is the degenerate configuration "every text code antipodal to every video code"
 * (all S_ij = 0, L = α/N), not an alignment (matched pairs S = 1, negatives at best
 * cos = −1/(K−1) for K buckets, L ≥ 7·0.43 − 1.25). Training finds it: on SyncDraw the text codes
 * of all captions end up within cos 0.99 of one direction and generation is at chance
 * (test/align/bucket-loss.test.ts checks both minima by hand). With the mean, the aligned
 * configuration is below the antipodal one for any batch.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

/** How the inter-bucket term of row i is normalised: by |B_i| (eq. 4 as printed) or by its negatives' count. */
export type BucketNegatives = 'paper' | 'mean';
export const BUCKET_NEGATIVES: readonly BucketNegatives[] = ['paper', 'mean'];

export interface BucketLossOptions {
  alpha?: number;
  lambdaNeg?: number;
  lambdaPos?: number;
  /** 'paper' (default): Σ_{j∉B_i} S_ij/|B_i|; 'mean': Σ_{j∉B_i} S_ij/(N − |B_i|). */
  negatives?: BucketNegatives;
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
  const meanNeg = (opts.negatives ?? 'paper') === 'mean';
  const n = bucket.length;
  if (text.shape[0] !== n || video.shape[0] !== n) {
    throw new Error(`bucketLoss: text ${text.shape} and video ${video.shape} must both have ${n} rows (one per bucket id)`);
  }
  // Masks built on the host: weights λ_ij/|B_i| for positives, 1/|B_i| (or 1/(N − |B_i|)) for negatives.
  const pos = new Float32Array(n * n);
  const neg = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    let size = 0;
    for (let j = 0; j < n; j++) if (bucket[j] === bucket[i]) size++;
    for (let j = 0; j < n; j++) {
      if (bucket[j] === bucket[i]) pos[i * n + j] = (i === j ? alpha : 1) / size;
      else neg[i * n + j] = 1 / (meanNeg ? n - size : size);
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
