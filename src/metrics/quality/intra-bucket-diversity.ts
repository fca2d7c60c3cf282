/**
 * `intra_bucket_diversity`: how different a caption's generated videos are from each other (the
 * one-to-many setting of the seed method, where one caption has many valid videos).
 *
 * Distance: d(u, v) = 1 − SSIM(u, v), SSIM as metrics.md §4 (Gaussian 11/1.5, valid, mean over
 * channels and frames), so d ∈ [0, 2], 0 for identical videos. No learned features (LPIPS-free).
 *   per caption c with n_c ≥ 2 videos:  D_c = mean over the n_c(n_c − 1)/2 unordered pairs of d
 *   aggregate = mean over those captions of D_c (each caption counts once)
 *   per video = mean distance to the other videos of its caption (NaN with a note when alone)
 * A caption with a single generated video has no pairs: its videos get NaN and a note; when no
 * caption has two videos the aggregate is NaN. Higher means more diverse; mode collapse gives 0,
 * but noise is diverse too, so read it beside a fidelity metric. With a reference set (optional),
 * `aggregates.reference` is the same statistic over the reference buckets, each cut to at most as
 * many videos as the largest generated group (same sample size, and bounded cost).
 */
import type { EvalVideo, MetricContext, MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { ssimMatrix, SSIM_SIGMA, SSIM_WINDOW } from '../stats/ssim.js';
import { commonChannels, forEachPair, groupByPrompt, meanStd } from './common.js';

/** Per-group diversity: D_c and each video's mean distance to the others. */
function groupDiversity(group: readonly EvalVideo[], channels: 1 | 3): { mean: number; perVideo: Float64Array } {
  const n = group.length;
  const sums = new Float64Array(n);
  let total = 0;
  forEachPair(group, group, channels, ssimMatrix, (i, j, s) => {
    if (i === j) return;
    sums[i]! += 1 - s;
    if (i < j) total += 1 - s;
  }, 'intra_bucket_diversity');
  return { mean: total / ((n * (n - 1)) / 2), perVideo: sums.map((s) => s / (n - 1)) };
}

/** Mean of D_c over the groups with ≥ 2 videos, each cut to `cap` videos. */
function setDiversity(videos: readonly EvalVideo[], channels: 1 | 3, cap: number): number {
  const ds = [...groupByPrompt(videos).values()].filter((g) => g.length >= 2).map((g) => groupDiversity(g.slice(0, cap), channels).mean);
  return meanStd(ds).mean;
}

export const intraBucketDiversity: MetricDef = {
  name: 'intra_bucket_diversity',
  summary: "Mean pairwise 1 − SSIM between the generated videos of one caption (needs ≥ 2 per caption)",
  reference: 'seed method (one-to-many buckets); distance 1 − SSIM (Wang et al. 2004), metrics.md §4',
  needs: [],
  wants: ['reference'],
  higherIsBetter: true,
  async compute(ctx: MetricContext): Promise<MetricResult> {
    const all = [...ctx.videos, ...(ctx.reference?.videos ?? [])];
    const channels = commonChannels(all.map((v) => v.video));
    const records = new Map<string, PerVideoRecord>();
    const perCaption: number[] = [];
    let largest = 0;
    for (const [prompt, group] of groupByPrompt(ctx.videos)) {
      if (group.length < 2) {
        for (const v of group) records.set(v.id, { id: v.id, value: NaN, note: `only one generated video has the caption '${prompt}': diversity needs ≥ 2` });
        continue;
      }
      largest = Math.max(largest, group.length);
      const d = groupDiversity(group, channels);
      perCaption.push(d.mean);
      group.forEach((v, i) => records.set(v.id, { id: v.id, value: d.perVideo[i]!, extra: { captionDiversity: d.mean, captionVideos: group.length } }));
    }
    const { mean, std, count } = meanStd(perCaption);
    const aggregates: Record<string, number> = { std, captions: count };
    if (ctx.reference && largest >= 2) aggregates.reference = setDiversity(ctx.reference.videos, channels, largest);
    if (count === 0) ctx.log?.('intra_bucket_diversity: no caption has two or more generated videos; generate several videos per caption');
    return {
      metric: 'intra_bucket_diversity',
      aggregate: mean,
      aggregates,
      perVideo: ctx.videos.map((v) => records.get(v.id)!),
      extractor: null,
      settings: { distance: '1 - SSIM', window: SSIM_WINDOW, sigma: SSIM_SIGMA, averaging: 'pairs within a caption, then captions', referenceCap: largest },
      higherIsBetter: true,
    };
  },
};
