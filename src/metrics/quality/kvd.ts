/**
 * `kvd`: Kernel Video Distance (TATS `polynomial_mmd`; metrics.md §3): the unbiased MMD² with
 * the kernel k(x, y) = (x·y/d + 1)³ between the generated and reference clip features
 * (I3D Kinetics-400 logits, 16-frame clips; or the domain video tower → `kvd_<name>`; see
 * src/metrics/quality/distribution-features.ts). Can be slightly negative. Set-level: no
 * per-video records.
 */
import { kernelDistance } from '../stats/kvd.js';
import type { MetricContext, MetricDef, MetricResult } from '../types.js';
import { distributionFeatures } from './distribution-features.js';
import type { SetDistance } from './fvd.js';

/** The kvd metric with an injectable distance (tests); the registered one uses {@link kernelDistance}. */
export function createKvd(distance: SetDistance = kernelDistance): MetricDef {
  return {
    name: 'kvd',
    summary: 'Kernel Video Distance (polynomial-kernel MMD²) on I3D logits, or kvd_<domain> on the domain video tower',
    reference: 'TATS polynomial_mmd; metrics.md §3',
    needs: ['reference'],
    wants: ['i3d', 'domain'],
    higherIsBetter: false,
    async compute(ctx: MetricContext): Promise<MetricResult> {
      const f = distributionFeatures(ctx, 'kvd');
      try {
        return {
          metric: f.metric,
          aggregate: distance(f.generated, f.reference),
          perVideo: [],
          extractor: f.extractor,
          settings: { ...f.settings, kernel: '(x.y/d + 1)^3', estimator: 'unbiased MMD^2' },
          higherIsBetter: false,
        };
      } finally {
        f.generated.dispose();
        f.reference.dispose();
      }
    },
  };
}

export const kvd = createKvd();
