/**
 * Text retrieval ranks for R-precision (`../shared/docs/metrics.md` §1, "Retrieval alignment";
 * Xu et al. 2018, AttnGAN §4.1, R-precision; used for video by e.g. the domain evaluations of
 * VideoGPT-style studies): for each video, rank its true caption among the candidate captions by
 * cosine similarity in the text–video embedding space; R@k is the fraction ranked within the top k.
 *
 * Ties are counted against the video (pessimistic): rank = 1 + #{c ≠ true : cos_c ≥ cos_true}.
 * A collapsed encoder that maps everything to one point therefore gets the worst rank, not R@1 = 1.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { normalize } from './loss.js';

/**
 * 1-based rank of each video's true caption.
 * @param videoEmb (N, E) video embeddings (any norm)
 * @param textEmb  (K, E) candidate caption embeddings (any norm)
 * @param truth    index into the K candidates of each video's true caption
 */
export function retrievalRanks(videoEmb: Tensor, textEmb: Tensor, truth: ArrayLike<number>): Int32Array {
  const N = videoEmb.size(0);
  const K = textEmb.size(0);
  if (truth.length !== N) throw new RangeError(`retrievalRanks: ${truth.length} true indices for ${N} videos`);
  const sims = T.tidy(() => T.noGrad(() => normalize(videoEmb).matmul(normalize(textEmb).t()).toFloat32Array())); // (N, K)
  return ranksFromSimilarities(sims, N, K, truth);
}

/** The ranks from a row-major (N, K) similarity matrix (pessimistic ties). */
export function ranksFromSimilarities(sims: Float32Array | Float64Array, N: number, K: number, truth: ArrayLike<number>): Int32Array {
  const ranks = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const t = truth[i]!;
    if (!(Number.isInteger(t) && t >= 0 && t < K)) throw new RangeError(`retrievalRanks: true index ${t} of video ${i} is not among ${K} candidates`);
    const row = i * K;
    const s = sims[row + t]!;
    let rank = 1;
    for (let k = 0; k < K; k++) if (k !== t && !(sims[row + k]! < s)) rank++;
    ranks[i] = rank;
  }
  return ranks;
}

/** Fraction of ranks ≤ k. */
export function recallAt(ranks: ArrayLike<number>, k: number): number {
  let hit = 0;
  for (let i = 0; i < ranks.length; i++) if (ranks[i]! <= k) hit++;
  return ranks.length === 0 ? Number.NaN : hit / ranks.length;
}

/** Median of the ranks (mean of the two middle ones for an even count). */
export function medianRank(ranks: ArrayLike<number>): number {
  const s = Array.from(ranks).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
