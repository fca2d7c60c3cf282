/**
 * CLIP-Temp: temporal consistency as the mean CLIP cosine of consecutive frames
 * (`../shared/docs/metrics.md` §2 "Frame-feature consistency"; e.g. EvalCrafter's CLIP-Temp,
 * here with correct CLIP preprocessing inside the encoder):
 *
 *   CLIP-Temp(video) = 1/(T-1) Σ_{i=0}^{T-2} cos(E_img(F_i), E_img(F_{i+1}))
 *
 * mean over videos. A video with fewer than 2 frames has no value (NaN with a note).
 */
import type { MetricContext, MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { consecutiveCos, videoFrameFeatures } from '../frame-features.js';
import { mean, meanOfDefined, requireClip, ZERO_FEATURE_NOTE } from '../summary.js';

async function compute(ctx: MetricContext): Promise<MetricResult> {
  const clip = requireClip(ctx, 'clip_temp');
  const perVideo: PerVideoRecord[] = ctx.videos.map((v) => {
    if (v.video.frames < 2) return { id: v.id, value: NaN, note: `needs at least 2 frames, the video has ${v.video.frames}` };
    const cos = consecutiveCos(videoFrameFeatures(clip, v.video)); // (T-1)
    const value = mean(cos);
    return { id: v.id, value, extra: { pairs: cos.length }, ...(Number.isFinite(value) ? {} : { note: ZERO_FEATURE_NOTE }) };
  });
  const agg = meanOfDefined(perVideo);
  return {
    metric: 'clip_temp', aggregate: agg.value, aggregates: { videos: agg.defined }, perVideo, extractor: clip.name,
    settings: { pairs: 'consecutive frames (i, i+1)', perVideo: 'mean of pair cosines', aggregate: 'mean over videos' },
    higherIsBetter: true,
  };
}

export const clipTemp: MetricDef = {
  name: 'clip_temp',
  summary: 'mean CLIP image cosine of consecutive frames',
  reference: 'metrics.md §2 frame-feature consistency (EvalCrafter CLIP-Temp, correct CLIP preprocessing)',
  needs: ['clip'],
  higherIsBetter: true,
  compute,
};
