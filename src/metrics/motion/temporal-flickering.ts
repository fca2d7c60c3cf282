/**
 * Temporal flickering (VBench, Huang et al. 2024, "VBench: Comprehensive Benchmark Suite for
 * Video Generative Models", CVPR; code: Vchitect/VBench `vbench/temporal_flickering.py`;
 * metrics.md §2): frames on the 0–255 scale,
 *
 *   MAE_i = mean_{x, c} |F_i(x, c) − F_{i+1}(x, c)|,    score = (255 − mean_i MAE_i) / 255
 *
 * per video; the metric is the mean over videos. 1 for a static video. VBench applies it to
 * static-scene prompts only: report it beside dynamic_degree, since a frozen video scores best.
 */
import * as T from '../../tensor/index.js';
import type { VideoU8 } from '../../media/video.js';
import type { MetricDef, MetricResult } from '../types.js';
import { meanFinite, records } from './frames.js';

/** The flickering score of one video (NaN when it has fewer than 2 frames). */
export function flickerScore(v: VideoU8): number {
  if (v.frames < 2) return NaN;
  return T.tidy(() => {
    const f = T.tensor(v.data, { shape: [v.frames, v.height * v.width * v.channels], dtype: 'uint8' }).float(); // (T, H·W·C)
    const mae = f.narrow(0, 0, v.frames - 1).sub(f.narrow(0, 1, v.frames - 1)).abs().meanDim(1, { dtype: 'float64' }); // (T−1)
    return (255 - mae.mean().item()) / 255;
  });
}

export const temporalFlickering: MetricDef = {
  name: 'temporal_flickering',
  summary: 'VBench temporal flickering: 1 − mean absolute difference of consecutive frames / 255 (higher is steadier; a frozen video scores 1).',
  reference: 'VBench (Huang et al. 2024) vbench/temporal_flickering.py; metrics.md §2',
  needs: [],
  higherIsBetter: true,
  async compute(ctx): Promise<MetricResult> {
    const values = ctx.videos.map((v) => flickerScore(v.video));
    return {
      metric: 'temporal_flickering',
      aggregate: meanFinite(values),
      perVideo: records(ctx.videos, values, 'needs at least 2 frames'),
      extractor: null,
      settings: { scale: '0-255' },
      higherIsBetter: true,
    };
  },
};
