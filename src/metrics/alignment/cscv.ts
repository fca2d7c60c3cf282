/**
 * CSCV: the coefficient of variation of consecutive-frame CLIP cosines
 * (`../shared/docs/metrics.md` §2 "Frame-feature consistency"):
 *
 *   c_i = cos(E_img(F_i), E_img(F_{i+1})),  i = 0..T-2
 *   CSCV(video) = std(c) / mean(c)      (population std, divide by T-1)
 *
 * mean over videos; lower is steadier. A video with fewer than 2 frames, or whose pair cosines
 * average to 0, has no value (NaN with a note).
 */
import type { MetricContext, MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { consecutiveCos, videoFrameFeatures } from '../frame-features.js';
import { mean, meanOfDefined, populationStd, requireClip, ZERO_FEATURE_NOTE } from '../summary.js';

function perVideoCscv(id: string, cos: number[]): PerVideoRecord {
  const m = mean(cos);
  const sd = populationStd(cos);
  if (!Number.isFinite(m) || !Number.isFinite(sd)) return { id, value: NaN, note: ZERO_FEATURE_NOTE };
  if (m === 0) return { id, value: NaN, extra: { mean: m, std: sd }, note: 'the mean pair cosine is 0, so std/mean is undefined' };
  return { id, value: sd / m, extra: { mean: m, std: sd, pairs: cos.length } };
}

async function compute(ctx: MetricContext): Promise<MetricResult> {
  const clip = requireClip(ctx, 'cscv');
  const perVideo: PerVideoRecord[] = ctx.videos.map((v) => {
    if (v.video.frames < 2) return { id: v.id, value: NaN, note: `needs at least 2 frames, the video has ${v.video.frames}` };
    return perVideoCscv(v.id, consecutiveCos(videoFrameFeatures(clip, v.video))); // (T-1) cosines
  });
  const agg = meanOfDefined(perVideo);
  return {
    metric: 'cscv', aggregate: agg.value, aggregates: { videos: agg.defined }, perVideo, extractor: clip.name,
    settings: { pairs: 'consecutive frames (i, i+1)', std: 'population (ddof = 0)', perVideo: 'std / mean of pair cosines', aggregate: 'mean over videos' },
    higherIsBetter: false,
  };
}

export const cscv: MetricDef = {
  name: 'cscv',
  summary: 'coefficient of variation (std/mean) of consecutive-frame CLIP cosines',
  reference: 'metrics.md §2 frame-feature consistency (CSCV, population std)',
  needs: ['clip'],
  higherIsBetter: false,
  compute,
};
