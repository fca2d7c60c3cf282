/**
 * `b_ssim`: bucket SSIM, the seed method's one-to-many SSIM (metrics.md §4 "Bucket variants"):
 * the best (max) SSIM of a generated video against every reference video with its caption,
 * SSIM as `ssim` (Wang et al. 2004, Gaussian 11/1.5, valid); mean ± std over videos.
 */
import { ssimMatrix, SSIM_C1, SSIM_C2, SSIM_SIGMA, SSIM_WINDOW } from '../stats/ssim.js';
import { bucketBestMetric } from './bucket-best.js';

export const bSsim = bucketBestMetric({
  name: 'b_ssim',
  summary: 'Bucket SSIM: best SSIM against the reference videos with the same caption',
  reference: 'seed method (one-to-many B-SSIM); SSIM as Wang et al. 2004; metrics.md §4',
  matrix: ssimMatrix,
  settings: { window: SSIM_WINDOW, sigma: SSIM_SIGMA, C1: SSIM_C1, C2: SSIM_C2, filter: 'valid', range: '[0,1]' },
});
