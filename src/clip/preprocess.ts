/**
 * CLIP image preprocessing, batched on engine tensors, as openai/CLIP `clip/clip.py` `_transform`
 * (torchvision on PIL images) and HF `CLIPImageProcessor`:
 *   1. resize the SHORTER side to `size` (224) with PIL's bicubic (antialiased when shrinking),
 *      the longer side to `int(size * long / short)` (torchvision's rounding);
 *   2. centre-crop `size` x `size` (torchvision's offsets: Python `round`, half to even);
 *   3. /255, then normalise per channel with CLIP's mean and std.
 *
 * Resampling: `_upsample_bicubic2d_aa` (via `T.interpolate(…, 'bicubic', { antialias: true })`) is
 * PIL's separable filter (cubic a = -0.5, support scaled by the shrink factor), computed in float.
 * PIL itself resamples an 8-bit image: a horizontal pass, then a vertical pass, each rounded
 * half up and clipped to 0..255. With `roundLikePil` (default) we do the same — two float64
 * passes, each followed by floor(x + 0.5) and a clamp — which leaves only PIL's fixed-point
 * coefficient error: on the reference fixture the mean absolute error drops from ~4.5e-3
 * (one float32 pass, clamped, not rounded) to ~1e-6, the rest being single 8-bit steps
 * (see test/clip/preprocess.test.ts for the measured errors).
 *
 * Pitfall (metrics.md §1): squashing to size x size or skipping the normalisation makes scores
 * incomparable with published CLIP numbers.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { roundHalfEven } from '../util/round.js';

/** CLIP's normalisation (OpenAI's training statistics), per RGB channel. */
export const CLIP_MEAN: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

export interface ClipPreprocessOptions {
  /** Output side (default 224): the vision config's `image_size`. */
  size?: number;
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
  /**
   * Resample as PIL's 8-bit path (default true): width pass then height pass, in float64, each
   * rounded half up to 0..255. false: one float32 pass, clamped to 0..255, not rounded.
   */
  roundLikePil?: boolean;
  /**
   * How the longer side's new length is rounded: 'truncate' (default) is torchvision's and HF's
   * `int(size * long / short)`; 'round' rounds to nearest, as some re-implementations do (the
   * project's clip-preprocess fixture for its 240x320 image was made that way: 299, not 298).
   */
  longSide?: 'truncate' | 'round';
}

/**
 * torchvision `Resize(size)` output (height, width): shorter side `size`, longer
 * `int(size * long / short)` (or rounded to nearest with `longSide: 'round'`).
 */
export function clipResizeSize(height: number, width: number, size: number, longSide: 'truncate' | 'round' = 'truncate'): [number, number] {
  const scale = longSide === 'round' ? roundHalfEven : Math.trunc;
  if (height <= width) return [size, scale((size * width) / height)];
  return [scale((size * height) / width), size];
}

/** torchvision `center_crop` offset along one side: `int(round((size_in - size_out) / 2))`. */
export function clipCropOffset(sizeIn: number, sizeOut: number): number {
  return roundHalfEven((sizeIn - sizeOut) / 2);
}

/**
 * Frames → CLIP pixel values.
 *
 * @param frames uint8 (N, H, W, 3) RGB, or floating (N, 3, H, W) RGB in [0, 1]
 * @returns float32 (N, 3, size, size), on the input's device; owned by the caller
 *
 * @example
 *   const frames = T.zeros([2, 240, 320, 3], { dtype: 'uint8' });   // (N, H, W, 3)
 *   const px = preprocessClipImages(frames);                         // (2, 3, 224, 224)
 *   px.select(1, 0).mean().item();   // -1.7922… = (0 - 0.48145466) / 0.26862954
 */
export function preprocessClipImages(frames: Tensor, opts: ClipPreprocessOptions = {}): Tensor {
  const size = opts.size ?? 224;
  if (!Number.isInteger(size) || size < 1) throw new Error(`preprocessClipImages: size must be a positive integer, got ${size}`);
  const mean = opts.mean ?? CLIP_MEAN;
  const std = opts.std ?? CLIP_STD;
  const roundLikePil = opts.roundLikePil ?? true;
  const longSide = opts.longSide ?? 'truncate';
  if (longSide !== 'truncate' && longSide !== 'round') throw new Error(`preprocessClipImages: longSide must be 'truncate' or 'round', got '${String(longSide)}'`);
  const layout = inputLayout(frames);
  return T.tidy(() => {
    // 1. (N, 3, H, W) on the 0..255 scale; float64 for the PIL-like passes, else float32
    const dtype = roundLikePil ? 'float64' : 'float32';
    const x =
      layout === 'nhwc'
        ? frames.permute([0, 3, 1, 2]).toDType(dtype) // (N, 3, H, W)
        : frames.toDType(dtype).mulScalar(255); // (N, 3, H, W)
    const [h, w] = [x.size(2), x.size(3)];
    const [rh, rw] = clipResizeSize(h, w, size, longSide);
    // 2. bicubic resize of the shorter side; PIL order: width pass, then height pass
    let r: Tensor;
    if (roundLikePil) {
      const wide = rw === w ? x : toPixels(T.interpolate(x, [h, rw], 'bicubic', { antialias: true })); // (N, 3, H, rw)
      r = rh === h ? wide : toPixels(T.interpolate(wide, [rh, rw], 'bicubic', { antialias: true })); // (N, 3, rh, rw)
    } else {
      r = rh === h && rw === w ? x : T.interpolate(x, [rh, rw], 'bicubic', { antialias: true }).clamp({ min: 0, max: 255 }); // (N, 3, rh, rw)
    }
    // 3. centre crop (torchvision offsets)
    const crop = r
      .narrow(2, clipCropOffset(rh, size), size)
      .narrow(3, clipCropOffset(rw, size), size)
      .toDType('float32'); // (N, 3, size, size)
    // 4. ToTensor's /255, then Normalize: (x - mean) / std, in float32 as torchvision
    const m = T.tensor(Float32Array.from(mean), { shape: [1, 3, 1, 1] }).to(x.device); // (1, 3, 1, 1)
    const s = T.tensor(Float32Array.from(std), { shape: [1, 3, 1, 1] }).to(x.device); // (1, 3, 1, 1)
    return crop.divScalar(255).sub(m).div(s).contiguous(); // (N, 3, size, size)
  });
}

/** PIL's 8-bit store after a pass: round half up (its fixed point adds 0.5 before the shift), clip to 0..255. */
function toPixels(x: Tensor): Tensor {
  return x.addScalar(0.5).floor().clamp({ min: 0, max: 255 });
}

function inputLayout(frames: Tensor): 'nhwc' | 'nchw' {
  const shape = frames.shape;
  const dtype = frames.dtype;
  if (shape.length === 4 && dtype === 'uint8' && shape[3] === 3) return 'nhwc';
  if (shape.length === 4 && T.isFloating(dtype) && shape[1] === 3) return 'nchw';
  throw new Error(
    `preprocessClipImages: expected uint8 frames (N, H, W, 3) or floating frames (N, 3, H, W) in [0, 1], ` +
      `got ${dtype} [${shape.join(', ')}]` +
      (shape.length === 3 ? ' (a single image: add the batch dimension with .unsqueeze(0))' : ''),
  );
}
