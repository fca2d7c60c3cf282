/**
 * The shared body of the per-video statistics without a reference (the secondary
 * spatial-distortion checks): a function of one video gives its value (and extra figures); the
 * aggregate is the mean over videos; with a reference set (optional) the same mean over the
 * reference videos is reported as `aggregates.reference`, so a value can be read against real data.
 */
import type { VideoU8 } from '../../media/video.js';
import type { MetricContext, MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { meanStd } from './common.js';

export interface VideoStat {
  value: number;
  extra?: Record<string, number>;
  note?: string;
}

export interface VideoStatSpec {
  name: string;
  summary: string;
  reference: string;
  higherIsBetter: boolean;
  stat: (v: VideoU8) => VideoStat;
  /** Extra keys whose means over videos are also reported in `aggregates`. */
  extraAggregates?: readonly string[];
  settings: Record<string, unknown>;
}

export function videoStatMetric(spec: VideoStatSpec): MetricDef {
  return {
    name: spec.name,
    summary: spec.summary,
    reference: spec.reference,
    needs: [],
    wants: ['reference'],
    higherIsBetter: spec.higherIsBetter,
    secondary: true,
    async compute(ctx: MetricContext): Promise<MetricResult> {
      const perVideo: PerVideoRecord[] = ctx.videos.map((ev) => {
        const s = spec.stat(ev.video);
        return { id: ev.id, value: s.value, ...(s.extra ? { extra: s.extra } : {}), ...(s.note ? { note: s.note } : {}) };
      });
      const { mean, std, count } = meanStd(perVideo.map((r) => r.value));
      const aggregates: Record<string, number> = { std, count };
      for (const k of spec.extraAggregates ?? []) aggregates[k] = meanStd(perVideo.map((r) => Number(r.extra?.[k] ?? NaN))).mean;
      if (ctx.reference) aggregates.reference = meanStd(ctx.reference.videos.map((ev) => spec.stat(ev.video).value)).mean;
      return {
        metric: spec.name,
        aggregate: mean,
        aggregates,
        perVideo,
        extractor: null,
        settings: spec.settings,
        higherIsBetter: spec.higherIsBetter,
        secondary: true,
      };
    },
  };
}
