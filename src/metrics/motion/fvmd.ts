/**
 * FVMD, the Fréchet Video Motion Distance (Liu et al. 2024; code: DSL-Lab/FVMD-frechet-video-
 * motion-distance `fvmd.py`, `frechet_distance.py`; metrics.md §2): the Fréchet distance between
 * the 1024-d velocity/acceleration histogram features (`fvmd-features.ts`) of all 16-frame
 * windows of the generated videos and of the reference set, with unbiased covariances (numpy's
 * `np.cov`) and eps = 1e-5 added to both covariances inside the matrix square root only (so
 * identical sets give −2·1e-5·1024 ≈ −0.02, as the reference). Lower is better. Points are
 * tracked with the project's dense optical flow instead of PIPs++.
 */
import { FLOW_METHOD, flowSettings } from '../../flow/index.js';
import { frechetDistance } from '../stats/frechet.js';
import { MetricInputError, type MetricDef, type MetricResult } from '../types.js';
import { FVMD_GRID, FVMD_WINDOW, fvmdFeatures } from './fvmd-features.js';

export const FVMD_EPS = 1e-5;

export const fvmd: MetricDef = {
  name: 'fvmd',
  summary: 'Fréchet Video Motion Distance: Fréchet distance of point-track velocity/acceleration histograms between generated and reference videos (lower is better).',
  reference: 'Liu et al. 2024, DSL-Lab/FVMD-frechet-video-motion-distance (PIPs++ tracking replaced by dense-flow integration, true acceleration); metrics.md §2',
  needs: ['reference'],
  higherIsBetter: false,
  async compute(ctx): Promise<MetricResult> {
    const ref = ctx.reference;
    if (!ref) throw new MetricInputError('fvmd compares generated videos with a reference set: pass the reference videos (a data set split)');
    const gen = fvmdFeatures(ctx.videos, ctx.log);
    let real: ReturnType<typeof fvmdFeatures> | null = null;
    try {
      real = fvmdFeatures(ref.videos, ctx.log);
      const [ng, nr] = [gen.features.size(0), real.features.size(0)];
      if (ng < 2 || nr < 2) {
        throw new MetricInputError(`fvmd needs at least 2 windows of ${FVMD_WINDOW} frames in each set (unbiased covariance); ` +
          `got ${ng} generated and ${nr} reference windows: use videos of ≥ ${FVMD_WINDOW} frames, more videos, or longer ones`);
      }
      const value = frechetDistance(gen.features, real.features, { covariance: 'unbiased', eps: FVMD_EPS });
      return {
        metric: 'fvmd',
        aggregate: value,
        aggregates: { generatedWindows: ng, referenceWindows: nr },
        perVideo: ctx.videos.map((v, i) => ({
          id: v.id,
          value: NaN,
          extra: { windows: gen.windows[i]! },
          note: gen.windows[i]! > 0 ? 'set-level distance: see the aggregate' : `shorter than ${FVMD_WINDOW} frames: no window`,
        })),
        extractor: FLOW_METHOD,
        settings: {
          reference: ref.name, window: FVMD_WINDOW, windowStride: 1, grid: `${FVMD_GRID}x${FVMD_GRID}`, frame: '256x256 coordinates',
          cubes: '4 frames x 5x5 points', angleBins: 8, covariance: 'unbiased', eps: FVMD_EPS, acceleration: 'true (v_t - v_{t-1})',
          tracking: 'dense-flow integration', flow: flowSettings(),
        },
        higherIsBetter: false,
      };
    } finally {
      gen.features.dispose();
      real?.features.dispose();
    }
  },
};
