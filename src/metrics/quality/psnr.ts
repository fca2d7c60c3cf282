/**
 * `psnr`: PSNR of each generated video against its reference video (metrics.md §4, after
 * common_metrics_on_video_quality): per frame MSE over C, H, W in [0, 1], 10·log10(1/MSE),
 * 100 when MSE < 1e-10, mean over frames; mean (± std) over videos. Pairing: same id, else same
 * index (src/metrics/quality/common.ts `pairWithReference`).
 */
import { psnrVideos, PSNR_IDENTICAL, PSNR_MSE_FLOOR } from '../stats/ssim.js';
import { fullReferenceMetric } from './full-reference.js';

export const psnr = fullReferenceMetric({
  name: 'psnr',
  summary: 'PSNR (dB) against the reference video with the same id (or index)',
  reference: 'common_metrics_on_video_quality calculate_psnr; metrics.md §4',
  higherIsBetter: true,
  score: psnrVideos,
  settings: { range: '[0,1]', mseFloor: PSNR_MSE_FLOOR, identicalValue: PSNR_IDENTICAL, perFrame: true },
});
