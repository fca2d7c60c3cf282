/**
 * Single-head self-attention over the positions of a video feature map, with a residual (LDM's
 * `AttnBlock`, Rombach et al. 2022, made 3-D):
 *
 *   h = GroupNorm(x);  q, k, v = 1×1×1 convs of h
 *   y = x + proj_out( softmax(q kᵀ / √C) v )
 *
 * over every (t, h, w) position of the clip (`scope: 'clip'`, the unet3d bottleneck), or over
 * the (h, w) positions of each frame alone (`scope: 'frame'`, which keeps causal-vae causal).
 * Keys: norm.*, q.*, k.*, v.*, proj_out.*.
 *
 * @example
 *   const a = new AttnBlock3d(16);
 *   T.tidy(() => a.forward(T.randn([1, 16, 2, 4, 4]))).shape;   // [1, 16, 2, 4, 4]
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Conv3d, Module, type Layer } from '../../nn/index.js';
import { norm3d } from './resblock3d.js';

export type AttnScope = 'clip' | 'frame';

export class AttnBlock3d extends Module implements Layer {
  readonly channels: number;
  readonly scope: AttnScope;
  readonly norm: Module & Layer;
  readonly q: Conv3d;
  readonly k: Conv3d;
  readonly v: Conv3d;
  readonly projOut: Conv3d;

  constructor(channels: number, opts: { scope?: AttnScope; maxGroups?: number } = {}) {
    super();
    this.channels = channels;
    this.scope = opts.scope ?? 'clip';
    this.norm = this.registerModule('norm', norm3d(channels, this.scope === 'frame', opts.maxGroups));
    this.q = this.registerModule('q', new Conv3d(channels, channels, 1));
    this.k = this.registerModule('k', new Conv3d(channels, channels, 1));
    this.v = this.registerModule('v', new Conv3d(channels, channels, 1));
    this.projOut = this.registerModule('proj_out', new Conv3d(channels, channels, 1));
  }

  /** x (B, C, T, H, W) → (B, C, T, H, W). */
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      const [b, c, t, hh, ww] = x.shape as [number, number, number, number, number];
      const h = this.norm.forward(x); // (B, C, T, H, W)
      // Sequences: the whole clip (B, T·H·W, C) or each frame (B·T, H·W, C).
      const seq = (u: Tensor): Tensor => (this.scope === 'clip'
        ? u.reshape([b, c, t * hh * ww]).transpose(1, 2) // (B, N, C)
        : u.transpose(1, 2).reshape([b * t, c, hh * ww]).transpose(1, 2)); // (B·T, HW, C)
      const q = seq(this.q.forward(h));
      const k = seq(this.k.forward(h));
      const v = seq(this.v.forward(h));
      const o = T.scaledDotProductAttention(q, k, v); // (B, N, C) or (B·T, HW, C)
      const back = this.scope === 'clip'
        ? o.transpose(1, 2).reshape([b, c, t, hh, ww]) // (B, C, T, H, W)
        : o.transpose(1, 2).reshape([b, t, c, hh, ww]).transpose(1, 2); // (B, C, T, H, W)
      return x.add(this.projOut.forward(back)); // (B, C, T, H, W)
    });
  }

  override extraRepr(): string {
    return `scope='${this.scope}'`;
  }
}
