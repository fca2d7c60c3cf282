/**
 * GroupNorm applied to each frame on its own: the statistics of frame t come from frame t
 * alone, so a causal video network stays causal (an ordinary GroupNorm over (C/G, T, H, W)
 * would let later frames change the normalisation of earlier ones; Wan 2.1's VAE avoids this
 * with a per-position RMS norm, we keep GroupNorm per frame, as image VAEs do).
 *
 * Same parameters and keys as `GroupNorm` (`weight`, `bias`: (C)).
 *
 * @example
 *   const n = new FrameGroupNorm(8, 32);
 *   T.tidy(() => n.forward(T.randn([2, 32, 5, 8, 8]))).shape;   // [2, 32, 5, 8, 8]
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Module, init, type Layer } from '../../nn/index.js';

export class FrameGroupNorm extends Module implements Layer {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;

  constructor(numGroups: number, numChannels: number, opts: { eps?: number } = {}) {
    super();
    if (numChannels % numGroups !== 0) throw new Error(`FrameGroupNorm: num_channels (${numChannels}) must be divisible by num_groups (${numGroups})`);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-6;
    this.registerParameter('weight', init.ones_(T.empty([numChannels]))); // (C)
    this.registerParameter('bias', init.zeros_(T.empty([numChannels]))); // (C)
  }

  /** x (B, C, T, H, W) → (B, C, T, H, W), each frame normalised over its (C/G, H, W) groups. */
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      const [b, c, t, h, w] = x.shape as [number, number, number, number, number];
      const frames = x.transpose(1, 2).reshape([b * t, c, h, w]); // (B·T, C, H, W)
      const y = T.groupNorm(frames, this.numGroups, { weight: this.param('weight'), bias: this.param('bias'), eps: this.eps }); // (B·T, C, H, W)
      return y.view([b, t, c, h, w]).transpose(1, 2); // (B, C, T, H, W)
    });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}`;
  }
}
