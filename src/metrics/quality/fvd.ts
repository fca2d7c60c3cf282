/**
 * `fvd`: Fréchet Video Distance (Unterthiner et al. 2018; StyleGAN-V `frechet_video_distance.py`;
 * metrics.md §3):
 *   FVD = |μ_g − μ_r|² + Tr(Σ_g + Σ_r − 2 (Σ_g Σ_r)^{1/2})
 * over I3D Kinetics-400 logits of 16-frame clips, float64 statistics, biased covariance (÷N).
 * Without I3D the same formula over the domain model's video features is `fvd_<name>`
 * (src/metrics/quality/distribution-features.ts). Set-level: no per-video records.
 */
import { frechetDistance } from '../stats/frechet.js';
import type { Tensor } from '../../tensor/index.js';
import type { MetricContext, MetricDef, MetricResult } from '../types.js';
import { distributionFeatures } from './distribution-features.js';

/** Distance between feature sets x (N, D) and y (M, D). */
export type SetDistance = (x: Tensor, y: Tensor) => number;

const biasedFrechet: SetDistance = (x, y) => frechetDistance(x, y, { covariance: 'biased' });

/** The fvd metric with an injectable distance (tests); the registered one uses {@link frechetDistance}. */
export function createFvd(distance: SetDistance = biasedFrechet): MetricDef {
  return {
    name: 'fvd',
    summary: 'Fréchet Video Distance on I3D (Kinetics-400) logits, or fvd_<domain> on the domain video tower',
    reference: 'StyleGAN-V frechet_video_distance.py (fvd2048_16f); metrics.md §3',
    needs: ['reference'],
    wants: ['i3d', 'domain'],
    higherIsBetter: false,
    async compute(ctx: MetricContext): Promise<MetricResult> {
      const f = distributionFeatures(ctx, 'fvd');
      try {
        const value = distance(f.generated, f.reference);
        return {
          metric: f.metric,
          aggregate: value,
          perVideo: [],
          extractor: f.extractor,
          settings: { ...f.settings, covariance: 'biased', statistics: 'float64', sqrtm: 'symmetric eigendecomposition' },
          higherIsBetter: false,
        };
      } finally {
        f.generated.dispose();
        f.reference.dispose();
      }
    },
  };
}

export const fvd = createFvd();
