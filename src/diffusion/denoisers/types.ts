/**
 * The denoiser contract: a network that, given a noisy latent x_t, its model time t and a text
 * condition, predicts the scheduler's target (ε, v or the flow velocity). Every denoiser holds a
 * learned null condition (layers/condition.ts) for classifier-free guidance.
 */
import type { Tensor } from '../../tensor/index.js';
import type { Module } from '../../nn/index.js';
import type { TextTokens } from '../../models/conditioning.js';

export type DenoiserArch = 'dit' | 'unet3d' | 'mlp';
export const DENOISER_ARCHS: readonly DenoiserArch[] = ['dit', 'unet3d', 'mlp'];

export interface DenoiserForwardOptions {
  /** (B) bool: rows to condition on the learned null condition instead of `cond` (CFG dropout, guidance). */
  dropCondition?: Tensor | null;
}

export interface Denoiser extends Module {
  readonly arch: DenoiserArch;
  /** The resolved hyper-parameters (JSON), enough with `latentShape` and `condDim` to rebuild it. */
  readonly config: Record<string, unknown>;
  /** Per-sample latent shape, e.g. [64] or [16, 5, 8, 8]. */
  readonly latentShape: readonly number[];
  /** Width of the text encoder's states and pooled vector. */
  readonly condDim: number;
  /**
   * x (B, ...latentShape), t (B) in model time, cond (states (B, L, condDim), mask (B, L),
   * pooled (B, condDim)) or null for the unconditional model → prediction (B, ...latentShape).
   */
  forward(x: Tensor, t: Tensor, cond: TextTokens | null, opts?: DenoiserForwardOptions): Tensor;
}

/** Throw a readable error when x is not (B, ...latentShape). */
export function checkLatent(x: Tensor, latentShape: readonly number[], who: string): void {
  const s = x.shape;
  if (s.length !== latentShape.length + 1 || latentShape.some((d, i) => s[i + 1] !== d)) {
    throw new Error(`${who}: input must be (B, ${latentShape.join(', ')}), got [${s.join(', ')}]`);
  }
}

/** (C, T, H, W) as four positive integers, or a readable error. */
export function checkVideoLatent(shape: readonly number[], who: string): [number, number, number, number] {
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${who}: needs a video latent (C, T, H, W), got [${shape.join(', ')}]; use the 'mlp' denoiser for vector latents`);
  }
  return shape as unknown as [number, number, number, number];
}
