/**
 * Metric benchmarks (`npm run bench -- metrics`) on SyncDraw-MM `single` videos (16 × 64 × 64
 * gray, procedural glyphs, seed 0), with the engine's default thread count:
 *
 * - flow_pairs_per_s: dense optical flow (`computeFlow`) of all consecutive frame pairs of 32
 *   videos (480 pairs of 64 × 64) in one batched call.
 * - motion_suite_videos_per_s: warping_error + motion_smoothness + dynamic_degree +
 *   temporal_flickering computed one after the other on 64 videos (goal ≥ 20 on 2 cores).
 */
import * as T from '../src/tensor/index.js';
import { computeFlow } from '../src/flow/index.js';
import { SyncDrawRenderer, resolveSyncDrawParams } from '../src/data/syncdraw/generator.js';
import type { EvalVideo, MetricContext, MetricDef } from '../src/metrics/types.js';
import { dynamicDegree } from '../src/metrics/motion/dynamic-degree.js';
import { motionSmoothness } from '../src/metrics/motion/motion-smoothness.js';
import { temporalFlickering } from '../src/metrics/motion/temporal-flickering.js';
import { warpingError } from '../src/metrics/motion/warping-error.js';
import { videoTensor } from '../src/metrics/motion/frames.js';

/** `count` SyncDraw-MM single-digit training videos as metric inputs. */
function syncDrawVideos(count: number): EvalVideo[] {
  const params = resolveSyncDrawParams({ preset: 'single', seed: 0 });
  const renderer = new SyncDrawRenderer(params);
  return Array.from({ length: count }, (_, i) => {
    const data = new Uint8Array(renderer.videoBytes); // (T, S, S, 1)
    const meta = renderer.render('train', i, data);
    return { id: meta.id, prompt: meta.caption, video: { frames: params.frames, height: params.size, width: params.size, channels: 1, data } };
  });
}

/** Batched flow of every consecutive pair of `videos`, timed after one warm-up call. */
export function benchFlow(videos: EvalVideo[]): { flow_pairs_per_s: number; flow_pairs: number } {
  const [a, b] = T.tidy(() => {
    const frames = T.cat(videos.map((v) => videoTensor(v.video)), { dim: 0 }); // (ΣT, 1, H, W)
    const t = videos[0]!.video.frames;
    const first = videos.flatMap((_, k) => Array.from({ length: t - 1 }, (_, i) => k * t + i));
    const idx = T.tensor(first, { dtype: 'int64' });
    return [T.indexSelect(frames, 0, idx), T.indexSelect(frames, 0, idx.addScalar(1))]; // (P, 1, H, W) each
  });
  try {
    T.tidy(() => computeFlow(a.narrow(0, 0, 64), b.narrow(0, 0, 64))); // warm-up
    const t0 = performance.now();
    T.tidy(() => computeFlow(a, b));
    const seconds = (performance.now() - t0) / 1000;
    return { flow_pairs_per_s: Math.round(a.size(0) / seconds), flow_pairs: a.size(0) };
  } finally {
    a.dispose();
    b.dispose();
  }
}

/** The four weight-free motion metrics on `videos`, one after the other. */
export async function benchMotionSuite(videos: EvalVideo[]): Promise<Record<string, number>> {
  const suite: MetricDef[] = [warpingError, motionSmoothness, dynamicDegree, temporalFlickering];
  const ctx: MetricContext = { videos, fps: 8 };
  await warpingError.compute({ videos: videos.slice(0, 2), fps: 8 }); // warm-up
  const seconds: Record<string, number> = {};
  const t0 = performance.now();
  for (const m of suite) {
    const s = performance.now();
    await m.compute(ctx);
    seconds[`${m.name}_seconds`] = Number(((performance.now() - s) / 1000).toFixed(3));
  }
  const total = (performance.now() - t0) / 1000;
  return { motion_suite_videos_per_s: Number((videos.length / total).toFixed(1)), motion_suite_videos: videos.length, ...seconds };
}

export async function run(): Promise<Record<string, unknown>> {
  const videos = syncDrawVideos(64);
  return { threads: T.getNumThreads(), ...benchFlow(videos.slice(0, 32)), ...(await benchMotionSuite(videos)) };
}
