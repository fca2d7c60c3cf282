/**
 * `blur_laplacian_var` (secondary): blur check by the variance of the Laplacian (Pech-Pacheco et
 * al. 2000, "Diatom autofocusing in brightfield microscopy"; the usual OpenCV recipe
 * `cv2.Laplacian(gray, cv2.CV_64F).var()`). Per frame: gray on the 0–255 scale (RGB → BT.601
 * luma, rounded, as src/media/video.ts `toGray`), the 3×3 Laplacian
 *   L(y, x) = I(y−1, x) + I(y+1, x) + I(y, x−1) + I(y, x+1) − 4 I(y, x)
 * with OpenCV's default border (BORDER_REFLECT_101: I(−1) = I(1)), then the population variance of
 * L over the frame. Per video: mean over frames; aggregate: mean over videos. Low values mean
 * few edges (blur); noise raises it too, so compare with `aggregates.reference` (real videos).
 */
import { toGray, type VideoU8 } from '../../media/video.js';
import { videoStatMetric, type VideoStat } from './video-stat.js';

/** Reflect-101 index into [0, n): −1 → 1, n → n − 2. */
function reflect101(i: number, n: number): number {
  if (i < 0) return -i;
  if (i >= n) return 2 * n - 2 - i;
  return i;
}

/** Population variance of the Laplacian of one gray frame (H, W) uint8 on the 0–255 scale. */
export function laplacianVariance(frame: Uint8Array, h: number, w: number): number {
  let sum = 0;
  let sumSq = 0;
  for (let y = 0; y < h; y++) {
    const up = reflect101(y - 1, h) * w;
    const down = reflect101(y + 1, h) * w;
    for (let x = 0; x < w; x++) {
      const c = frame[y * w + x]!;
      const l = frame[up + x]! + frame[down + x]! + frame[y * w + reflect101(x - 1, w)]! + frame[y * w + reflect101(x + 1, w)]! - 4 * c;
      sum += l;
      sumSq += l * l;
    }
  }
  const n = h * w;
  const mean = sum / n;
  return Math.max(0, sumSq / n - mean * mean);
}

function blurStat(v: VideoU8): VideoStat {
  if (v.frames === 0 || v.height < 2 || v.width < 2) return { value: NaN, note: 'the Laplacian needs frames of at least 2×2 pixels' };
  const g = toGray(v);
  const n = v.height * v.width;
  let s = 0;
  for (let t = 0; t < v.frames; t++) s += laplacianVariance(g.data.subarray(t * n, (t + 1) * n), v.height, v.width);
  return { value: s / v.frames };
}

export const blurLaplacianVar = videoStatMetric({
  name: 'blur_laplacian_var',
  summary: 'Variance of the Laplacian per frame (low = blurry); secondary spatial check',
  reference: 'Pech-Pacheco et al. 2000; OpenCV Laplacian (ksize 1, BORDER_REFLECT_101) variance',
  higherIsBetter: true,
  stat: blurStat,
  settings: { scale: '0-255', gray: 'BT.601 luma, rounded', kernel: '[[0,1,0],[1,-4,1],[0,1,0]]', border: 'reflect101', variance: 'population' },
});
