/**
 * `subject_consistency`: VBench's subject-consistency dimension (Huang et al. 2024, VBench,
 * `vbench/subject_consistency.py`; metrics.md §2). With L2-normalised frame features f_i:
 *   s_i = (max(0, cos(f_{i−1}, f_i)) + max(0, cos(f_0, f_i))) / 2,   i = 1..T−1
 *   per video  = Σ_i s_i / (T − 1)
 *   aggregate  = Σ_videos Σ_i s_i / Σ_videos (T − 1)              (frame-weighted, as VBench)
 * Features: DINO ViT-B/16 class token (`ctx.dino`, VBench's choice; its encoder resizes the shorter
 * side to 224 bilinear, no crop, ImageNet mean/std), else CLIP image features (`ctx.clip`), else the
 * domain model's frame tower (`ctx.domain`); the result records which. Videos with fewer than
 * 2 frames get NaN with a note and do not count.
 */
import * as T from '../../tensor/index.js';
import type { FrameEncoder, MetricContext, MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { MetricInputError } from '../types.js';
import { framesRGB } from './common.js';

/** Σ_i s_i of one video from its frame features (T, D): (sum, pairs = T − 1). */
export function subjectConsistencySum(features: T.Tensor): { sum: number; pairs: number } {
  return T.tidy(() => {
    const n = features.size(0);
    if (n < 2) return { sum: 0, pairs: 0 };
    const f = features.toDType('float64');
    const u = f.div(f.norm(2, 1, { keepdim: true }).clampMin(1e-12)); // (T, D), unit rows
    const prev = u.narrow(0, 0, n - 1).mul(u.narrow(0, 1, n - 1)).sumDim(1).clampMin(0); // (T − 1) max(0, cos(f_{i−1}, f_i))
    const first = u.narrow(0, 1, n - 1).matmul(u.select(0, 0)).clampMin(0); // (T − 1) max(0, cos(f_0, f_i))
    return { sum: prev.add(first).mulScalar(0.5).sum().item(), pairs: n - 1 };
  });
}

function pickEncoder(ctx: MetricContext): { encoder: FrameEncoder; kind: 'dino' | 'clip' | 'domain' } {
  if (ctx.dino) return { encoder: ctx.dino, kind: 'dino' };
  if (ctx.clip) return { encoder: ctx.clip, kind: 'clip' };
  if (ctx.domain) return { encoder: ctx.domain, kind: 'domain' };
  throw new MetricInputError('subject_consistency needs frame features: pass --dino DIR (DINO ViT-B/16, as VBench), --clip DIR, or --domain DIR');
}

export const subjectConsistency: MetricDef = {
  name: 'subject_consistency',
  summary: 'VBench subject consistency: frame-feature similarity to the previous and the first frame',
  reference: 'VBench subject_consistency.py (Huang et al. 2024); metrics.md §2',
  needs: [],
  wants: ['dino', 'clip', 'domain'],
  higherIsBetter: true,
  async compute(ctx: MetricContext): Promise<MetricResult> {
    const { encoder, kind } = pickEncoder(ctx);
    if (kind !== 'dino') ctx.log?.(`subject_consistency: no DINO model given; using ${encoder.name} features (VBench uses DINO ViT-B/16)`);
    let total = 0;
    let pairs = 0;
    const perVideo: PerVideoRecord[] = ctx.videos.map((ev) => {
      if (ev.video.frames < 2) return { id: ev.id, value: NaN, note: 'subject consistency needs at least 2 frames' };
      const r = T.tidy(() => subjectConsistencySum(encoder.encodeFrames(framesRGB(ev.video)))); // features (T, D)
      total += r.sum;
      pairs += r.pairs;
      return { id: ev.id, value: r.sum / r.pairs };
    });
    return {
      metric: 'subject_consistency',
      aggregate: pairs > 0 ? total / pairs : NaN,
      aggregates: { framePairs: pairs },
      perVideo,
      extractor: encoder.name,
      settings: { features: kind, weighting: 'frame-weighted (sum over videos of sum_i s_i / sum of T-1)', vbenchExtractor: kind === 'dino' },
      higherIsBetter: true,
    };
  },
};
