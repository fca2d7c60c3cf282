/**
 * SyncDraw-MM motion (paper Section 4.1): a digit moves either "up and down" or "left and right"
 * at constant speed and bounces off the canvas borders. The digit's 28×28 glyph box never leaves
 * the canvas: its top-left corner stays in [0, size − 28] on both axes.
 *
 * Bouncing is computed in closed form by folding the free-flight position p₀ + v·t into
 * [0, max] (an elastic reflection at each border), so there is no accumulated drift and the
 * trajectory is a pure function of (start, velocity, t). Positions are rounded to whole pixels
 * when drawn, which keeps each frame's ink an exact copy of the glyph.
 */
import type { Rng } from './rng.js';

export type Motion = 'up and down' | 'left and right';
export const MOTIONS: readonly Motion[] = ['up and down', 'left and right'];

/** One digit's motion: the glyph box's top-left corner at frame 0 and its velocity in px/frame. */
export interface MotionParams {
  motion: Motion;
  /** [x, y] of the glyph box's top-left corner at frame 0, whole pixels. */
  start: [number, number];
  /** [vx, vy] in pixels per frame; the axis not named by `motion` has velocity 0. */
  velocity: [number, number];
}

/** Default speed range in pixels per frame (|v|, sign random). */
export const DEFAULT_SPEED: readonly [number, number] = [2, 5];

/**
 * Sample a motion: uniform start anywhere the box fits, speed uniform in `speed` (rounded to
 * 1/100 px so the manifest's numbers reproduce the trajectory exactly), random direction.
 * `maxX`, `maxY` are the largest top-left coordinates (canvas side − glyph side).
 */
export function sampleMotion(
  motion: Motion,
  rng: Rng,
  maxX: number,
  maxY: number,
  speed: readonly [number, number] = DEFAULT_SPEED,
): MotionParams {
  const start: [number, number] = [rng.int(0, maxX + 1), rng.int(0, maxY + 1)];
  const s = Math.round(rng.uniform(speed[0], speed[1]) * 100) / 100;
  const v = rng.bool() ? s : -s;
  const velocity: [number, number] = motion === 'left and right' ? [v, 0] : [0, v];
  return { motion, start, velocity };
}

/** Fold a free-flight coordinate into [0, max]: reflection at 0 and at max, repeated. */
export function bounce(p: number, max: number): number {
  if (max <= 0) return 0;
  const period = 2 * max;
  let q = p % period;
  if (q < 0) q += period;
  return q > max ? period - q : q;
}

/**
 * The integer top-left position of the glyph box at each frame.
 * @returns (T, 2) int32, [x, y] per frame, each in [0, maxX] × [0, maxY]
 */
export function trajectory(m: MotionParams, frames: number, maxX: number, maxY: number): Int32Array {
  const out = new Int32Array(frames * 2); // (T, 2)
  for (let t = 0; t < frames; t++) {
    out[2 * t] = Math.round(bounce(m.start[0] + m.velocity[0] * t, maxX));
    out[2 * t + 1] = Math.round(bounce(m.start[1] + m.velocity[1] * t, maxY));
  }
  return out;
}
