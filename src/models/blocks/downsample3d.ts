/**
 * 2× down-sampling of videos in space and/or time.
 *
 * Centred (unet3d): one strided 3×3×3 convolution, stride (s_t, 2, 2), padding 1 (LDM's
 * `Downsample` with a learned conv, made 3-D). Key: `conv.*`.
 *
 * Causal (causal-vae; CogVideoX `DownSample3D` with `compress_time`): time is halved by
 * averaging frame pairs while the FIRST frame is kept alone, T = 1 + 2k → 1 + k (an even T is
 * averaged in pairs), so output frame j averages input frames ≤ 2j; space is halved by a
 * per-frame 3×3 convolution with stride 2 (kernel (1, 3, 3)). Key: `conv.*`.
 *
 * @example
 *   const d = new Downsample3d(8, { spatial: true, temporal: true, causal: true });
 *   T.tidy(() => d.forward(T.zeros([1, 8, 9, 16, 16]))).shape;   // [1, 8, 5, 8, 8]
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Conv3d, Module, type Layer } from '../../nn/index.js';

export interface Downsample3dOptions {
  /** Halve H and W (default true). */
  spatial?: boolean;
  /** Halve T (default false). */
  temporal?: boolean;
  /** Causal variant (default false). */
  causal?: boolean;
}

export class Downsample3d extends Module implements Layer {
  readonly spatial: boolean;
  readonly temporal: boolean;
  readonly causal: boolean;
  readonly conv: Conv3d;

  constructor(channels: number, opts: Downsample3dOptions = {}) {
    super();
    this.spatial = opts.spatial ?? true;
    this.temporal = opts.temporal ?? false;
    this.causal = opts.causal ?? false;
    const s = this.spatial ? 2 : 1;
    this.conv = this.registerModule('conv', this.causal
      ? new Conv3d(channels, channels, [1, 3, 3], { stride: [1, s, s], padding: [0, 1, 1] })
      : new Conv3d(channels, channels, 3, { stride: [this.temporal ? 2 : 1, s, s], padding: 1 }));
  }

  /** x (B, C, T, H, W) → (B, C, T', H', W'), T' = ⌈T/2⌉ (causal: 1 + ⌊(T−1)/2⌋ for odd T). */
  forward(x: Tensor): Tensor {
    if (!this.causal || !this.temporal) return this.conv.forward(x); // (B, C, T', H/2, W/2)
    return T.tidy(() => this.conv.forward(causalTimeHalve(x))); // (B, C, T', H/2, W/2)
  }

  override extraRepr(): string {
    return `spatial=${this.spatial}, temporal=${this.temporal}, causal=${this.causal}`;
  }
}

/**
 * Halve time keeping the first frame alone when T is odd: (f0, avg(f1, f2), avg(f3, f4), …).
 * x (B, C, T, H, W) → (B, C, T', H, W).
 */
export function causalTimeHalve(x: Tensor): Tensor {
  return T.tidy(() => {
    const [b, c, t, h, w] = x.shape as [number, number, number, number, number];
    if (t === 1) return x.view(x.shape); // (B, C, 1, H, W)
    const odd = t % 2 === 1;
    const rest = odd ? x.narrow(2, 1, t - 1) : x; // (B, C, 2k, H, W)
    const k = rest.size(2) / 2;
    const pairs = rest.reshape([b, c, k, 2, h, w]).meanDim(3); // (B, C, k, H, W)
    return odd ? T.cat([x.narrow(2, 0, 1), pairs], { dim: 2 }) : pairs; // (B, C, 1 + k, H, W) or (B, C, k, H, W)
  });
}
