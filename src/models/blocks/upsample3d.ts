/**
 * 2× up-sampling of videos in space and/or time: nearest-neighbour interpolation followed by a
 * 3×3×3 convolution (LDM's `Upsample` with `with_conv`, made 3-D). Key: `conv.*`.
 *
 * Causal (causal-vae; CogVideoX `Upsample3D` with `compress_time`): the first frame is only
 * up-sampled in space and the others are doubled in time, T = 1 + k → 1 + 2k, the inverse of the
 * causal down-sampling; the convolution is causal.
 *
 * @example
 *   const u = new Upsample3d(8, { spatial: true, temporal: true, causal: true });
 *   T.tidy(() => u.forward(T.zeros([1, 8, 5, 8, 8]))).shape;   // [1, 8, 9, 16, 16]
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Module, type Layer } from '../../nn/index.js';
import { conv333 } from './resblock3d.js';
import type { CausalPad } from './causal-conv3d.js';

export interface Upsample3dOptions {
  /** Double H and W (default true). */
  spatial?: boolean;
  /** Double T (default false). */
  temporal?: boolean;
  causal?: boolean;
  pad?: CausalPad;
}

export class Upsample3d extends Module implements Layer {
  readonly spatial: boolean;
  readonly temporal: boolean;
  readonly causal: boolean;
  readonly conv: Module & Layer;

  constructor(channels: number, opts: Upsample3dOptions = {}) {
    super();
    this.spatial = opts.spatial ?? true;
    this.temporal = opts.temporal ?? false;
    this.causal = opts.causal ?? false;
    this.conv = this.registerModule('conv', conv333(channels, channels, this.causal, opts.pad));
  }

  /** x (B, C, T, H, W) → (B, C, T', 2H, 2W) with T' = 2T (causal: 1 + 2(T − 1)) or T. */
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      const [, , t, h, w] = x.shape as [number, number, number, number, number];
      const s = this.spatial ? 2 : 1;
      let up: Tensor;
      if (this.temporal && this.causal && t > 1) {
        const first = T.upsampleNearest3d(x.narrow(2, 0, 1), [1, h * s, w * s], null); // (B, C, 1, sH, sW)
        const rest = T.upsampleNearest3d(x.narrow(2, 1, t - 1), [2 * (t - 1), h * s, w * s], null); // (B, C, 2(T−1), sH, sW)
        up = T.cat([first, rest], { dim: 2 }); // (B, C, 1 + 2(T−1), sH, sW)
      } else {
        const tt = this.temporal && !this.causal ? 2 * t : t;
        up = T.upsampleNearest3d(x, [tt, h * s, w * s], null); // (B, C, T', sH, sW)
      }
      return this.conv.forward(up); // (B, C, T', sH, sW)
    });
  }

  override extraRepr(): string {
    return `spatial=${this.spatial}, temporal=${this.temporal}, causal=${this.causal}`;
  }
}
