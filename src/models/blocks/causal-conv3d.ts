/**
 * Causal 3-D convolution (CogVideoX `CogVideoXCausalConv3d`, Yang et al. 2024,
 * https://arxiv.org/abs/2408.06072 §2.1; Wan 2.1 `CausalConv3d`): the time axis is padded by
 * dilation·(k_t − 1) frames on the PAST side only, so output frame j depends on input frames
 * ≤ j·stride_t and never on later ones. Space is padded symmetrically by ⌊k/2⌋ (zeros).
 *
 * Past-side padding:
 *   'replicate'  copies of the first frame (CogVideoX; a still video stays still at the start)
 *   'zeros'      zero frames (Wan)
 *
 * Parameters live in the child `conv` (keys `conv.weight`, `conv.bias`), as in CogVideoX.
 *
 * @example
 *   const c = new CausalConv3d(4, 8, 3);
 *   T.tidy(() => c.forward(T.zeros([1, 4, 5, 16, 16]))).shape;   // [1, 8, 5, 16, 16]
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Conv3d, Module, type Layer } from '../../nn/index.js';

export type CausalPad = 'replicate' | 'zeros';

export interface CausalConv3dOptions {
  /** Stride (t, h, w) or one for all; default 1. */
  stride?: number | [number, number, number];
  /** Temporal dilation; default 1. */
  dilationT?: number;
  /** How the past side is padded; default 'replicate'. */
  pad?: CausalPad;
  bias?: boolean;
}

export class CausalConv3d extends Module implements Layer {
  readonly conv: Conv3d;
  /** Frames added before the first one. */
  readonly timePad: number;
  readonly padMode: CausalPad;

  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number, number], opts: CausalConv3dOptions = {}) {
    super();
    const [kt, kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize, kernelSize] : kernelSize;
    const dt = opts.dilationT ?? 1;
    this.timePad = dt * (kt - 1);
    this.padMode = opts.pad ?? 'replicate';
    if (this.padMode !== 'replicate' && this.padMode !== 'zeros') throw new Error(`CausalConv3d: pad must be 'replicate' or 'zeros', got '${String(this.padMode)}'`);
    this.conv = this.registerModule('conv', new Conv3d(inChannels, outChannels, [kt, kh, kw], {
      stride: opts.stride ?? 1, padding: [0, kh >> 1, kw >> 1], dilation: [dt, 1, 1], bias: opts.bias ?? true,
    }));
  }

  /** x (B, C_in, T, H, W) → (B, C_out, ⌊(T − 1)/s_t⌋ + 1, H', W'). */
  forward(x: Tensor): Tensor {
    if (this.timePad === 0) return this.conv.forward(x); // (B, C_out, T', H', W')
    return T.tidy(() => {
      const p = this.timePad;
      const padded = this.padMode === 'replicate'
        ? T.replicationPad3d(x, [0, 0, 0, 0, p, 0]) // (B, C_in, T + p, H, W): p copies of frame 0 in front
        : T.constantPadNd(x, [0, 0, 0, 0, p, 0]); // (B, C_in, T + p, H, W): p zero frames in front
      return this.conv.forward(padded); // (B, C_out, T', H', W')
    });
  }

  override extraRepr(): string {
    return `time_pad=${this.timePad}, pad='${this.padMode}'`;
  }
}
