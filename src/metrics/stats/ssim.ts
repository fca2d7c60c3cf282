/**
 * SSIM and PSNR of videos (metrics.md §4), batched on engine tensors and computed in float64.
 *
 * SSIM — Wang, Bovik, Sheikh & Simoncelli 2004, "Image quality assessment: from error visibility
 * to structural similarity", eq. 13, with the paper's settings (their MATLAB `ssim_index.m`):
 *   μ_x = w * x,  σ_x² = w * x² − μ_x²,  σ_xy = w * (x y) − μ_x μ_y     (w: 11×11 Gaussian, σ 1.5)
 *   SSIM(x, y) = mean over the map of ((2 μ_x μ_y + C1)(2 σ_xy + C2)) / ((μ_x² + μ_y² + C1)(σ_x² + σ_y² + C2))
 * with C1 = (0.01 L)², C2 = (0.03 L)², L = 1 (data range [0, 1]) and a *valid* filter (the map is
 * (H − 10) × (W − 10); no padding). RGB: mean of the per-channel SSIMs; video: mean over frames.
 * The 2-D window is the outer product of a normalised 1-D Gaussian (as `fspecial('gaussian')`),
 * so the filter runs as two 1-D passes (11 + 11 taps instead of 121), each one product with a
 * banded matrix — the sums of conv2d with the 1-D kernels, an order of magnitude faster in float64.
 *
 * PSNR — common_metrics_on_video_quality: per frame MSE = mean((a − b)²) over C, H, W;
 * PSNR = 10 log10(1 / MSE), 100 when MSE < 1e-10; the video's value is the mean over frames.
 *
 * Symbols: a, b videos (B, C, T, H, W) in [0, 1]; P "planes" = single-channel images (P, H, W).
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';

export const SSIM_WINDOW = 11;
export const SSIM_SIGMA = 1.5;
export const SSIM_C1 = 0.01 ** 2;
export const SSIM_C2 = 0.03 ** 2;
/** PSNR reported for (near-)identical frames, MSE < {@link PSNR_MSE_FLOOR}. */
export const PSNR_IDENTICAL = 100;
export const PSNR_MSE_FLOOR = 1e-10;

/** Elements per float64 working tensor before a computation is split into chunks (~32 MB). */
const CHUNK_ELEMENTS = 1 << 22;

/** The normalised 1-D Gaussian g[k] ∝ exp(−(k − c)² / 2σ²), k = 0..size−1, c = (size − 1)/2. */
export function gaussianWindow(size = SSIM_WINDOW, sigma = SSIM_SIGMA): Float64Array {
  const g = new Float64Array(size);
  const c = (size - 1) / 2;
  let sum = 0;
  for (let k = 0; k < size; k++) {
    g[k] = Math.exp(-((k - c) ** 2) / (2 * sigma * sigma));
    sum += g[k]!;
  }
  for (let k = 0; k < size; k++) g[k]! /= sum;
  return g;
}

/**
 * The valid 1-D Gaussian filter along an axis of length n as a banded (n, n − 10) matrix: column j
 * holds g[0..10] in rows j..j+10, so x·G is the valid correlation of each row of x with g.
 */
function bandMatrix(n: number, device: string): Tensor {
  const g = gaussianWindow();
  const m = n - SSIM_WINDOW + 1;
  const band = new Float64Array(n * m); // (n, n − 10)
  for (let j = 0; j < m; j++) for (let k = 0; k < SSIM_WINDOW; k++) band[(j + k) * m + j] = g[k]!;
  return T.tidy(() => T.tensor(band, { shape: [n, m] }).to(device));
}

/**
 * Valid 11×11 Gaussian filter of planes x (P, H, W) float64 → (P, W − 10, H − 10): the separable
 * filter as two banded matrix products (the same sums as conv2d with the 1-D kernels, ~10× faster
 * in float64 on the CPU). The result is left transposed: every SSIM term uses this one filter and
 * only the mean of the map is taken, which does not depend on the orientation.
 */
