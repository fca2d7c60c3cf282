// Analytic test images for the flow and motion-metric tests: a smooth random texture (a sum of
// sinusoids, so a moved frame is rendered exactly rather than resampled) and videos built from it.
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import type { VideoU8 } from '../../src/media/video.js';
import type { EvalVideo } from '../../src/metrics/types.js';

/** A small seeded generator (LCG) for test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A seeded standard normal sampler (Box–Muller) over {@link rng}. */
export function gaussian(seed: number): () => number {
  const u = rng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export type Texture = (x: number, y: number) => number;

/**
 * 0.5 + Σ a_k sin(ω_k·(x, y) + φ_k): `components` sinusoids with random directions, wavelengths
 * in [minWavelength, maxWavelength] pixels and amplitudes summing to at most 0.4 (values in
 * [0.1, 0.9]).
 */
export function texture(seed: number, components = 12, minWavelength = 8, maxWavelength = 48): Texture {
  const r = rng(seed);
  const comps = Array.from({ length: components }, () => {
    const theta = r() * 2 * Math.PI;
    const k = (2 * Math.PI) / (minWavelength + r() * (maxWavelength - minWavelength));
    return { kx: Math.cos(theta) * k, ky: Math.sin(theta) * k, phase: r() * 2 * Math.PI, amp: (0.4 / components) * (0.5 + 0.5 * r()) };
  });
  return (x, y) => comps.reduce((v, c) => v + c.amp * Math.sin(c.kx * x + c.ky * y + c.phase), 0.5);
}

/** Render `frames` frames of h×w: frame t at pixel (x, y) shows `sample(t, x, y)`. → (T, H, W) values. */
export function renderFrames(frames: number, h: number, w: number, sample: (t: number, x: number, y: number) => number): Float32Array {
  const out = new Float32Array(frames * h * w); // (T, H, W)
  for (let t = 0; t < frames; t++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(t * h + y) * w + x] = sample(t, x, y);
  return out;
}

/** (T, H, W) values → (T, 1, H, W) float32 tensor. */
export function framesTensor(values: Float32Array, frames: number, h: number, w: number): Tensor {
  return T.tensor(values, { shape: [frames, 1, h, w] });
}

/** (T, H, W) values in [0, 1] → a gray uint8 video (rounded, clamped). */
export function toVideo(values: Float32Array, frames: number, h: number, w: number): VideoU8 {
  const data = Uint8Array.from(values, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)); // (T, H, W, 1)
  return { frames, height: h, width: w, channels: 1, data };
}

export function evalVideo(id: string, video: VideoU8): EvalVideo {
  return { id, prompt: 'test', video };
}

/** Raised-cosine bump of radius r centred at 0: 1 at the centre, 0 from distance r on. */
export function bump(dx: number, dy: number, r: number): number {
  const d = Math.hypot(dx, dy);
  return d >= r ? 0 : 0.5 + 0.5 * Math.cos((Math.PI * d) / r);
}

/**
 * A textured disc of radius `radius` on a flat 0.3 background whose centre is at
 * `centre(t)` in frame t; the texture moves with the disc. Values in [0, 1].
 */
export function movingObject(frames: number, h: number, w: number, centre: (t: number) => [number, number], seed = 3, radius = 14): Float32Array {
  const tex = texture(seed);
  return renderFrames(frames, h, w, (t, x, y) => {
    const [cx, cy] = centre(t);
    return 0.3 + bump(x - cx, y - cy, radius) * (tex(x - cx, y - cy) - 0.3);
  });
}
