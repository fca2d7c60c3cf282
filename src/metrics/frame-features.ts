/**
 * Per-frame and text features for the feature-based metrics (CLIPSIM, CLIPScore, CLIP-Temp,
 * CSCV, background_consistency; `../shared/docs/metrics.md` sections 1–2).
 *
 * - Frames go to `FrameEncoder.encodeFrames` in chunks of (N, H, W, 3) uint8; gray videos (C = 1)
 *   are made RGB by repeating the channel (what PIL's `convert('RGB')` does in the references).
 * - Features are L2-normalised here (`x / ||x||`, as openai/CLIP's and VBench's
 *   `features / features.norm(dim=-1, keepdim=True)`), so the cosine of two rows is their dot
 *   product. A zero feature stays a row of NaN: its cosine is undefined, never silently 0.
 * - Rows are kept as float64 JavaScript arrays and cached per (encoder, video) and per
 *   (encoder, text): several metrics on one context encode every video once.
 */
import * as T from '../tensor/index.js';
import { frameBytes, type VideoU8 } from '../media/video.js';
import type { FrameEncoder, TextEncoder } from './types.js';

/** Frames per `encodeFrames` call (bounds the memory of one call). */
export const FRAME_CHUNK = 32;
/** Texts per `encodeTexts` call. */
export const TEXT_CHUNK = 64;

/** (n, dim) rows, row-major, each L2-normalised. */
export interface FeatureRows {
  n: number;
  dim: number;
  data: Float64Array; // (n, dim)
}

/**
 * Frames `start .. start+count-1` of a video as an (count, H, W, 3) uint8 tensor; a gray video's
 * channel is repeated three times. The caller owns (disposes) the result.
 */
export function rgbFrameTensor(v: VideoU8, start: number, count: number): T.Tensor {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 1 || start + count > v.frames) {
    throw new RangeError(`rgbFrameTensor: frames ${start}..${start + count - 1} outside [0, ${v.frames})`);
  }
  const n = frameBytes(v);
  const src = v.data.subarray(start * n, (start + count) * n); // (count, H, W, C) uint8, a view
  if (v.channels === 3) return T.tensor(src, { shape: [count, v.height, v.width, 3] }); // (count, H, W, 3)
  const rgb = new Uint8Array(src.length * 3); // (count, H, W, 3)
  for (let i = 0, j = 0; i < src.length; i++, j += 3) {
    const g = src[i]!;
    rgb[j] = g;
    rgb[j + 1] = g;
    rgb[j + 2] = g;
  }
  return T.tensor(rgb, { shape: [count, v.height, v.width, 3] }); // (count, H, W, 3)
}

/** Divide each row by its Euclidean norm, in float64. */
function normaliseRows(src: Float32Array, n: number, dim: number, out: Float64Array, offset: number): void {
  for (let r = 0; r < n; r++) {
    let ss = 0;
    for (let k = 0; k < dim; k++) ss += src[r * dim + k]! ** 2;
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : NaN;
    for (let k = 0; k < dim; k++) out[(offset + r) * dim + k] = src[r * dim + k]! * inv;
  }
}

/** Run an encoder call in a no-grad scope and copy its (n, D) float result out. */
function encodeChunk(who: string, n: number, call: () => T.Tensor): { dim: number; rows: Float32Array } {
  return T.tidy(() => T.noGrad(() => {
    const f = call(); // (n, D)
    const s = f.shape;
    if (s.length !== 2 || s[0] !== n) {
      throw new Error(`${who} returned shape (${s.join(', ')}) for ${n} inputs; a feature encoder must return (N, D)`);
    }
    return { dim: s[1]!, rows: f.toFloat32Array() };
  }));
}

const frameCache = new WeakMap<FrameEncoder, WeakMap<VideoU8, FeatureRows>>();
const textCache = new WeakMap<TextEncoder, Map<string, Float64Array>>();

/** L2-normalised features of every frame of `v`: (T, D). Encoded once per (encoder, video). */
export function videoFrameFeatures(enc: FrameEncoder, v: VideoU8, chunk = FRAME_CHUNK): FeatureRows {
  let perVideo = frameCache.get(enc);
  if (!perVideo) frameCache.set(enc, (perVideo = new WeakMap()));
  const hit = perVideo.get(v);
  if (hit) return hit;
  if (v.frames < 1) throw new Error(`videoFrameFeatures: the video has no frames`);
  let data: Float64Array | undefined;
  let dim = 0;
  for (let s = 0; s < v.frames; s += chunk) {
    const n = Math.min(chunk, v.frames - s);
    const r = encodeChunk(`${enc.name}.encodeFrames`, n, () => {
      const x = rgbFrameTensor(v, s, n); // (n, H, W, 3) uint8
      return enc.encodeFrames(x); // (n, D)
    });
    if (!data) {
      dim = r.dim;
      data = new Float64Array(v.frames * dim); // (T, D)
    } else if (r.dim !== dim) throw new Error(`${enc.name}.encodeFrames returned ${r.dim} features after ${dim}`);
    normaliseRows(r.rows, n, dim, data, s);
  }
  const rows: FeatureRows = { n: v.frames, dim, data: data! };
  perVideo.set(v, rows);
  return rows;
}

/** L2-normalised text features, one Float64Array (D) per text. Encoded once per (encoder, text). */
export function textFeatures(enc: TextEncoder, texts: readonly string[]): Float64Array[] {
  let cache = textCache.get(enc);
  if (!cache) textCache.set(enc, (cache = new Map()));
  const todo = [...new Set(texts.filter((t) => !cache.has(t)))];
  for (let s = 0; s < todo.length; s += TEXT_CHUNK) {
    const batch = todo.slice(s, s + TEXT_CHUNK);
    const r = encodeChunk(`${enc.name}.encodeTexts`, batch.length, () => enc.encodeTexts(batch)); // (n, D)
    const out = new Float64Array(batch.length * r.dim); // (n, D)
    normaliseRows(r.rows, batch.length, r.dim, out, 0);
    batch.forEach((t, i) => cache.set(t, out.subarray(i * r.dim, (i + 1) * r.dim)));
  }
  return texts.map((t) => cache.get(t)!);
}

/** Cosine of row i of `a` and row j of `b` (rows are unit vectors, so their dot product). */
export function rowCos(a: FeatureRows, i: number, b: FeatureRows, j: number): number {
  if (a.dim !== b.dim) throw new Error(`feature sizes differ: ${a.dim} vs ${b.dim}`);
  let s = 0;
  for (let k = 0; k < a.dim; k++) s += a.data[i * a.dim + k]! * b.data[j * b.dim + k]!;
  return s;
}

/** Cosine of every frame with one (unit) text feature: (T). */
export function frameTextCos(f: FeatureRows, text: Float64Array): number[] {
  if (text.length !== f.dim) {
    throw new Error(`image features have ${f.dim} dimensions but text features ${text.length}; use one encoder for both`);
  }
  return Array.from({ length: f.n }, (_, i) => {
    let s = 0;
    for (let k = 0; k < f.dim; k++) s += f.data[i * f.dim + k]! * text[k]!;
    return s;
  });
}

/** Cosines of consecutive frames, cos(f_i, f_{i+1}) for i = 0..T-2: (T-1). */
export function consecutiveCos(f: FeatureRows): number[] {
  return Array.from({ length: Math.max(0, f.n - 1) }, (_, i) => rowCos(f, i, f, i + 1));
}