function filterPlanes(x: Tensor): Tensor {
  return T.tidy(() => {
    const rows = x.matmul(bandMatrix(x.size(2), x.device)); // (P, H, W − 10)
    return rows.transpose(1, 2).matmul(bandMatrix(x.size(1), x.device)); // (P, W − 10, H − 10)
  });
}

/**
 * What one plane contributes to SSIM, each (P, H', W'): μ = w * x, lum = μ² + C1/2 and
 * con = σ² + C2/2 with σ² = w * x² − μ², so that μ_x² + μ_y² + C1 = lum_x + lum_y, etc.
 */
interface Moments {
  mu: Tensor;
  lum: Tensor;
  con: Tensor;
}

function moments(x: Tensor): Moments {
  return T.tidy(() => {
    const mu = filterPlanes(x); // (P, H', W')
    const mu2 = mu.square(); // (P, H', W')
    return { mu, lum: mu2.addScalar(SSIM_C1 / 2), con: filterPlanes(x.square()).sub_(mu2).addScalar_(SSIM_C2 / 2) };
  });
}

/** The moments viewed with a new leading shape (e.g. (M, P, H', W') or (1, P, H', W')). */
function reshapeMoments(m: Moments, shape: number[]): Moments {
  return { mu: m.mu.reshape(shape), lum: m.lum.reshape(shape), con: m.con.reshape(shape) };
}

/**
 * Mean of the SSIM map (eq. 13) from the moments and the filtered cross term w * (x y):
 *   ((2 μ_x μ_y + C1)(2 σ_xy + C2)) / ((lum_x + lum_y)(con_x + con_y)),  σ_xy = w * (x y) − μ_x μ_y.
 * Inputs broadcast against each other (…, H', W') → (…); `xy` is consumed (overwritten in place).
 */
function ssimFromMoments(x: Moments, y: Moments, xy: Tensor): Tensor {
  return T.tidy(() => {
    const muXY = x.mu.mul(y.mu); // μ_x μ_y (…, H', W')
    const sXY = xy.sub_(muXY).mulScalar_(2).addScalar_(SSIM_C2); // 2 σ_xy + C2
    const num = muXY.mulScalar_(2).addScalar_(SSIM_C1).mul_(sXY); // (2 μ_x μ_y + C1)(2 σ_xy + C2)
    const den = x.lum.add(y.lum).mul_(x.con.add(y.con)); // (μ_x² + μ_y² + C1)(σ_x² + σ_y² + C2)
    return num.div_(den).meanDim([-2, -1]); // (…)
  });
}

function checkPlaneSize(h: number, w: number, what: string): void {
  if (h < SSIM_WINDOW || w < SSIM_WINDOW) {
    throw new Error(`${what}: SSIM needs images of at least ${SSIM_WINDOW}×${SSIM_WINDOW} pixels (the valid Gaussian window), got ${h}×${w}`);
  }
}

function checkSameShape(a: Tensor, b: Tensor, ndim: number, what: string): void {
  const [sa, sb] = [a.shape, b.shape];
  if (sa.length !== ndim || sa.length !== sb.length || sa.some((d, i) => d !== sb[i])) {
    throw new Error(`${what}: expected two tensors of the same ${ndim}-d shape, got [${sa.join(', ')}] and [${sb.join(', ')}]`);
  }
}

/**
 * SSIM of single-channel planes x, y (P, H, W) → float64 (P): the mean of each SSIM map.
 * Inputs of any floating dtype; the computation runs in float64 on their device.
 */
export function ssimPlanes(x: Tensor, y: Tensor): Tensor {
  checkSameShape(x, y, 3, 'ssimPlanes');
  checkPlaneSize(x.size(1), x.size(2), 'ssimPlanes');
  return T.tidy(() => {
    const [xd, yd] = [x.toDType('float64'), y.toDType('float64')]; // (P, H, W)
    return ssimFromMoments(moments(xd), moments(yd), filterPlanes(xd.mul(yd))); // (P)
  });
}

