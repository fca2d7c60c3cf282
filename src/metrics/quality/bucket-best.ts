/**
 * The shared body of the bucket (one-to-many) full-reference metrics, the seed method's B-PSNR /
 * B-SSIM (metrics.md §4 "Bucket variants"): a bucket is the set of reference videos sharing one
 * caption; a generated video's score is its best (max) value against every video of its
 * caption's bucket; the aggregate is the mean (± population std) over generated videos.
 * A generated video whose caption has no bucket gets NaN with a note (left out of the mean).
 */
import type { MetricContext, MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { commonChannels, forEachPair, groupByPrompt, meanStd, requireReference, type PairMatrix } from './common.js';

export interface BucketBestSpec {
  name: string;
  summary: string;
  reference: string;
  /** Pairwise scores (higher = more similar); the best is the max. */
  matrix: PairMatrix;
  settings: Record<string, unknown>;
}

export function bucketBestMetric(spec: BucketBestSpec): MetricDef {
  return {
    name: spec.name,
    summary: spec.summary,
    reference: spec.reference,
    needs: ['reference'],
    higherIsBetter: true,
    async compute(ctx: MetricContext): Promise<MetricResult> {
      const reference = requireReference(ctx, spec.name);
      const buckets = groupByPrompt(reference.videos);
      const channels = commonChannels([...ctx.videos, ...reference.videos].map((v) => v.video));
      const records = new Map<string, PerVideoRecord>();
      const groups = [...groupByPrompt(ctx.videos)];
      groups.forEach(([prompt, gens], g) => {
        const bucket = buckets.get(prompt);
        if (!bucket) {
          for (const v of gens) records.set(v.id, { id: v.id, value: NaN, note: `no video of ${reference.name} has the caption '${prompt}'` });
          return;
        }
        ctx.log?.(`${spec.name}: caption ${g + 1}/${groups.length}: ${gens.length} generated × ${bucket.length} reference videos`);
        const best = new Float64Array(gens.length).fill(-Infinity);
        const bestAt = new Int32Array(gens.length).fill(-1);
        forEachPair(gens, bucket, channels, spec.matrix, (i, j, s) => {
          if (s > best[i]!) {
            best[i] = s;
            bestAt[i] = j;
          }
        }, spec.name);
        gens.forEach((v, i) => records.set(v.id, { id: v.id, value: best[i]!, extra: { bestMatch: bucket[bestAt[i]!]?.id ?? '', bucketSize: bucket.length } }));
      });
      const perVideo = ctx.videos.map((v) => records.get(v.id)!);
      const { mean, std, count } = meanStd(perVideo.map((r) => r.value));
      return {
        metric: spec.name,
        aggregate: mean,
        aggregates: { std, count },
        perVideo,
        extractor: null,
        settings: { ...spec.settings, bucket: 'reference videos with the same caption', best: 'max', reference: reference.name },
        higherIsBetter: true,
      };
    },
  };
}
