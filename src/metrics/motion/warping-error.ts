/**
 * Warping error (Lai et al. 2018, "Learning Blind Video Temporal Consistency", ECCV, §5.1 and
 * eq. 10; code: phoenix104104/fast_blind_video_consistency, `evaluate_WarpError.py`,
 * `utils.detect_occlusion`; pinned in metrics.md §2):
 *
 *   f = flow(t → t+1), b = flow(t+1 → t), w(x) = b(x + f(x))
 *   occluded(x)  ⇔ |f + w|² > 0.01 (|w|² + |f|²) + 0.5
 *                 or |∇f_x|² + |∇f_y|² > 0.01 |f|² + 0.002      (forward differences, last row/col 0)
 *   E_t = Σ_{x not occluded, c} (F_{t+1}(x + f(x)) − F_t(x))² / (#non-occluded · C)  (H·W·C if none)
 *
 * F_{t+1} is sampled bilinearly with border clamping; pixels in [0, 1]. Per video: mean over
 * pairs; the metric: mean over videos. Lower is more temporally consistent. The flow is the
 * project's tensor optical flow (`FLOW_METHOD`), not the FlowNet2 of the reference.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { FLOW_METHOD, flowSettings, forwardBackwardFlow, warp } from '../../flow/index.js';
import type { MetricDef, MetricResult } from '../types.js';
import { meanByOwner, meanFinite, mapBatches, records, stackPairs } from './frames.js';

/** Squared magnitude per pixel of a flow (P, 2, H, W) → (P, 1, H, W). */
function sqMag(f: Tensor): Tensor {
  return T.sumDim(f.square(), 1, { keepdim: true }); // (P, 1, H, W)
}

/** Forward differences f[i] − f[i+1] along `dim` with the last row/column set to 0. */
function forwardDiff(f: Tensor, dim: number): Tensor {
  const n = f.size(dim);
  const d = f.narrow(dim, 0, n - 1).sub(f.narrow(dim, 1, n - 1)); // (…, n−1, …)
  const pad = dim === 3 ? [0, 1] : [0, 0, 0, 1];
  return T.constantPadNd(d, pad); // (P, 2, H, W)
}

/**
 * Occlusion mask of Lai et al. in frame-t coordinates from the forward flow f and backward flow b
 * (P, 2, H, W): (P, 1, H, W) bool, true where occluded or on a motion boundary.
 */
export function occlusionMask(f: Tensor, b: Tensor): Tensor {
  return T.tidy(() => {
    const w = warp(b, f); // (P, 2, H, W): b(x + f(x))
    const fb = sqMag(f.add(w)); // (P, 1, H, W)
    const consistency = fb.gt(sqMag(w).add(sqMag(f)).mulScalar(0.01).addScalar(0.5)); // (P, 1, H, W)
    const grad = sqMag(forwardDiff(f, 3)).add(sqMag(forwardDiff(f, 2))); // (P, 1, H, W): |∇f_x|² + |∇f_y|²
    const boundary = grad.gt(sqMag(f).mulScalar(0.01).addScalar(0.002)); // (P, 1, H, W)
    return T.logicalOr(consistency, boundary); // (P, 1, H, W)
  });
}

/**
 * Warping error of each pair: frames a = F_t, b = F_{t+1} (P, C, H, W) in [0, 1], flows f, bw
 * (P, 2, H, W). Returns (P) values.
 */
export function pairWarpingErrors(a: Tensor, b: Tensor, f: Tensor, bw: Tensor): Float64Array {
  return T.tidy(() => {
    const [, c, h, w] = a.shape as [number, number, number, number];
    const visible = T.logicalNot(occlusionMask(f, bw)).float(); // (P, 1, H, W)
    const se = warp(b, f).sub(a).square().mul(visible); // (P, C, H, W)
    const sum = T.sumDim(se, [1, 2, 3], { dtype: 'float64' }); // (P)
    const count = T.sumDim(visible, [1, 2, 3], { dtype: 'float64' }).mulScalar(c); // (P)
    const denom = T.where(count.eqScalar(0), T.fullLike(count, h * w * c), count); // (P)
    return Float64Array.from(sum.div(denom).toArray());
  });
}

export const warpingError: MetricDef = {
  name: 'warping_error',
  summary: 'Mean squared difference between each frame and the next one warped back by optical flow, on non-occluded pixels (lower is smoother).',
  reference: 'Lai et al. 2018 (ECCV), fast_blind_video_consistency evaluate_WarpError.py; metrics.md §2',
  needs: [],
  higherIsBetter: false,
  async compute(ctx): Promise<MetricResult> {
    const values = mapBatches(ctx, 'warping_error', (_videos, frames) => {
      const pairs = stackPairs(frames, (v) => Array.from({ length: Math.max(0, frames[v]!.size(0) - 1) }, (_, t) => [t, t + 1]));
      if (pairs === null) return frames.map(() => NaN);
      const { forward, backward } = forwardBackwardFlow(pairs.a, pairs.b); // (P, 2, H, W) each
      const errors = pairWarpingErrors(pairs.a, pairs.b, forward, backward); // (P)
      return meanByOwner(errors, pairs.owner, frames.length);
    });
    return {
      metric: 'warping_error',
      aggregate: meanFinite(values),
      perVideo: records(ctx.videos, values, 'needs at least 2 frames'),
      extractor: FLOW_METHOD,
      settings: { pixelRange: '[0, 1]', occlusion: 'Lai et al. 2018 forward-backward + motion boundary', flow: flowSettings() },
      higherIsBetter: false,
    };
  },
};
