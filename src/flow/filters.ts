/**
 * The small image filters the optical flow is built from, as batched tensor ops over (N, C, H, W)
 * float32 images: gray conversion, separable Gaussian windows, image gradients and the 2×
 * pyramid reduction. Kernels are tiny tensors made per call (freed by the caller's scope).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

/** ITU-R BT.601 luma weights (as OpenCV's RGB2GRAY). */
const LUMA = [0.299, 0.587, 0.114];

/** (N, 1 | 3, H, W) → (N, 1, H, W): RGB to luma; gray passes through. */
export function toGray(x: Tensor): Tensor {
  const c = x.size(1);
  if (c === 1) return x;
  if (c !== 3) throw new Error(`toGray: expected 1 or 3 channels, got ${c} (shape [${x.shape.join(', ')}])`);
  const w = T.tensor(LUMA, { shape: [1, 3, 1, 1], dtype: x.dtype }); // (1, 3, 1, 1)
  return T.conv2d(x, w); // (N, 1, H, W)
}

/** Normalised Gaussian taps exp(-k²/2σ²), k = -r..r, r = ceil(2σ) by default. */
export function gaussianTaps(sigma: number, radius = Math.ceil(2 * sigma)): number[] {
  if (!(sigma > 0)) throw new Error(`gaussianTaps: sigma must be positive, got ${sigma}`);
  const taps: number[] = [];
  for (let k = -radius; k <= radius; k++) taps.push(Math.exp((-k * k) / (2 * sigma * sigma)));
  const s = taps.reduce((a, b) => a + b, 0);
  return taps.map((t) => t / s);
}

/**
 * Separable filter of every channel of x (N, C, H, W) with `taps` along W then H, zero padding
 * ("same" size): outside pixels count as absent, which a ratio of two filtered fields (a local
 * least-squares window) turns into a window cut at the border.
 *
 * Implementation: a depthwise 1×K convolution over all N·C planes as channels of one image
 * (libtorch's oneDNN depthwise kernel is several times faster than a batch of 1-channel
 * convolutions), run twice with a transpose in between so that both passes run along rows.
 */
export function separableFilter(x: Tensor, taps: number[]): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const r = (taps.length - 1) / 2;
  const planes = n * c;
  const k = T.tensor(taps, { shape: [1, 1, 1, taps.length], dtype: x.dtype }).expand([planes, 1, 1, taps.length]).contiguous(); // (N·C, 1, 1, K)
  const rows = T.conv2d(x.reshape([1, planes, h, w]), k, { padding: [0, r], groups: planes }); // (1, N·C, H, W)
  const cols = T.conv2d(rows.transpose(2, 3).contiguous(), k, { padding: [0, r], groups: planes }); // (1, N·C, W, H)
  return cols.transpose(2, 3).contiguous().view([n, c, h, w]); // (N, C, H, W)
}

/**
 * Spatial gradient (∂/∂x, ∂/∂y) of x (N, 1, H, W) by central differences (x[i+1] − x[i−1])/2
 * with replicate padding (one-sided halves at the border). Returns (N, 2, H, W), channel 0 =
 * ∂/∂x, 1 = ∂/∂y.
 */
export function imageGradient(x: Tensor): Tensor {
  const [h, w] = [x.size(2), x.size(3)];
  const p = T.replicationPad2d(x, [1, 1, 1, 1]); // (N, 1, H+2, W+2)
  const gx = p.narrow(2, 1, h).narrow(3, 2, w).sub(p.narrow(2, 1, h).narrow(3, 0, w)); // (N, 1, H, W)
  const gy = p.narrow(2, 2, h).narrow(3, 1, w).sub(p.narrow(2, 0, h).narrow(3, 1, w)); // (N, 1, H, W)
  return T.cat([gx, gy], { dim: 1 }).mulScalar(0.5); // (N, 2, H, W)
}

/**
 * Pyramid reduction (Burt & Adelson 1983): blur with the binomial [1, 5, 10, 10, 5, 1]/32 and keep
 * every second sample, replicate padding. Coarse pixel i sits at fine coordinate 2i + ½ (the
 * half-pixel convention of bilinear resizing without aligned corners, so the flow goes back up
 * with `interpolate(..., 'bilinear')`). (N, C, H, W) → (N, C, ⌊H/2⌋, ⌊W/2⌋).
 */
export function downsample2(x: Tensor): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const planes = n * c;
  const k = T.tensor([1, 5, 10, 10, 5, 1].map((v) => v / 32), { shape: [1, 1, 1, 6] }).expand([planes, 1, 1, 6]).contiguous(); // (N·C, 1, 1, 6)
  const padded = T.replicationPad2d(x.reshape([1, planes, h, w]), [2, 2, 2, 2]); // (1, N·C, H+4, W+4)
  const rows = T.conv2d(padded, k.toDType(x.dtype), { stride: [1, 2], groups: planes }); // (1, N·C, H+4, ⌊W/2⌋)
  const cols = T.conv2d(rows.transpose(2, 3).contiguous(), k.toDType(x.dtype), { stride: [1, 2], groups: planes }); // (1, N·C, ⌊W/2⌋, ⌊H/2⌋)
  return cols.transpose(2, 3).contiguous().view([n, c, cols.size(3), cols.size(2)]); // (N, C, H/2, W/2)
}
