/**
 * The shared body of the one-to-one full-reference metrics (psnr, ssim; metrics.md §4): each
 * generated video is scored against one reference video, chosen by {@link pairWithReference}
 * (same id, else same index). Per-video records carry the reference id; the aggregate is the
 * mean over videos, with the population std in `aggregates`.
 */
import type { Tensor } from '../../tensor/index.js';
import type { EvalVideo, MetricContext, MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { checkSameSize, commonChannels, meanStd, metricDevice, pairWithReference, requireReference, videosPerBlock, videosToTensor } from './common.js';

export interface FullReferenceSpec {
  name: string;
  summary: string;
  reference: string;
  higherIsBetter: boolean;
  /** Scores of videos a, b (B, C, T, H, W) in [0, 1], one per video. */
  score: (a: Tensor, b: Tensor) => Float64Array;
  /** Constants recorded in the result's settings. */
  settings: Record<string, unknown>;
}

/** Scores of each [generated, reference] pair, in blocks that fit in memory. */
function scorePairs(pairs: [EvalVideo, EvalVideo][], spec: FullReferenceSpec, channels: 1 | 3): Float64Array {
  const out = new Float64Array(pairs.length);
  const per = videosPerBlock(pairs[0]![0].video, channels);
  const device = metricDevice();
  for (let s = 0; s < pairs.length; s += per) {
    const block = pairs.slice(s, s + per);
    const a = videosToTensor(block.map((p) => p[0]), channels, device, spec.name); // (n, C, T, H, W)
    const b = videosToTensor(block.map((p) => p[1]), channels, device, spec.name); // (n, C, T, H, W)
    try {
      out.set(spec.score(a, b), s);
    } finally {
      a.dispose();
      b.dispose();
    }
  }
  return out;
}

export function fullReferenceMetric(spec: FullReferenceSpec): MetricDef {
  return {
    name: spec.name,
    summary: spec.summary,
    reference: spec.reference,
    needs: ['reference'],
    higherIsBetter: spec.higherIsBetter,
    async compute(ctx: MetricContext): Promise<MetricResult> {
      const reference = requireReference(ctx, spec.name);
      const { pairs, rule } = pairWithReference(ctx.videos, reference, spec.name);
      if (rule === 'index') ctx.log?.(`${spec.name}: generated ids are not reference ids; pairing by position with ${reference.name}`);
      const perVideo: PerVideoRecord[] = [];
      if (pairs.length > 0) {
        checkSameSize(pairs.flat(), spec.name);
        const channels = commonChannels(pairs.flat().map((v) => v.video));
        const scores = scorePairs(pairs, spec, channels);
        pairs.forEach(([g, r], i) => perVideo.push({ id: g.id, value: scores[i]!, extra: { referenceId: r.id } }));
      }
      const { mean, std, count } = meanStd(perVideo.map((r) => r.value));
      return {
        metric: spec.name,
        aggregate: mean,
        aggregates: { std, count },
        perVideo,
        extractor: null,
        settings: { ...spec.settings, pairing: rule, reference: reference.name },
        higherIsBetter: spec.higherIsBetter,
      };
    },
  };
}
