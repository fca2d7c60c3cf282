/**
 * `clipsim_domain`: CLIPSIM (`../shared/docs/metrics.md` §1; VideoLDM appendix G, VBench
 * `appearance_style.py`) in the space of the domain text–video model (src/domain/model.ts): the
 * cosine between the model's whole-clip video embedding and its embedding of the video's prompt,
 * raw (no ×100, no clamp), averaged over videos. One embedding per clip instead of CLIP's
 * per-frame mean, because the domain model's video tower reads the clip (motion included).
 */
import * as T from '../../tensor/index.js';
import { normalize } from '../../domain/loss.js';
import { MetricInputError, type MetricDef, type MetricResult } from '../types.js';
import { embedDistinct, embedVideos } from './embed.js';

export const clipsimDomain: MetricDef = {
  name: 'clipsim_domain',
  summary: 'cosine of the domain model video embedding with its prompt embedding, mean over videos',
  reference: 'CLIPSIM (VideoLDM appendix G) with the domain text–video model in place of CLIP',
  needs: ['domain'],
  higherIsBetter: true,
  async compute(ctx): Promise<MetricResult> {
    const model = ctx.domain;
    if (!model) throw new MetricInputError('clipsim_domain needs the domain model: pass --domain DIR (a folder made by `t2v train domain`)');
    if (ctx.videos.length === 0) throw new MetricInputError('clipsim_domain: no videos to evaluate');
    const cos = T.tidy(() => {
      const v = normalize(embedVideos(model, ctx.videos)); // (N, E)
      const { emb, row } = embedDistinct(model, ctx.videos.map((x) => x.prompt));
      const t = normalize(emb).indexSelect(0, T.tensor(row, { dtype: 'int64' })); // (N, E)
      return v.mul(t).sumDim(1).toFloat32Array(); // (N)
    });
    const values = Array.from(cos);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    return {
      metric: 'clipsim_domain',
      aggregate: mean,
      aggregates: { std },
      perVideo: ctx.videos.map((x, i) => ({ id: x.id, value: values[i]! })),
      extractor: model.name,
      settings: { embedding: 'whole-clip video embedding vs prompt embedding', similarity: 'raw cosine (no x100, no clamp)', std: 'population' },
      higherIsBetter: true,
    };
  },
};
