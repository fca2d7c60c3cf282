/**
 * Convolution → GroupNorm → activation, the unit of DCGAN-style networks (Radford et al. 2016,
 * https://arxiv.org/abs/1511.06434 §3: strided convolutions instead of pooling, transposed
 * convolutions to up-sample, normalisation, LeakyReLU(0.2) in encoders and discriminators, ReLU
 * in generators) and of the pix2pixHD patch discriminator. GroupNorm stands in for DCGAN's
 * BatchNorm so that a video's output does not depend on the rest of its batch.
 * Keys: conv.*, norm.* (absent with norm 'none').
 *
 * @example
 *   const u = new ConvNormAct3d(1, 16, { kernel: 4, stride: 2, padding: 1, act: 'lrelu' });
 *   T.tidy(() => u.forward(T.zeros([2, 1, 16, 64, 64]))).shape;   // [2, 16, 8, 32, 32]
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Conv3d, ConvTranspose3d, GroupNorm, Module, type Layer } from '../../nn/index.js';
import { normGroups } from './norm-groups.js';

export type Activation = 'lrelu' | 'relu' | 'silu' | 'none';

export interface ConvNormActOptions {
  kernel: number | [number, number, number];
  stride?: number | [number, number, number];
  padding?: number | [number, number, number];
  /** Transposed convolution (up-sampling), default false. */
  transposed?: boolean;
  /** 'group' (default) or 'none'. */
  norm?: 'group' | 'none';
  act?: Activation;
  /** Largest GroupNorm group count (default 32). */
  maxGroups?: number;
}

export class ConvNormAct3d extends Module implements Layer {
  readonly conv: Conv3d | ConvTranspose3d;
  readonly norm: GroupNorm | null;
  readonly act: Activation;

  constructor(inChannels: number, outChannels: number, opts: ConvNormActOptions) {
    super();
    const norm = opts.norm ?? 'group';
    const conv = { stride: opts.stride ?? 1, padding: opts.padding ?? 0, bias: norm === 'none' };
    this.conv = this.registerModule('conv', opts.transposed
      ? new ConvTranspose3d(inChannels, outChannels, opts.kernel, conv)
      : new Conv3d(inChannels, outChannels, opts.kernel, conv));
    this.norm = norm === 'group' ? this.registerModule('norm', new GroupNorm(normGroups(outChannels, opts.maxGroups), outChannels)) : null;
    this.act = opts.act ?? 'lrelu';
  }

  /** x (B, C_in, T, H, W) → (B, C_out, T', H', W'). */
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      let h = this.conv.forward(x); // (B, C_out, T', H', W')
      if (this.norm) h = this.norm.forward(h);
      return activate(h, this.act); // (B, C_out, T', H', W')
    });
  }

  override extraRepr(): string {
    return `act='${this.act}'`;
  }
}

/** Apply an activation by name (LeakyReLU slope 0.2, as DCGAN). */
export function activate(x: Tensor, act: Activation): Tensor {
  switch (act) {
    case 'lrelu': return T.leakyRelu(x, { negativeSlope: 0.2 });
    case 'relu': return T.relu(x);
    case 'silu': return T.silu(x);
    case 'none': return x.view(x.shape);
  }
}
