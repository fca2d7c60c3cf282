/**
 * CLIPSIM: text–video alignment as the mean CLIP cosine between each frame and the prompt.
 *
 * Reference: Blattmann et al. 2023, "Align your Latents" (VideoLDM), appendix G; VBench
 * `appearance_style.py` (Huang et al. 2024). `../shared/docs/metrics.md` §1 "CLIPSIM":
 *
 *   CLIPSIM(video, prompt) = (1/T) Σ_t cos(E_img(frame_t), E_txt(prompt))     (L2-normalised)
 *   CLIPSIM = mean over videos
 *
 * Raw cosine: no ×100 and no clamp. Published MSR-VTT zero-shot values with ViT-B/32 lie in
 * 0.24–0.32; report the backbone (`extractor`) with the number.
 */
import type { MetricContext, MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { frameTextCos, textFeatures, videoFrameFeatures } from '../frame-features.js';
import { mean, meanOfDefined, requireClip, ZERO_FEATURE_NOTE } from '../summary.js';

async function compute(ctx: MetricContext): Promise<MetricResult> {
  const clip = requireClip(ctx, 'clipsim');
  const texts = textFeatures(clip, ctx.videos.map((v) => v.prompt));
  const perVideo: PerVideoRecord[] = ctx.videos.map((v, i) => {
    const cos = frameTextCos(videoFrameFeatures(clip, v.video), texts[i]!); // (T)
    const value = mean(cos);
    return { id: v.id, value, extra: { frames: cos.length }, ...(Number.isFinite(value) ? {} : { note: ZERO_FEATURE_NOTE }) };
  });
  const agg = meanOfDefined(perVideo);
  return {
    metric: 'clipsim', aggregate: agg.value, aggregates: { videos: agg.defined }, perVideo, extractor: clip.name,
    settings: { similarity: 'cosine of L2-normalised embeddings', scale: 1, clamp: 'none', frames: 'all', perVideo: 'mean over frames', aggregate: 'mean over videos', textPrefix: '' },
    higherIsBetter: true,
  };
}

export const clipsim: MetricDef = {
  name: 'clipsim',
  summary: 'mean CLIP cosine between each frame and the prompt (raw cosine)',
  reference: 'VideoLDM (Blattmann et al. 2023) appendix G; VBench appearance_style.py',
  needs: ['clip'],
  higherIsBetter: true,
  compute,
};
