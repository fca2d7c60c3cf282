/**
 * What the three video autoencoders share: inputs in [0, 1] are mapped to [−1, 1] inside the
 * network (as LDM and DCGAN train), the encoder gives a diagonal Gaussian posterior, and the
 * decoder's raw output lives on the [−1, 1] scale. `encode` returns the posterior mean and
 * `decode` maps back to [0, 1] with a clamp, as the `VideoAutoencoder` contract says.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Module } from '../../nn/index.js';
import type { Posterior } from '../blocks/index.js';
import type { AeArch, VideoAutoencoder } from './types.js';

/** Per-video input (C, T, H, W). */
export type VideoShape = [number, number, number, number];

export abstract class VideoAeBase extends Module implements VideoAutoencoder {
  abstract readonly arch: AeArch;
  abstract readonly config: Record<string, unknown>;
  /** The (C, T, H, W) the network was built for. */
  readonly input: VideoShape;

  protected constructor(input: VideoShape) {
    super();
    this.input = [...input];
  }

  /** Per-video latent shape for `input` (only the built input is accepted). */
  latentShape(input: readonly [number, number, number, number]): number[] {
    if (input.some((d, i) => d !== this.input[i])) {
      throw new Error(`${this.arch}: this autoencoder was built for (C, T, H, W) = (${this.input.join(', ')}), got (${input.join(', ')}); train one for that size`);
    }
    return this.latentShapeFor();
  }

  protected abstract latentShapeFor(): number[];

  /** q(z|x): x (B, C, T, H, W) in [0, 1] → μ, log σ² (B, ...latent). */
  abstract posterior(x: Tensor): Posterior;

  /** z (B, ...latent) → video on the [−1, 1] scale (B, C, T, H, W), not clamped. */
  abstract decodeRaw(z: Tensor): Tensor;

  encode(x: Tensor): Tensor {
    this.checkVideo(x);
    return T.tidy(() => this.posterior(x).mean); // (B, ...latent)
  }

  decode(z: Tensor): Tensor {
    const want = this.latentShapeFor();
    if (z.ndim !== want.length + 1 || want.some((d, i) => z.size(i + 1) !== d)) {
      throw new Error(`${this.arch}: decode expects latents (B, ${want.join(', ')}), got [${z.shape.join(', ')}]`);
    }
    return T.tidy(() => toUnit(this.decodeRaw(z)).clamp({ min: 0, max: 1 })); // (B, C, T, H, W)
  }

  /** Throw a readable error when x is not (B, C, T, H, W) of the built size. */
  checkVideo(x: Tensor): void {
    const s = x.shape;
    if (s.length !== 5 || s.slice(1).some((d, i) => d !== this.input[i])) {
      throw new Error(`${this.arch}: expected videos (B, ${this.input.join(', ')}) = (B, C, T, H, W), got [${s.join(', ')}]`);
    }
  }
}

/** [0, 1] → [−1, 1]. */
export function toSigned(x: Tensor): Tensor {
  return T.tidy(() => x.mulScalar(2).subScalar(1));
}

/** [−1, 1] → [0, 1] (no clamp, so gradients flow). */
export function toUnit(y: Tensor): Tensor {
  return T.tidy(() => y.addScalar(1).mulScalar(0.5));
}
