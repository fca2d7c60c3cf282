/**
 * Raw videos in memory: one contiguous uint8 buffer in (T, H, W, C) order, C = 1 (gray) or 3
 * (RGB). Every media and data module passes videos as {@link VideoU8}; this file holds the few
 * pixel operations they share (channel conversion, frame access, resize + centre crop).
 */

/** A video as raw bytes: `data` is (T, H, W, C) uint8, row-major, C = 1 (gray) or 3 (RGB). */
export interface VideoU8 {
  frames: number;
  height: number;
  width: number;
  channels: 1 | 3;
  data: Uint8Array; // (T, H, W, C) uint8
}

/** A single image as raw bytes: `data` is (H, W, C) uint8, C = 1 or 3. */
export interface ImageU8 {
  height: number;
  width: number;
  channels: 1 | 3;
  data: Uint8Array; // (H, W, C) uint8
}

/** How resampling averages source pixels: `area` (box average, best for shrinking) or `bilinear`. */
export type ResizeFilter = 'area' | 'bilinear';

/**
 * Wrap (or allocate, zero-filled) a (T, H, W, C) buffer as a video, checking that sizes agree.
 * @example makeVideo(2, 4, 4, 1).data.length // 32
 */
export function makeVideo(frames: number, height: number, width: number, channels: 1 | 3, data?: Uint8Array): VideoU8 {
  const v: VideoU8 = { frames, height, width, channels, data: data ?? new Uint8Array(frames * height * width * channels) };
  checkVideo(v);
  return v;
}

/** Throw if the dimensions are not positive integers or `data` has the wrong length. */
export function checkVideo(v: VideoU8, what = 'video'): void {
  const dims = [v.frames, v.height, v.width];
  if (!dims.every((d) => Number.isInteger(d) && d >= 0) || (v.channels !== 1 && v.channels !== 3)) {
    throw new Error(`${what}: invalid shape (T=${v.frames}, H=${v.height}, W=${v.width}, C=${v.channels}); ` +
      'dimensions must be non-negative integers and C must be 1 or 3');
  }
  const want = v.frames * v.height * v.width * v.channels;
  if (v.data.length !== want) {
    throw new Error(`${what}: data has ${v.data.length} bytes but (T=${v.frames}, H=${v.height}, W=${v.width}, ` +
      `C=${v.channels}) needs ${want}`);
  }
}

/** Bytes in one frame, H * W * C. */
export function frameBytes(v: { height: number; width: number; channels: number }): number {
  return v.height * v.width * v.channels;
}

/** Frame `t` as a view (no copy) into the video's buffer: (H, W, C) uint8. */
export function frameAt(v: VideoU8, t: number): ImageU8 {
  if (!Number.isInteger(t) || t < 0 || t >= v.frames) throw new RangeError(`frame ${t} out of range [0, ${v.frames})`);
  const n = frameBytes(v);
  return { height: v.height, width: v.width, channels: v.channels, data: v.data.subarray(t * n, (t + 1) * n) };
}

/** Stack same-sized images into a video (copies). */
export function videoFromFrames(images: readonly ImageU8[]): VideoU8 {
  const first = images[0];
  if (!first) throw new Error('videoFromFrames: no frames given');
  const n = frameBytes(first);
  const data = new Uint8Array(images.length * n); // (T, H, W, C)
  images.forEach((im, t) => {
    if (im.height !== first.height || im.width !== first.width || im.channels !== first.channels) {
      throw new Error(`videoFromFrames: frame ${t} is ${im.height}x${im.width}x${im.channels}, ` +
        `frame 0 is ${first.height}x${first.width}x${first.channels}`);
    }
    data.set(im.data, t * n);
  });
  return { frames: images.length, height: first.height, width: first.width, channels: first.channels, data };
}

/** Frames `start, start+step, ...` (`count` of them) as a new video (copies). */
export function sliceFrames(v: VideoU8, start: number, count: number, step = 1): VideoU8 {
  const last = start + (count - 1) * step;
  if (start < 0 || count < 0 || step < 1 || (count > 0 && last >= v.frames)) {
    throw new RangeError(`sliceFrames: frames ${start}..${last} (step ${step}) outside [0, ${v.frames})`);
  }
  const n = frameBytes(v);
  const data = new Uint8Array(count * n); // (count, H, W, C)
  for (let i = 0; i < count; i++) {
    const s = (start + i * step) * n;
    data.set(v.data.subarray(s, s + n), i * n);
  }
  return { ...v, frames: count, data };
}

/** Gray to RGB by repeating the channel; RGB videos are returned as they are. */
export function toRGB<V extends VideoU8 | ImageU8>(v: V): V {
  if (v.channels === 3) return v;
  const src = v.data;
  const out = new Uint8Array(src.length * 3); // (..., 3)
  for (let i = 0, j = 0; i < src.length; i++, j += 3) {
    const g = src[i]!;
    out[j] = g;
    out[j + 1] = g;
    out[j + 2] = g;
  }
  return { ...v, channels: 3, data: out };
}

/**
 * RGB to gray with the ITU-R BT.601 luma weights (0.299, 0.587, 0.114), rounded; gray inputs
 * are returned as they are. This matches ffmpeg's `-pix_fmt gray` to within one level.
 */
