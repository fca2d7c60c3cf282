/**
 * `ssim`: SSIM of each generated video against its reference video (Wang et al. 2004, eq. 13;
 * metrics.md §4): 11×11 Gaussian window (σ 1.5), C1 = 0.01², C2 = 0.03², valid filter, mean of
 * the map; RGB = mean over channels; video = mean over frames; mean (± std) over videos.
 * Pairing: same id, else same index (src/metrics/quality/common.ts `pairWithReference`).
 */
import { ssimVideos, SSIM_C1, SSIM_C2, SSIM_SIGMA, SSIM_WINDOW } from '../stats/ssim.js';
import { fullReferenceMetric } from './full-reference.js';

export const ssim = fullReferenceMetric({
  name: 'ssim',
  summary: 'SSIM against the reference video with the same id (or index)',
  reference: 'Wang et al. 2004 (eq. 13, Gaussian window); metrics.md §4',
  higherIsBetter: true,
  score: ssimVideos,
  settings: { window: SSIM_WINDOW, sigma: SSIM_SIGMA, C1: SSIM_C1, C2: SSIM_C2, filter: 'valid', range: '[0,1]' },
});
