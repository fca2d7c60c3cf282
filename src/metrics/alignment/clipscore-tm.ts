/**
 * CLIPScore as torchmetrics computes it (`torchmetrics.multimodal.CLIPScore`,
 * `functional/multimodal/clip_score.py`): per sample `100 · cos(image, text)`, the mean over all
 * samples, then `max(mean, 0)` — the clamp comes *after* the mean. `../shared/docs/metrics.md` §1.
 *
 * For a video (our choice, recorded in `settings`): a video's value is `100 · mean_t cos(frame_t,
 * prompt)`, unclamped (the per-sample torchmetrics score averaged over its frames); the
 * dimension score is `max(mean over videos, 0)`. No text prefix. Never mix with
 * `clipscore_hessel` (per-frame clamp, ×2.5) in one table.
 */
import type { MetricContext, MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { frameTextCos, textFeatures, videoFrameFeatures } from '../frame-features.js';
import { mean, meanOfDefined, requireClip, ZERO_FEATURE_NOTE } from '../summary.js';

/** torchmetrics' logit scale. */
export const TM_SCALE = 100;

async function compute(ctx: MetricContext): Promise<MetricResult> {
  const clip = requireClip(ctx, 'clipscore_tm');
  const texts = textFeatures(clip, ctx.videos.map((v) => v.prompt));
  const perVideo: PerVideoRecord[] = ctx.videos.map((v, i) => {
    const cos = frameTextCos(videoFrameFeatures(clip, v.video), texts[i]!); // (T)
    const value = TM_SCALE * mean(cos);
    return { id: v.id, value, extra: { frames: cos.length }, ...(Number.isFinite(value) ? {} : { note: ZERO_FEATURE_NOTE }) };
  });
  const agg = meanOfDefined(perVideo);
  return {
    metric: 'clipscore_tm', aggregate: Number.isFinite(agg.value) ? Math.max(agg.value, 0) : agg.value,
    aggregates: { unclamped: agg.value, videos: agg.defined }, perVideo, extractor: clip.name,
    settings: {
      scale: TM_SCALE, textPrefix: '', clamp: 'max(mean, 0) once, after the mean over videos',
      perVideo: '100 * mean over frames of cos(frame, prompt), unclamped', aggregate: 'max(mean over videos, 0)',
    },
    higherIsBetter: true,
  };
}

export const clipscoreTm: MetricDef = {
  name: 'clipscore_tm',
  summary: 'CLIPScore as torchmetrics: 100*cos, mean, then max(mean, 0)',
  reference: 'torchmetrics functional/multimodal/clip_score.py',
  needs: ['clip'],
  higherIsBetter: true,
  compute,
};
