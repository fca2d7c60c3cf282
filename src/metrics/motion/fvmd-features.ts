/**
 * FVMD motion features (Liu et al. 2024, "Fréchet Video Motion Distance: A Metric for Evaluating
 * Motion Consistency in Videos"; code: DSL-Lab/FVMD-frechet-video-motion-distance,
 * `keypoint_tracking.py`, `extract_motion_features.py`; metrics.md §2):
 *
 *   1. every 16-frame window (stride 1, as the reference's VideoDataset) of a video is a sample
 *   2. a 20×20 grid of points, 8 px from the border of the reference's 256×256 frame
 *      (p = 8 + i·240/19), is tracked through the window by integrating the dense optical flow:
 *      p_{t+1} = p_t + flow_t(p_t), the flow sampled bilinearly at p_t (border-clamped). The
 *      reference tracks with PIPs++; we track at the native resolution and express positions
 *      and velocities in the 256×256 frame (x₂₅₆ = (x + ½)·256/W − ½)
 *   3. velocity v_t = p_t − p_{t−1} (v_0 = 0); acceleration a_t = v_t − v_{t−1} for t ≥ 2,
 *      a_0 = a_1 = 0 (the layout of the reference's `calc_acceleration`, applied to velocities:
 *      the released code passes positions by mistake; we use the true acceleration)
 *   4. each field (16, 20, 20, 2) is cut into 4×4×4 cubes of 4 frames × 5×5 points; per cube an
 *      8-bin histogram of angle = atan2(dx, dy), bin ⌊(angle + π)/(π/4)⌋ (clipped to 0..7),
 *      weighted by ⌈clip(log2(min(|v|, 255) + 1), 0, 8)⌉/8
 *   5. 64 cubes × 8 bins = 512 per field, velocity then acceleration: 1024 dims per window
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { computeFlow } from '../../flow/index.js';
import type { EvalVideo } from '../types.js';
import { sizeBatches, stackPairs, videoTensor } from './frames.js';

export const FVMD_WINDOW = 16;
export const FVMD_GRID = 20;
/** The reference's frame size and grid margin (pixels in that frame). */
const REF_SIZE = 256;
const REF_MARGIN = 8;
const WINDOWS_PER_CHUNK = 128;

/** Grid positions along one axis of n native pixels, in native coordinates. */
function gridAxis(n: number): number[] {
  return Array.from({ length: FVMD_GRID }, (_, i) => {
    const ref = REF_MARGIN + (i / (FVMD_GRID - 1)) * (REF_SIZE - 2 * REF_MARGIN);
    return ((ref + 0.5) * n) / REF_SIZE - 0.5;
  });
}

/**
 * Step 2: tracks of the grid points of `windows` windows of h×w frames over `steps` flows, where
 * `flowAt(t)` gives the t-th flow of every window (W, 2, H, W). Returns positions
 * (W, steps + 1, 400, 2) in native pixels (x, y), row-major over the grid (point i·20 + j at
 * row i, column j).
 */
export function trackGrid(flowAt: (t: number) => Tensor, steps: number, windows: number, h: number, w: number): Tensor {
  return T.tidy(() => {
    const xs = gridAxis(w);
    const ys = gridAxis(h);
    const start = ys.flatMap((y) => xs.map((x) => [x, y])); // 400 × (x, y)
    let p = T.tensor(start).unsqueeze(0).expand([windows, FVMD_GRID * FVMD_GRID, 2]).contiguous(); // (W, 400, 2)
    const scale = T.tensor([w > 1 ? 2 / (w - 1) : 0, h > 1 ? 2 / (h - 1) : 0]); // (2)
    const track = [p];
    for (let t = 0; t < steps; t++) {
      const grid = T.addcmul(T.scalar(-1), p, scale).unsqueeze(1); // (W, 1, 400, 2) normalised
      const disp = T.gridSampler(flowAt(t), grid, 0, 1, true); // (W, 2, 1, 400)
      p = p.add(disp.squeezeDim(2).transpose(1, 2)); // (W, 400, 2)
      track.push(p);
    }
    return T.stack(track, { dim: 1 }); // (W, S, 400, 2)
  });
}

/** Steps 4–5 for one field (W, 16, 400, 2) float64 in reference pixels → (W, 512) histograms. */
export function cubeHistograms(field: Tensor): Tensor {
  return T.tidy(() => {
    const n = field.size(0);
    const cubes = field
      .reshape([n, 4, 4, 4, 5, 4, 5, 2]) // (W, MS, 4, MH, 5, MW, 5, 2)
      .permute([0, 1, 3, 5, 2, 4, 6, 7]) // (W, MS, MH, MW, 4, 5, 5, 2)
      .reshape([n, 64, 100, 2]); // (W, cube, entry, 2)
    const dx = cubes.select(3, 0); // (W, 64, 100)
    const dy = cubes.select(3, 1); // (W, 64, 100)
    const angle = T.atan2(dx, dy); // (W, 64, 100)
    const bin = angle.addScalar(Math.PI).divScalar(Math.PI / 4).floor().clamp({ min: 0, max: 7 }).long(); // (W, 64, 100)
    const mag = T.hypot(dx, dy).clamp({ min: 0, max: 255 }).addScalar(1).log2().clamp({ min: 0, max: 8 }).ceil().divScalar(8); // (W, 64, 100)
    const hist = T.zeros([n, 64, 8], { dtype: 'float64' }).scatterAdd(2, bin, mag); // (W, 64, 8)
    return hist.reshape([n, 512]); // (W, 512)
  });
}

