/**
 * `t_ssim`: temporal SSIM (metrics.md §2 "Frame-feature consistency"): per video the mean SSIM
 * of consecutive frames, mean_i SSIM(F_i, F_{i+1}) with the SSIM of §4 (Gaussian 11/1.5, valid,
 * RGB = mean over channels); mean (± std) over videos.
 *
 * Slices (option `slices`, on in the registered metric; reported in `aggregates.xt` / `.yt` and
 * per video in `extra`): the video volume cut into x–t images S_y = V[:, y, :] (T × W, one per
 * row y) and y–t images S_x = V[:, :, x] (T × H, one per column x); the slice score is the
 * mean SSIM of consecutive slices, mean_y SSIM(S_y, S_{y+1}) (likewise over x). The window spans
 * 11 frames there, so slices need T ≥ 11; shorter videos get NaN slice scores with a note.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { ssimImages, ssimVideos, SSIM_SIGMA, SSIM_WINDOW } from '../stats/ssim.js';
import type { MetricContext, MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { meanStd, metricDevice, videosToTensor } from './common.js';

export interface TSsimOptions {
  /** Also report x–t / y–t slice T-SSIM (default true). */
  slices?: boolean;
}

/** Mean SSIM of consecutive slices along `axis` of a video v (1, C, T, H, W): axis 3 = rows (x–t), 4 = columns (y–t). */
function sliceTSsim(v: Tensor, axis: 3 | 4): number {
  return T.tidy(() => {
    const s = v.squeezeDim(0).movedim([axis - 1], [0]); // (H or W, C, T, W or H)
    const n = s.size(0);
    const pairs = ssimImages(s.narrow(0, 0, n - 1), s.narrow(0, 1, n - 1)); // (n − 1)
    return pairs.reduce((a, b) => a + b, 0) / pairs.length;
  });
}

/** Frame T-SSIM and (optionally) slice T-SSIMs of one video tensor v (1, C, T, H, W). */
function scoreVideo(v: Tensor, slices: boolean): { value: number; extra: Record<string, number>; note?: string } {
  const t = v.size(2);
  const value = T.tidy(() => ssimVideos(v.narrow(2, 0, t - 1), v.narrow(2, 1, t - 1))[0]!); // mean over the T − 1 pairs
  if (!slices) return { value, extra: {} };
  if (t < SSIM_WINDOW) return { value, extra: { xt: NaN, yt: NaN }, note: `slice T-SSIM needs at least ${SSIM_WINDOW} frames (got ${t})` };
  return { value, extra: { xt: sliceTSsim(v, 3), yt: sliceTSsim(v, 4) } };
}

export function createTSsim(opts: TSsimOptions = {}): MetricDef {
  const slices = opts.slices ?? true;
  return {
    name: 't_ssim',
    summary: 'Temporal SSIM: mean SSIM of consecutive frames' + (slices ? ' (with x–t / y–t slice scores)' : ''),
    reference: 'metrics.md §2 (T-SSIM); SSIM as Wang et al. 2004',
    needs: [],
    higherIsBetter: true,
    async compute(ctx: MetricContext): Promise<MetricResult> {
      const device = metricDevice();
      const perVideo: PerVideoRecord[] = ctx.videos.map((ev) => {
        if (ev.video.frames < 2) return { id: ev.id, value: NaN, note: 'T-SSIM needs at least 2 frames' };
        const v = videosToTensor([ev], ev.video.channels, device, 't_ssim'); // (1, C, T, H, W)
        try {
          const r = scoreVideo(v, slices);
          return { id: ev.id, value: r.value, extra: r.extra, ...(r.note ? { note: r.note } : {}) };
        } finally {
          v.dispose();
        }
      });
      const { mean, std, count } = meanStd(perVideo.map((r) => r.value));
      const aggregates: Record<string, number> = { std, count };
      if (slices) {
        aggregates.xt = meanStd(perVideo.map((r) => Number(r.extra?.xt ?? NaN))).mean;
        aggregates.yt = meanStd(perVideo.map((r) => Number(r.extra?.yt ?? NaN))).mean;
      }
      return {
        metric: 't_ssim',
        aggregate: mean,
        aggregates,
        perVideo,
        extractor: null,
        settings: { window: SSIM_WINDOW, sigma: SSIM_SIGMA, filter: 'valid', pairs: 'consecutive frames', slices },
        higherIsBetter: true,
      };
    },
  };
}

export const tSsim = createTSsim();
