// Small synthetic EvalVideos for the quality-metric tests.
import { makeVideo } from '../../../src/media/video.js';
import type { EvalVideo } from '../../../src/metrics/types.js';

/** A video whose every byte comes from `value(t, y, x, c)` (rounded, clamped to 0..255). */
export function video(id: string, prompt: string, shape: { t: number; h: number; w: number; c: 1 | 3 }, value: (t: number, y: number, x: number, c: number) => number): EvalVideo {
  const data = new Uint8Array(shape.t * shape.h * shape.w * shape.c); // (T, H, W, C)
  let i = 0;
  for (let t = 0; t < shape.t; t++) for (let y = 0; y < shape.h; y++) for (let x = 0; x < shape.w; x++) for (let c = 0; c < shape.c; c++) {
    data[i++] = Math.max(0, Math.min(255, Math.round(value(t, y, x, c))));
  }
  return { id, prompt, video: makeVideo(shape.t, shape.h, shape.w, shape.c, data) };
}

/** A constant video. */
export function constant(id: string, prompt: string, level: number, shape = { t: 2, h: 12, w: 12, c: 1 as 1 | 3 }): EvalVideo {
  return video(id, prompt, shape, () => level);
}

/** Seeded uniform [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random-texture video (bytes uniform in 0..255) from a seed. */
export function noise(id: string, prompt: string, seed: number, shape = { t: 2, h: 12, w: 12, c: 1 as 1 | 3 }): EvalVideo {
  const r = rng(seed);
  return video(id, prompt, shape, () => r() * 255);
}

/** The same pixels under another id / prompt. */
export function renamed(v: EvalVideo, id: string, prompt = v.prompt): EvalVideo {
  return { id, prompt, video: v.video };
}
