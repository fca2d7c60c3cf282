// PLACEHOLDER: replaced by the motion-metrics work before merge (signature agreed).
import type { Tensor } from '../../tensor/index.js';

export interface FrechetOptions {
  /** 'biased' divides by N (StyleGAN-V FVD); 'unbiased' by N-1 (FVMD). */
  covariance: 'biased' | 'unbiased';
  /** Added to the diagonal before the matrix square root (FVMD: 1e-5); default 0. */
  eps?: number;
}

/** Fréchet distance between feature sets x (N, D) and y (M, D), computed in float64. */
export function frechetDistance(x: Tensor, y: Tensor, opts: FrechetOptions): number {
  throw new Error(`frechetDistance(${x.shape}, ${y.shape}, ${opts.covariance}) is not implemented yet`);
}
