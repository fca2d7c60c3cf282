/**
 * CLIPScore as defined by Hessel et al. 2021, "CLIPScore: A Reference-free Evaluation Metric for
 * Image Captioning", eq. 1 and `clipscore.py`: per image–caption pair
 *
 *   CLIP-S(c, v) = w · max(cos(c, v), 0),   w = 2.5,
 *
 * with the caption prefixed by "A photo depicts ". `../shared/docs/metrics.md` §1.
 *
 * For a video (our choice, recorded in `settings`): every frame is one image paired with the
 * prompt, clamped per frame; the video's score is the mean of its frames' scores, and the
 * dimension score the mean over videos. The clamp is therefore per frame, *before* any mean —
 * unlike `clipscore_tm`, which clamps once after the mean. Never mix the two in one table.
 */
import type { MetricContext, MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { frameTextCos, textFeatures, videoFrameFeatures } from '../frame-features.js';
import { mean, meanOfDefined, requireClip, ZERO_FEATURE_NOTE } from '../summary.js';

/** Hessel's weight w. */
export const HESSEL_W = 2.5;
/** Hessel's caption prefix. */
export const HESSEL_PREFIX = 'A photo depicts ';

async function compute(ctx: MetricContext): Promise<MetricResult> {
  const clip = requireClip(ctx, 'clipscore_hessel');
  const texts = textFeatures(clip, ctx.videos.map((v) => HESSEL_PREFIX + v.prompt));
  const perVideo: PerVideoRecord[] = ctx.videos.map((v, i) => {
    const cos = frameTextCos(videoFrameFeatures(clip, v.video), texts[i]!); // (T)
    const value = mean(cos.map((c) => HESSEL_W * Math.max(c, 0)));
    return { id: v.id, value, extra: { frames: cos.length }, ...(Number.isFinite(value) ? {} : { note: ZERO_FEATURE_NOTE }) };
  });
  const agg = meanOfDefined(perVideo);
  return {
    metric: 'clipscore_hessel', aggregate: agg.value, aggregates: { videos: agg.defined }, perVideo, extractor: clip.name,
    settings: {
      w: HESSEL_W, textPrefix: HESSEL_PREFIX, clamp: 'max(cos, 0) per frame, before the means',
      perVideo: 'mean over frames of w * max(cos(frame, prompt), 0)', aggregate: 'mean over videos',
    },
    higherIsBetter: true,
  };
}

export const clipscoreHessel: MetricDef = {
  name: 'clipscore_hessel',
  summary: 'CLIPScore of Hessel et al.: 2.5*max(cos,0) per frame, "A photo depicts " prefix',
  reference: 'Hessel et al. 2021, CLIPScore, eq. 1 (clipscore.py)',
  needs: ['clip'],
  higherIsBetter: true,
  compute,
};