/** Per-plane SSIM of a, b (..., H, W) in chunks that fit {@link CHUNK_ELEMENTS}; → (P) float64 values. */
function ssimChunked(a: Tensor, b: Tensor): Float64Array {
  const [h, w] = [a.size(-2), a.size(-1)];
  const p = a.numel / (h * w);
  const out = new Float64Array(p);
  const step = Math.max(1, Math.floor(CHUNK_ELEMENTS / (h * w)));
  for (let s = 0; s < p; s += step) {
    const n = Math.min(step, p - s);
    const v = T.tidy(() => {
      const x = a.reshape([p, h, w]).narrow(0, s, n); // (n, H, W)
      const y = b.reshape([p, h, w]).narrow(0, s, n); // (n, H, W)
      return ssimPlanes(x, y).toTypedArray() as Float64Array;
    });
    out.set(v, s);
  }
  return out;
}

/** Mean over groups of `k` consecutive values: (G·k) → (G). */
function groupMeans(v: Float64Array, k: number): Float64Array {
  const out = new Float64Array(v.length / k);
  for (let g = 0; g < out.length; g++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += v[g * k + i]!;
    out[g] = s / k;
  }
  return out;
}

/**
 * SSIM (Wang et al. 2004; metrics.md §4) of videos a, b (B, C, T, H, W) in [0, 1]:
 * per video, mean over frames of the mean over channels of the SSIM map. Returns (B) values.
 *
 * @example
 *   ssimVideos(T.zeros([1, 3, 2, 16, 16]), T.ones([1, 3, 2, 16, 16]));  // [9.999000099990002e-5] = C1/(1+C1)
 */
export function ssimVideos(a: Tensor, b: Tensor): Float64Array {
  checkSameShape(a, b, 5, 'ssimVideos');
  checkPlaneSize(a.size(3), a.size(4), 'ssimVideos');
  const [, c, t] = a.shape as [number, number, number];
  // planes in (B, C, T) order: every video's C·T planes are consecutive, so the mean over the
  // channels then over the frames is the mean over its C·T planes (equal counts).
  return groupMeans(ssimChunked(a, b), c * t);
}

/** SSIM of images a, b (N, C, H, W) in [0, 1]: mean over channels of the SSIM map's mean. Returns (N) values. */
export function ssimImages(a: Tensor, b: Tensor): Float64Array {
  checkSameShape(a, b, 4, 'ssimImages');
  checkPlaneSize(a.size(2), a.size(3), 'ssimImages');
  return groupMeans(ssimChunked(a, b), a.size(1));
}

/**
 * Pairwise SSIM of every video of a (N, C, T, H, W) with every video of b (M, C, T, H, W):
 * N·M values, row-major (entry i·M + j is SSIM(a_i, b_j)), each as {@link ssimVideos}.
 * The moments of each video are computed once; each pair costs one filtered product.
 */
export function ssimMatrix(a: Tensor, b: Tensor): Float64Array {
  const [sa, sb] = [a.shape, b.shape];
  if (sa.length !== 5 || sb.length !== 5 || sa.slice(1).some((d, i) => d !== sb[i + 1])) {
    throw new Error(`ssimMatrix: expected (N, C, T, H, W) and (M, C, T, H, W) with equal C, T, H, W, got [${sa.join(', ')}] and [${sb.join(', ')}]`);
  }
  const [n, c, t, h, w] = sa as [number, number, number, number, number];
  const m = sb[0]!;
  checkPlaneSize(h, w, 'ssimMatrix');
  const planes = c * t; // planes per video
  const out = new Float64Array(n * m);
  const perChunk = Math.max(1, Math.floor(CHUNK_ELEMENTS / (planes * h * w))); // b videos per step
  const [fh, fw] = [w - SSIM_WINDOW + 1, h - SSIM_WINDOW + 1]; // the filtered planes' (transposed) size
  T.tidy(() => {
    const ad = a.toDType('float64').reshape([n, planes, h, w]); // (N, P, H, W)
    const bd = b.toDType('float64').reshape([m, planes, h, w]); // (M, P, H, W)
    const mb = reshapeMoments(moments(bd.reshape([m * planes, h, w])), [m, planes, fh, fw]); // (M, P, H', W') each
    for (let i = 0; i < n; i++) {
      T.tidy(() => {
        const ai = ad.select(0, i); // (P, H, W)
        const ma = reshapeMoments(moments(ai), [1, planes, fh, fw]); // (1, P, H', W') each
        for (let j0 = 0; j0 < m; j0 += perChunk) {
          const k = Math.min(perChunk, m - j0);
          const v = T.tidy(() => {
            const bj = bd.narrow(0, j0, k); // (k, P, H, W)
            const xy = filterPlanes(bj.mul(ai).reshape([k * planes, h, w])).reshape([k, planes, fh, fw]); // (k, P, H', W')
            const mbj = { mu: mb.mu.narrow(0, j0, k), lum: mb.lum.narrow(0, j0, k), con: mb.con.narrow(0, j0, k) }; // (k, P, H', W') each
            return ssimFromMoments(ma, mbj, xy).meanDim(1).toTypedArray() as Float64Array; // (k)
          });
          out.set(v, i * m + j0);
        }
      });
    }
  });
  return out;
}

