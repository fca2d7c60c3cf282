/**
 * VBench background_consistency (Huang et al. 2024, Vchitect/VBench
 * `background_consistency.py`; `../shared/docs/metrics.md` §2) with CLIP image features
 * (L2-normalised; CLIP preprocessing happens inside the encoder):
 *
 *   s_i = ( max(0, cos(f_{i-1}, f_i)) + max(0, cos(f_0, f_i)) ) / 2,   i = 1..T-1
 *   score = Σ_videos Σ_i s_i / Σ_videos (T - 1)         (frame-weighted, as VBench's `sim / cnt`)
 *
 * The per-video record is VBench's `video_results`, Σ_i s_i / (T - 1). A one-frame video has
 * no pairs: NaN per video, and it adds nothing to either sum.
 */
import type { MetricContext, MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { rowCos, videoFrameFeatures, type FeatureRows } from '../frame-features.js';
import { requireClip, ZERO_FEATURE_NOTE } from '../summary.js';

/** Σ_{i=1}^{T-1} s_i of one video (VBench's `video_sim`). */
export function vbenchConsistencySum(f: FeatureRows): number {
  let sum = 0;
  for (let i = 1; i < f.n; i++) {
    const prev = Math.max(0, rowCos(f, i - 1, f, i));
    const first = Math.max(0, rowCos(f, 0, f, i));
    sum += (prev + first) / 2;
  }
  return sum;
}

async function compute(ctx: MetricContext): Promise<MetricResult> {
  const clip = requireClip(ctx, 'background_consistency');
  let total = 0;
  let pairs = 0;
  const perVideo: PerVideoRecord[] = ctx.videos.map((v) => {
    const T = v.video.frames;
    if (T < 2) return { id: v.id, value: NaN, note: `needs at least 2 frames, the video has ${T}` };
    // Math.max(0, NaN) is NaN, so a zero feature makes the sum NaN and the video is left out.
    const sum = vbenchConsistencySum(videoFrameFeatures(clip, v.video));
    if (!Number.isFinite(sum)) return { id: v.id, value: NaN, note: ZERO_FEATURE_NOTE };
    total += sum;
    pairs += T - 1;
    return { id: v.id, value: sum / (T - 1), extra: { pairs: T - 1 } };
  });
  return {
    metric: 'background_consistency', aggregate: pairs > 0 ? total / pairs : NaN, aggregates: { pairs }, perVideo, extractor: clip.name,
    settings: {
      formula: 's_i = (max(0,cos(f_{i-1},f_i)) + max(0,cos(f_0,f_i)))/2, i >= 1', features: 'CLIP image features, L2-normalised',
      perVideo: 'sum_i s_i / (T-1)', aggregate: 'sum over videos of sum_i s_i / sum over videos of (T-1) (frame-weighted)',
    },
    higherIsBetter: true,
  };
}

export const backgroundConsistency: MetricDef = {
  name: 'background_consistency',
  summary: 'VBench background consistency with CLIP image features (frame-weighted)',
  reference: 'VBench (Huang et al. 2024) background_consistency.py',
  needs: ['clip'],
  higherIsBetter: true,
  compute,
};
