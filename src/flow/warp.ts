/**
 * Backward warping by a dense flow: `warp(img, flow)(x) = img(x + flow(x))`, bilinear, with the
 * sampling coordinates clamped to the image border (as the warping-error reference, Lai et al.
 * 2018, and `grid_sample(..., padding_mode='border', align_corners=True)`).
 *
 * Flow convention used throughout `src/flow`: (N, 2, H, W) in pixels, channel 0 = horizontal
 * displacement dx (towards larger column index), channel 1 = vertical dy (towards larger row).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

const BILINEAR = 0;
const BORDER = 1;

/**
 * The identity sampling grid of an H×W image in grid_sample's normalised coordinates with
 * aligned corners, kept channel-first, and the factors that turn pixel displacements into
 * normalised ones: grid (1, 2, H, W) with channel 0 = x, 1 = y; scale (1, 2, 1, 1) =
 * (2/(W-1), 2/(H-1)) (0 for a size-1 axis).
 */
export function identityGrid(h: number, w: number): { grid: Tensor; scale: Tensor } {
  return T.tidy(() => {
    const sx = w > 1 ? 2 / (w - 1) : 0;
    const sy = h > 1 ? 2 / (h - 1) : 0;
    const xs = T.arange(0, w).float().mulScalar(sx).subScalar(w > 1 ? 1 : 0); // (W)
    const ys = T.arange(0, h).float().mulScalar(sy).subScalar(h > 1 ? 1 : 0); // (H)
    const gx = xs.view([1, w]).expand([h, w]); // (H, W)
    const gy = ys.view([h, 1]).expand([h, w]); // (H, W)
    const grid = T.stack([gx, gy], { dim: 0 }).unsqueeze(0); // (1, 2, H, W)
    const scale = T.tensor([sx, sy], { shape: [1, 2, 1, 1] }); // (1, 2, 1, 1)
    return { grid, scale };
  });
}

/**
 * Sample img (N, C, H, W) at x + flow(x) for flow (N, 2, H, W) in pixels: bilinear, coordinates
 * clamped to [0, W-1] × [0, H-1]. Pass a precomputed {@link identityGrid} to save its
 * construction in loops. Returns (N, C, H, W).
 */
export function warp(img: Tensor, flow: Tensor, base?: { grid: Tensor; scale: Tensor }): Tensor {
  const [n, , h, w] = img.shape as [number, number, number, number];
  const fs = flow.shape;
  if (flow.ndim !== 4 || fs[0] !== n || fs[1] !== 2 || fs[2] !== h || fs[3] !== w) {
    throw new Error(`warp: flow must be (${n}, 2, ${h}, ${w}) for an image of shape [${img.shape.join(', ')}], got [${fs.join(', ')}]`);
  }
  return T.tidy(() => {
    const id = base ?? identityGrid(h, w);
    let grid = T.addcmul(id.grid, flow, id.scale); // (N, 2, H, W): normalised sampling positions
    if (grid.dtype !== img.dtype) grid = grid.toDType(img.dtype);
    return T.gridSampler(img, grid.permute([0, 2, 3, 1]), BILINEAR, BORDER, true); // (N, C, H, W)
  });
}