export function toGray<V extends VideoU8 | ImageU8>(v: V): V {
  if (v.channels === 1) return v;
  const src = v.data;
  const out = new Uint8Array(src.length / 3); // (..., 1)
  for (let i = 0, j = 0; i < out.length; i++, j += 3) {
    out[i] = Math.round(0.299 * src[j]! + 0.587 * src[j + 1]! + 0.114 * src[j + 2]!);
  }
  return { ...v, channels: 1, data: out };
}

/** Convert to the requested channel count (1: BT.601 luma, 3: repeat gray). */
export function withChannels<V extends VideoU8 | ImageU8>(v: V, channels: 1 | 3): V {
  return channels === 1 ? toGray(v) : toRGB(v);
}

/**
 * Sampling weights along one axis: output pixel i reads source pixels `start[i] ...` with
 * `weights[i]` (summing to 1).
 */
interface AxisWeights {
  start: Int32Array;
  weights: Float32Array[];
}

/**
 * Weights that map `src` pixels to `out` pixels for a scale `s` (output pixels per source pixel)
 * and an offset `off` (in output pixels) into the scaled axis: output pixel i covers the source
 * interval [(off + i) / s, (off + i + 1) / s).
 */
function axisWeights(src: number, out: number, s: number, off: number, filter: ResizeFilter): AxisWeights {
  const start = new Int32Array(out);
  const weights: Float32Array[] = [];
  for (let i = 0; i < out; i++) {
    const lo = (off + i) / s;
    const hi = (off + i + 1) / s;
    if (filter === 'area' && s < 1) {
      // Box filter: weight = overlap of [lo, hi) with source pixel [j, j + 1).
      const j0 = Math.max(0, Math.floor(lo));
      const j1 = Math.min(src - 1, Math.ceil(hi) - 1);
      const w = new Float32Array(j1 - j0 + 1);
      let sum = 0;
      for (let j = j0; j <= j1; j++) {
        const ov = Math.min(hi, j + 1) - Math.max(lo, j);
        w[j - j0] = Math.max(0, ov);
        sum += w[j - j0]!;
      }
      for (let k = 0; k < w.length; k++) w[k]! /= sum;
      start[i] = j0;
      weights.push(w);
    } else {
      // Bilinear on pixel centres (also used by `area` when enlarging, where boxes do not overlap).
      const x = Math.min(src - 1, Math.max(0, (lo + hi) / 2 - 0.5));
      const j0 = Math.min(src - 1, Math.floor(x));
      const f = x - j0;
      start[i] = j0;
      weights.push(j0 + 1 < src && f > 0 ? Float32Array.of(1 - f, f) : Float32Array.of(1));
    }
  }
  return { start, weights };
}

/**
 * Resize so that the image covers (outH, outW) — the shorter side (relative to the target
 * aspect) matches — then cut the centre (outH, outW) window. Works on a whole video frame by
 * frame. `area` averages the source pixels each output pixel covers (no aliasing when
 * shrinking); `bilinear` interpolates between the nearest four.
 * @example resizeCropVideo(makeVideo(1, 120, 160, 1), 64, 64) // 120x160 -> 64x85 -> centre 64x64
 */
export function resizeCropVideo(v: VideoU8, outH: number, outW: number, filter: ResizeFilter = 'area'): VideoU8 {
  checkVideo(v);
  if (!(outH >= 1 && outW >= 1 && Number.isInteger(outH) && Number.isInteger(outW))) {
    throw new Error(`resizeCropVideo: target size ${outH}x${outW} must be positive integers`);
  }
  if (v.height === outH && v.width === outW) return v;
  if (v.height === 0 || v.width === 0) throw new Error('resizeCropVideo: source frame is empty');
  const { height: H, width: W, channels: C } = v;
  const s = Math.max(outH / H, outW / W); // output pixels per source pixel
  const ys = axisWeights(H, outH, s, (H * s - outH) / 2, filter);
  const xs = axisWeights(W, outW, s, (W * s - outW) / 2, filter);
  const out = new Uint8Array(v.frames * outH * outW * C); // (T, outH, outW, C)
  const tmp = new Float32Array(H * outW * C); // (H, outW, C) after the horizontal pass
  for (let t = 0; t < v.frames; t++) {
    const src = v.data.subarray(t * H * W * C, (t + 1) * H * W * C);
    // 1. Horizontal pass: (H, W, C) -> (H, outW, C).
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < outW; x++) {
        const w = xs.weights[x]!;
        const base = (y * W + xs.start[x]!) * C;
        for (let c = 0; c < C; c++) {
          let acc = 0;
          for (let k = 0; k < w.length; k++) acc += w[k]! * src[base + k * C + c]!;
          tmp[(y * outW + x) * C + c] = acc;
        }
      }
    }
    // 2. Vertical pass: (H, outW, C) -> (outH, outW, C), rounded to uint8.
    const o = t * outH * outW * C;
    for (let y = 0; y < outH; y++) {
      const w = ys.weights[y]!;
      const j0 = ys.start[y]!;
      for (let i = 0; i < outW * C; i++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k]! * tmp[(j0 + k) * outW * C + i]!;
        out[o + y * outW * C + i] = Math.min(255, Math.max(0, Math.round(acc)));
      }
    }
  }
  return { frames: v.frames, height: outH, width: outW, channels: C, data: out };
}

/** {@link resizeCropVideo} for a single image. */
export function resizeCropImage(im: ImageU8, outH: number, outW: number, filter: ResizeFilter = 'area'): ImageU8 {
  const v = resizeCropVideo({ frames: 1, ...im }, outH, outW, filter);
  return { height: v.height, width: v.width, channels: v.channels, data: v.data };
}
