// PLACEHOLDER: replaced by the quality-metrics work before merge (signature agreed).
import type { Tensor } from '../../tensor/index.js';

/**
 * SSIM (Wang et al. 2004; metrics.md §4) of videos a, b (B, C, T, H, W) in [0, 1]:
 * per video, mean over frames of the mean over channels of the SSIM map. Returns (B) values.
 */
export function ssimVideos(a: Tensor, b: Tensor): Float64Array {
  throw new Error(`ssimVideos(${a.shape}, ${b.shape}) is not implemented yet`);
}

/** PSNR (metrics.md §4) of videos a, b (B, C, T, H, W) in [0, 1]: mean of per-frame PSNRs, 100 when MSE < 1e-10. */
export function psnrVideos(a: Tensor, b: Tensor): Float64Array {
  throw new Error(`psnrVideos(${a.shape}, ${b.shape}) is not implemented yet`);
}