/** Step 3 and 5: positions (W, 16, 400, 2) in reference pixels → features (W, 1024) float64. */
export function motionFeatures(track: Tensor): Tensor {
  return T.tidy(() => {
    const [n, s, k] = track.shape as [number, number, number];
    const step = track.narrow(1, 1, s - 1).sub(track.narrow(1, 0, s - 1)); // (W, S−1, 400, 2)
    const v = T.cat([T.zeros([n, 1, k, 2], { dtype: track.dtype }), step], { dim: 1 }); // (W, S, 400, 2)
    const dv = v.narrow(1, 2, s - 2).sub(v.narrow(1, 1, s - 2)); // (W, S−2, 400, 2)
    const a = T.cat([T.zeros([n, 2, k, 2], { dtype: track.dtype }), dv], { dim: 1 }); // (W, S, 400, 2)
    return T.cat([cubeHistograms(v), cubeHistograms(a)], { dim: 1 }); // (W, 1024)
  });
}

/** FVMD windows of a video with `frames` frames (0 when shorter than 16). */
export function fvmdWindows(frames: number): number {
  return Math.max(0, frames - FVMD_WINDOW + 1);
}

/** Features of every window of every video of one size batch → (ΣW, 1024) float64. */
function batchFeatures(frames: Tensor[]): Tensor | null {
  const pairs = stackPairs(frames, (v) => Array.from({ length: fvmdWindows(frames[v]!.size(0)) > 0 ? frames[v]!.size(0) - 1 : 0 }, (_, t) => [t, t + 1]));
  if (pairs === null) return null;
  const flows = computeFlow(pairs.a, pairs.b); // (P, 2, H, W)
  const [h, w] = [flows.size(2), flows.size(3)];
  // the first flow of every window: pair offset of its video + start frame
  const firstPair: number[] = [];
  let offset = 0;
  frames.forEach((f) => {
    const n = fvmdWindows(f.size(0));
    for (let s = 0; s < n; s++) firstPair.push(offset + s);
    if (n > 0) offset += f.size(0) - 1;
  });
  const toRef = T.tensor([REF_SIZE / w, REF_SIZE / h], { dtype: 'float64' }); // (2)
  const parts: Tensor[] = [];
  for (let c = 0; c < firstPair.length; c += WINDOWS_PER_CHUNK) {
    const chunk = firstPair.slice(c, c + WINDOWS_PER_CHUNK);
    parts.push(T.tidy(() => {
      const flowAt = (t: number): Tensor => T.indexSelect(flows, 0, T.tensor(chunk.map((p) => p + t), { dtype: 'int64' })); // (W, 2, H, W)
      const track = trackGrid(flowAt, FVMD_WINDOW - 1, chunk.length, h, w).double().mul(toRef); // (W, 16, 400, 2)
      return motionFeatures(track); // (W, 1024)
    }));
  }
  return T.cat(parts, { dim: 0 }); // (ΣW, 1024)
}

/**
 * FVMD features of a set of videos: (ΣW, 1024) float64 over all windows, and the window count of
 * each video. `log` reports progress.
 */
export function fvmdFeatures(videos: readonly EvalVideo[], log?: (m: string) => void): { features: Tensor; windows: number[] } {
  const windows = videos.map((v) => fvmdWindows(v.video.frames));
  const batches = sizeBatches(videos);
  const parts: Tensor[] = [];
  T.noGrad(() => {
    batches.forEach((idx, b) => {
      const f = T.tidy(() => batchFeatures(idx.map((i) => videoTensor(videos[i]!.video))));
      if (f) parts.push(f);
      if ((b + 1) % 50 === 0 || b + 1 === batches.length) log?.(`fvmd: ${b + 1}/${batches.length} batches`);
    });
  });
  const features = T.tidy(() => (parts.length > 0 ? T.cat(parts, { dim: 0 }) : T.zeros([0, 1024], { dtype: 'float64' })));
  parts.forEach((p) => p.dispose());
  // windows come out batch by batch; reorder rows to the input order of the videos
  const order = batches.flat();
  const rowStart = new Map<number, number>();
  let r = 0;
  for (const i of order) {
    rowStart.set(i, r);
    r += windows[i]!;
  }
  const rows = videos.flatMap((_, i) => Array.from({ length: windows[i]! }, (_, k) => rowStart.get(i)! + k));
  const ordered = T.tidy(() => (rows.length > 0 ? T.indexSelect(features, 0, T.tensor(rows, { dtype: 'int64' })) : features.clone()));
  features.dispose();
  return { features: ordered, windows };
}
