/**
 * `b_psnr`: bucket PSNR, the seed method's one-to-many PSNR (metrics.md §4 "Bucket variants"):
 * the best (max) PSNR of a generated video against every reference video with its caption,
 * PSNR as `psnr` (per-frame, 100 when MSE < 1e-10, mean over frames); mean ± std over videos.
 */
import { psnrMatrix, PSNR_IDENTICAL, PSNR_MSE_FLOOR } from '../stats/ssim.js';
import { bucketBestMetric } from './bucket-best.js';

export const bPsnr = bucketBestMetric({
  name: 'b_psnr',
  summary: 'Bucket PSNR: best PSNR against the reference videos with the same caption',
  reference: 'seed method (one-to-many B-PSNR); PSNR as common_metrics_on_video_quality; metrics.md §4',
  matrix: psnrMatrix,
  settings: { range: '[0,1]', mseFloor: PSNR_MSE_FLOOR, identicalValue: PSNR_IDENTICAL },
});
