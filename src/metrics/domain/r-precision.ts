/**
 * `r_precision`: retrieval alignment in the domain text–video space (`../shared/docs/metrics.md`
 * §1, "Retrieval alignment"; R-precision after Xu et al. 2018, AttnGAN §4.1). For each video,
 * its prompt is ranked among the candidate captions by cosine with the video's embedding; the
 * aggregate is R@1 (fraction ranked first), with R@5, R@10 and the median rank beside it.
 *
 * Candidates: every distinct caption of the reference set when one is given (e.g. the 20 captions
 * of SyncDraw's test split), else every distinct prompt of the evaluated videos. A video whose
 * prompt is not among the reference captions cannot be ranked: NaN, with a note. Ties count
 * against the video (src/domain/retrieval.ts), so a collapsed model cannot score R@1 = 1.
 */
import * as T from '../../tensor/index.js';
import { medianRank, ranksFromSimilarities, recallAt } from '../../domain/retrieval.js';
import { normalize } from '../../domain/loss.js';
import { MetricInputError, type MetricDef, type MetricResult, type PerVideoRecord } from '../types.js';
import { embedVideos } from './embed.js';

export const rPrecision: MetricDef = {
  name: 'r_precision',
  summary: 'R@1 (and R@5) of each video ranking its prompt among the distinct captions, domain model space',
  reference: 'R-precision (AttnGAN, Xu et al. 2018) with the domain text–video model; metrics.md §1',
  needs: ['domain'],
  wants: ['reference'],
  higherIsBetter: true,
  async compute(ctx): Promise<MetricResult> {
    const model = ctx.domain;
    if (!model) throw new MetricInputError('r_precision needs the domain model: pass --domain DIR (a folder made by `t2v train domain`)');
    if (ctx.videos.length === 0) throw new MetricInputError('r_precision: no videos to evaluate');
    // 1. Candidates.
    const source = ctx.reference ? ctx.reference.videos : ctx.videos;
    const candidates = [...new Set(source.map((v) => v.prompt))].sort();
    const index = new Map(candidates.map((c, i) => [c, i]));
    if (candidates.length < 2) ctx.log?.(`r_precision: only ${candidates.length} candidate caption(s); R@1 is trivially 1`);
    // 2. Similarities of the rankable videos to every candidate.
    const rankable = ctx.videos.filter((v) => index.has(v.prompt));
    const ranks = new Map<string, number>();
    if (rankable.length > 0) {
      const sims = T.tidy(() => {
        const v = normalize(embedVideos(model, rankable)); // (N, E)
        const t = normalize(model.encodeTexts(candidates)); // (K, E)
        return v.matmul(t.t()).toFloat32Array(); // (N, K)
      });
      const r = ranksFromSimilarities(sims, rankable.length, candidates.length, rankable.map((v) => index.get(v.prompt)!));
      rankable.forEach((v, i) => ranks.set(v.id, r[i]!));
    }
    // 3. Per video and aggregates.
    const perVideo: PerVideoRecord[] = ctx.videos.map((v) => {
      const rank = ranks.get(v.id);
      if (rank === undefined) return { id: v.id, value: Number.NaN, note: `prompt '${v.prompt}' is not among the ${candidates.length} reference captions` };
      return { id: v.id, value: rank === 1 ? 1 : 0, extra: { rank, top5: rank <= 5 } };
    });
    const all = [...ranks.values()];
    return {
      metric: 'r_precision',
      aggregate: recallAt(all, 1),
      aggregates: { r1: recallAt(all, 1), r5: recallAt(all, 5), r10: recallAt(all, 10), medianRank: medianRank(all), candidates: candidates.length, ranked: all.length },
      perVideo,
      extractor: model.name,
      settings: {
        candidates: ctx.reference ? `distinct captions of ${ctx.reference.name}` : 'distinct prompts of the evaluated videos',
        similarity: 'cosine', ties: 'counted against the video', k: [1, 5, 10],
      },
      higherIsBetter: true,
    };
  },
};
