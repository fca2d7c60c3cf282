/**
 * Motion smoothness (VBench, Huang et al. 2024, CVPR; code: Vchitect/VBench
 * `vbench/motion_smoothness.py`; metrics.md §2) with flow-based frame interpolation in place of
 * the AMT-S network (the pinned weight-free variant):
 *
 *   1. keep the even frames E_k = F_{2k}; every consecutive pair (E_k, E_{k+1}) predicts F_{2k+1}
 *   2. the midpoint flow u of the pair (`midpointFlow`: E_k(x − u/2) ≈ E_{k+1}(x + u/2), the
 *      motion of the trajectory through x at t = ½)
 *   3. Î = ½ (E_k(x − u/2) + E_{k+1}(x + u/2)): both neighbours warped half-way along it
 *      (bilinear, border-clamped) and averaged with equal weights (no occlusion reasoning),
 *      then rounded to uint8
 *   4. per video (255 − mean_k mean_{x,c} |Î_k − F_{2k+1}|) / 255; the metric: mean over videos
 *
 * Needs at least 2 even frames (3 frames). Higher is smoother; a frozen video scores 1, so report
 * it beside dynamic_degree.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { FLOW_METHOD, flowSettings, midpointFlow, warp } from '../../flow/index.js';
import type { MetricDef, MetricResult } from '../types.js';
import { meanByOwner, meanFinite, mapBatches, records, stackPairs } from './frames.js';

/**
 * Steps 2–3: the frame midway between e0 and e1 (P, C, H, W) in [0, 1], on the 0–255 scale,
 * rounded (half to even), as float32 (P, C, H, W).
 */
export function interpolateMidpoint(e0: Tensor, e1: Tensor): Tensor {
  return T.tidy(() => {
    const half = midpointFlow(e0, e1).mulScalar(0.5); // (P, 2, H, W)
    const mid = warp(e0, half.neg()).add(warp(e1, half)).mulScalar(0.5); // (P, C, H, W)
    return mid.mulScalar(255).clamp({ min: 0, max: 255 }).round(); // (P, C, H, W)
  });
}

/** Step 4 for one batch: frames of each video (T, C, H, W) in [0, 1] → smoothness per video. */
function batchSmoothness(frames: Tensor[]): number[] {
  const pairsOf = (v: number): [number, number][] => {
    const evens = Math.ceil(frames[v]!.size(0) / 2);
    return Array.from({ length: Math.max(0, evens - 1) }, (_, k) => [2 * k, 2 * k + 2]);
  };
  const pairs = stackPairs(frames, pairsOf);
  if (pairs === null) return frames.map(() => NaN);
  const odd = stackPairs(frames, (v) => pairsOf(v).map(([i]) => [i + 1, i + 1]))!; // targets F_{2k+1}
  const target = odd.a.mulScalar(255).round(); // (P, C, H, W): the uint8 values
  const predicted = interpolateMidpoint(pairs.a, pairs.b); // (P, C, H, W)
  const diff = T.meanDim(predicted.sub(target).abs(), [1, 2, 3], { dtype: 'float64' }); // (P)
  const perVideo = meanByOwner(diff.toArray(), pairs.owner, frames.length);
  return perVideo.map((d) => (255 - d) / 255);
}

export const motionSmoothness: MetricDef = {
  name: 'motion_smoothness',
  summary: 'VBench motion smoothness with flow-based midpoint interpolation: how well odd frames are predicted from their even neighbours (higher is smoother).',
  reference: 'VBench (Huang et al. 2024) vbench/motion_smoothness.py, AMT replaced by midpoint-flow interpolation; metrics.md §2',
  needs: [],
  higherIsBetter: true,
  async compute(ctx): Promise<MetricResult> {
    const values = mapBatches(ctx, 'motion_smoothness', (_videos, frames) => batchSmoothness(frames));
    return {
      metric: 'motion_smoothness',
      aggregate: meanFinite(values),
      perVideo: records(ctx.videos, values, 'needs at least 3 frames (2 even frames)'),
      extractor: FLOW_METHOD,
      settings: { interpolation: 'both neighbours warped half-way along the midpoint flow, averaged, rounded to uint8', flow: flowSettings() },
      higherIsBetter: true,
    };
  },
};
