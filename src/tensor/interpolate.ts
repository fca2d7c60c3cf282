/**
 * Resizing helpers over (N, C, H, W) and (N, C, T, H, W) tensors, mapped onto ATen's upsample
 * kernels (which also downsample). `antialias` uses the separable antialiased kernels that
 * match PIL's resampling when downscaling (as torchvision's `antialias=True`).
 */
import { Tensor } from './tensor.js';
import { tidy } from './scope.js';
import { roundHalfEven } from '../util/round.js';
import {
  upsampleBicubic2d, upsampleBicubic2dAA, upsampleBilinear2d, upsampleBilinear2dAA, upsampleNearest2d,
  upsampleNearest3d, upsampleTrilinear3d,
} from './ops.generated.js';

export type InterpolateMode = 'nearest' | 'bilinear' | 'bicubic' | 'trilinear';

export function interpolate(
  x: Tensor,
  size: number[],
  mode: InterpolateMode = 'nearest',
  opts: { alignCorners?: boolean; antialias?: boolean } = {},
): Tensor {
  const ac = opts.alignCorners ?? false;
  const nd = x.ndim;
  if (nd === 4 && size.length === 2) {
    if (mode === 'nearest') return upsampleNearest2d(x, size, null);
    if (mode === 'bilinear') return opts.antialias ? upsampleBilinear2dAA(x, size, ac, null) : upsampleBilinear2d(x, size, ac, null);
    if (mode === 'bicubic') return opts.antialias ? upsampleBicubic2dAA(x, size, ac, null) : upsampleBicubic2d(x, size, ac, null);
  }
  if (nd === 5 && size.length === 3) {
    if (mode === 'nearest') return upsampleNearest3d(x, size, null);
    if (mode === 'trilinear') return upsampleTrilinear3d(x, size, ac, null);
  }
  throw new Error(`interpolate: mode '${mode}' with a ${nd}-d tensor and size [${size.join(', ')}] is not supported (use 4-d with 2 sizes or 5-d with 3)`);
}

/** Resize so the shorter side equals `target`, keeping the aspect ratio (rounded as torchvision). (N,C,H,W) */
export function resizeShorterSide(x: Tensor, target: number, mode: InterpolateMode = 'bicubic', antialias = true): Tensor {
  const [h, w] = [x.size(-2), x.size(-1)];
  const [nh, nw] = h <= w ? [target, Math.floor((target * w) / h)] : [Math.floor((target * h) / w), target];
  return interpolate(x, [nh, nw], mode, { antialias });
}

/** Centre crop of the last two dimensions (torchvision's `int(round((h - height) / 2))` offsets). */
export function centerCrop(x: Tensor, height: number, width: number): Tensor {
  const [h, w] = [x.size(-2), x.size(-1)];
  if (height > h || width > w) throw new Error(`centerCrop: ${height}x${width} is larger than the input ${h}x${w}`);
  const top = roundHalfEven((h - height) / 2);
  const left = roundHalfEven((w - width) / 2);
  return tidy(() => x.narrow(-2, top, height).narrow(-1, left, width));
}