/** Per-frame PSNR from per-frame MSE (float64 tensor of any shape), 100 where MSE < 1e-10. */
function psnrFromMse(mse: Tensor): Tensor {
  return T.tidy(() => {
    const db = mse.clampMin(PSNR_MSE_FLOOR).reciprocal().log10().mulScalar(10); // same shape
    return T.where(mse.ltScalar(PSNR_MSE_FLOOR), T.fullLike(db, PSNR_IDENTICAL), db);
  });
}

/**
 * PSNR (metrics.md §4) of videos a, b (B, C, T, H, W) in [0, 1]: mean of per-frame PSNRs,
 * 100 when MSE < 1e-10.
 *
 * @example
 *   psnrVideos(T.zeros([1, 3, 2, 4, 4]), T.ones([1, 3, 2, 4, 4]));  // [0]   (MSE 1)
 */
export function psnrVideos(a: Tensor, b: Tensor): Float64Array {
  checkSameShape(a, b, 5, 'psnrVideos');
  return T.tidy(() => {
    const d = a.toDType('float64').sub(b.toDType('float64')); // (B, C, T, H, W)
    const mse = d.square().meanDim([1, 3, 4]); // (B, T)
    return psnrFromMse(mse).meanDim(1).toTypedArray() as Float64Array; // (B)
  });
}

/**
 * Pairwise PSNR of every video of a (N, C, T, H, W) with every video of b (M, C, T, H, W):
 * N·M values, row-major, each as {@link psnrVideos}. Per frame t the MSE of every pair comes from
 * one matrix product: MSE_ij = (|a_i|² + |b_j|² − 2 a_i·b_j) / (C·H·W), in float64.
 */
export function psnrMatrix(a: Tensor, b: Tensor): Float64Array {
  const [sa, sb] = [a.shape, b.shape];
  if (sa.length !== 5 || sb.length !== 5 || sa.slice(1).some((d, i) => d !== sb[i + 1])) {
    throw new Error(`psnrMatrix: expected (N, C, T, H, W) and (M, C, T, H, W) with equal C, T, H, W, got [${sa.join(', ')}] and [${sb.join(', ')}]`);
  }
  const [n, c, t, h, w] = sa as [number, number, number, number, number];
  const m = sb[0]!;
  const d = c * h * w;
  return T.tidy(() => {
    const af = a.toDType('float64').permute([2, 0, 1, 3, 4]).reshape([t, n, d]); // (T, N, D)
    const bf = b.toDType('float64').permute([2, 0, 1, 3, 4]).reshape([t, m, d]); // (T, M, D)
    const na = af.square().sumDim(2).unsqueeze(2); // (T, N, 1)
    const nb = bf.square().sumDim(2).unsqueeze(1); // (T, 1, M)
    const cross = T.bmm(af, bf.transpose(1, 2)); // (T, N, M)
    const mse = na.add(nb).sub(cross.mulScalar(2)).clampMin(0).divScalar(d); // (T, N, M)
    return psnrFromMse(mse).meanDim(0).contiguous().toTypedArray() as Float64Array; // (N, M)
  });
}
