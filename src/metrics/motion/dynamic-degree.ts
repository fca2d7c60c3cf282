/**
 * Dynamic degree (VBench, Huang et al. 2024, CVPR; code: Vchitect/VBench
 * `vbench/dynamic_degree.py`; metrics.md §2), with the project's optical flow in place of RAFT:
 *
 *   1. sample frames every interval = max(1, round(fps / 8)); N = number of sampled frames
 *   2. per consecutive sampled pair: score = mean of the largest ⌊0.05·H·W⌋ flow magnitudes
 *   3. thres = 6·min(H, W)/256, count_num = round(4·N/16)   (Python round: halves to even)
 *   4. the video is dynamic once count_num pair scores exceed thres (VBench's loop: count, then
 *      test `counter >= count_num`, so count_num = 0 makes any video with a pair dynamic)
 *
 * The metric is the fraction of dynamic videos (higher = more motion). Report it beside
 * motion_smoothness and temporal_flickering, which a frozen video maximises.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { roundHalfEven } from '../../util/round.js';
import { FLOW_METHOD, computeFlow, flowSettings } from '../../flow/index.js';
import type { MetricDef, MetricResult, PerVideoRecord } from '../types.js';
import { mapBatches, stackPairs } from './frames.js';

export interface DynamicParams {
  /** Frame step of the sampling. */
  interval: number;
  /** N, the number of sampled frames. */
  sampled: number;
  /** Flow magnitude (pixels) a pair's score must exceed. */
  thres: number;
  /** Pairs above `thres` that make the video dynamic. */
  countNum: number;
  /** How many of the largest magnitudes a pair's score averages. */
  topK: number;
}

/** Steps 1 and 3 for a video of `frames` frames of h×w at `fps`. */
export function dynamicDegreeParams(frames: number, h: number, w: number, fps: number): DynamicParams {
  if (!(fps > 0)) throw new Error(`dynamic_degree: fps must be positive, got ${fps}`);
  const interval = Math.max(1, roundHalfEven(fps / 8));
  const sampled = frames > 0 ? Math.floor((frames - 1) / interval) + 1 : 0;
  return {
    interval,
    sampled,
    thres: (6 * Math.min(h, w)) / 256,
    countNum: roundHalfEven((4 * sampled) / 16),
    topK: Math.max(1, Math.floor(0.05 * h * w)),
  };
}

/** Step 4, VBench's `check_move`. */
export function isDynamic(scores: readonly number[], thres: number, countNum: number): boolean {
  let counter = 0;
  for (const s of scores) {
    if (s > thres) counter++;
    if (counter >= countNum) return true;
  }
  return false;
}

/** Step 2 for flows (P, 2, H, W): mean of the top-k magnitudes of each pair → (P) numbers. */
export function pairMotionScores(flow: Tensor, topK: number): number[] {
  return T.tidy(() => {
    const mag = T.sumDim(flow.square(), 1).sqrt().flatten({ startDim: 1 }); // (P, H·W)
    const [top] = T.topk(mag, topK, { dim: 1 }); // (P, k)
    return top.meanDim(1, { dtype: 'float64' }).toArray();
  });
}

export const dynamicDegree: MetricDef = {
  name: 'dynamic_degree',
  summary: 'VBench dynamic degree: fraction of videos whose largest optical-flow magnitudes exceed a size-relative threshold often enough.',
  reference: 'VBench (Huang et al. 2024) vbench/dynamic_degree.py, RAFT replaced by the project flow; metrics.md §2',
  needs: [],
  higherIsBetter: true,
  async compute(ctx): Promise<MetricResult> {
    const fps = ctx.fps ?? 8;
    const scoreLists = mapBatches(ctx, 'dynamic_degree', (videos, frames): number[][] => {
      const params = videos.map((v) => dynamicDegreeParams(v.video.frames, v.video.height, v.video.width, fps));
      const pairs = stackPairs(frames, (v) => {
        const { interval, sampled } = params[v]!;
        return Array.from({ length: Math.max(0, sampled - 1) }, (_, k) => [k * interval, (k + 1) * interval]);
      });
      const lists: number[][] = videos.map(() => []);
      if (pairs === null) return lists;
      const scores = pairMotionScores(computeFlow(pairs.a, pairs.b), params[0]!.topK); // one per pair
      pairs.owner.forEach((o, k) => lists[o]!.push(scores[k]!));
      return lists;
    });
    const perVideo: PerVideoRecord[] = ctx.videos.map((v, i) => {
      const p = dynamicDegreeParams(v.video.frames, v.video.height, v.video.width, fps);
      const scores = scoreLists[i]!;
      const dynamic = isDynamic(scores, p.thres, p.countNum);
      const above = scores.filter((s) => s > p.thres).length;
      return { id: v.id, value: dynamic ? 1 : 0, extra: { dynamic, pairsAboveThres: above, pairs: scores.length, countNum: p.countNum, thres: p.thres } };
    });
    return {
      metric: 'dynamic_degree',
      aggregate: perVideo.length > 0 ? perVideo.reduce((a, r) => a + r.value, 0) / perVideo.length : NaN,
      perVideo,
      extractor: FLOW_METHOD,
      settings: { fps, interval: Math.max(1, roundHalfEven(fps / 8)), topFraction: 0.05, thres: '6*min(H,W)/256', countNum: 'round(4*N/16), half to even', flow: flowSettings() },
      higherIsBetter: true,
    };
  },
};
