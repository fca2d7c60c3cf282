/**
 * What every video autoencoder offers to the two model families: the joint family decodes its
 * shared latent through `decode`, the specialised family generates into `encode`'s space.
 * Videos in and out are (B, C, T, H, W) float32 in [0, 1].
 */
import type { Tensor } from '../../tensor/index.js';
import type { Module } from '../../nn/index.js';

export type AeArch = 'conv3d-base' | 'unet3d' | 'causal-vae';
export const AE_ARCHS: readonly AeArch[] = ['conv3d-base', 'unet3d', 'causal-vae'];

export interface VideoAutoencoder extends Module {
  readonly arch: AeArch;
  /** The architecture's resolved hyper-parameters (saved as `ae.json` in the run folder). */
  readonly config: Record<string, unknown>;
  /** Per-video latent shape for a (C, T, H, W) input, e.g. [64] (vector) or [16, 5, 8, 8]. */
  latentShape(input: readonly [number, number, number, number]): number[];
  /** x (B, C, T, H, W) in [0,1] → latent (B, ...latentShape); the posterior mean (deterministic). */
  encode(x: Tensor): Tensor;
  /** latent (B, ...latentShape) → video (B, C, T, H, W) in [0, 1]. */
  decode(z: Tensor): Tensor;
}
