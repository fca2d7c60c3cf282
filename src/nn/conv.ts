/**
 * `Conv2d` and `Conv3d`, as `torch.nn.Conv2d` / `torch.nn.Conv3d`
 * (https://pytorch.org/docs/stable/generated/torch.nn.Conv3d.html): cross-correlation of the
 * input with `weight` (out_channels, in_channels/groups, k…) plus `bias` (out_channels).
 * Output size per spatial dim: ⌊(in + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1.
 * `padding: 'same'` keeps the size (stride 1 only); when the total padding dilation·(k − 1) is
 * odd, the extra zero goes after the input, as ATen's `_convolution_mode` does.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';
import { linearDefault_ } from './init.js';
import { checkInt, checkInts, convExtraRepr, ntuple, pyTuple } from './args.js';

export type ConvPadding = number | number[] | 'same' | 'valid';

export interface ConvOptions {
  stride?: number | number[];
  /** Zero padding per side, or 'same' / 'valid' (default 0). */
  padding?: ConvPadding;
  dilation?: number | number[];
  groups?: number;
  bias?: boolean;
}

type ConvOp = (
  input: Tensor,
  weight: Tensor,
  opts: { bias: Tensor | null; stride: number[]; padding: number[]; dilation: number[]; groups: number },
) => Tensor;

/** The shared body of Conv2d / Conv3d (PyTorch `_ConvNd`). */
abstract class ConvNd extends Module implements Layer {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'same' | 'valid';
  readonly dilation: number[];
  readonly groups: number;

  protected constructor(dims: number, inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvOptions) {
    super();
    const name = this.constructor.name;
    checkInt(inChannels, `${name}: in_channels`);
    checkInt(outChannels, `${name}: out_channels`);
    this.groups = opts.groups ?? 1;
    checkInt(this.groups, `${name}: groups`);
    if (inChannels % this.groups !== 0) throw new Error(`${name}: in_channels (${inChannels}) must be divisible by groups (${this.groups})`);
    if (outChannels % this.groups !== 0) throw new Error(`${name}: out_channels (${outChannels}) must be divisible by groups (${this.groups})`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = ntuple(kernelSize, dims, `${name}: kernel_size`);
    this.stride = ntuple(opts.stride ?? 1, dims, `${name}: stride`);
    this.dilation = ntuple(opts.dilation ?? 1, dims, `${name}: dilation`);
    checkInts(this.kernelSize, `${name}: kernel_size`);
    checkInts(this.stride, `${name}: stride`);
    checkInts(this.dilation, `${name}: dilation`);
    const padding = opts.padding ?? 0;
    if (padding === 'same' || padding === 'valid') {
      if (padding === 'same' && this.stride.some((s) => s !== 1)) throw new Error(`${name}: padding='same' is not supported for strided convolutions (stride ${pyTuple(this.stride)})`);
      this.padding = padding;
    } else {
      this.padding = ntuple(padding, dims, `${name}: padding`);
      checkInts(this.padding, `${name}: padding`, 0);
    }
    this.registerParameter('weight', T.empty([outChannels, inChannels / this.groups, ...this.kernelSize])); // (C_out, C_in/g, k…)
    this.registerParameter('bias', (opts.bias ?? true) ? T.empty([outChannels]) : null); // (C_out)
    this.resetParameters();
  }

  get weight(): Tensor {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.paramOrNull('bias');
  }

  /** PyTorch's default: kaiming_uniform(a=√5) weight, U(±1/√fan_in) bias. */
  resetParameters(): void {
    linearDefault_(this.weight, this.bias);
  }

  protected abstract convOp: ConvOp;

  /** x (N, C_in, *spatial) → (N, C_out, *spatial'). */
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      const conv = (input: Tensor, padding: number[]): Tensor =>
        this.convOp(input, this.weight, { bias: this.bias, stride: this.stride, padding, dilation: this.dilation, groups: this.groups });
      if (this.padding === 'valid') return conv(x, this.kernelSize.map(() => 0)); // (N, C_out, *spatial')
      if (this.padding !== 'same') return conv(x, this.padding); // (N, C_out, *spatial')
      // 'same': total padding d·(k−1) per dim, ⌊total/2⌋ on each side by the conv, and the odd
      // remainder (after − before) as zeros after the input.
      const dims = this.kernelSize.length;
      const total = this.kernelSize.map((k, i) => this.dilation[i]! * (k - 1));
      const before = total.map((p) => Math.floor(p / 2));
      const extra: number[] = [];
      for (let i = dims - 1; i >= 0; i--) extra.push(0, total[i]! - 2 * before[i]!); // constant_pad_nd order: last dim first
      const padded = extra.some((p) => p > 0) ? T.constantPadNd(x, extra) : x; // (N, C_in, *spatial + odd remainder)
      return conv(padded, before); // (N, C_out, *spatial)
    });
  }

  override extraRepr(): string {
    return convExtraRepr({
      inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride,
      padding: this.padding, dilation: this.dilation, groups: this.groups, hasBias: this.bias !== null,
    });
  }
}

/**
 * 2-D convolution over (N, C, H, W).
 *
 * @example
 *   const conv = new Conv2d(3, 8, 3, { padding: 'same' });
 *   conv.weight.shape;                                        // [8, 3, 3, 3]
 *   T.tidy(() => conv.forward(T.zeros([1, 3, 16, 16]))).shape;  // [1, 8, 16, 16]
 */
export class Conv2d extends ConvNd {
  protected convOp: ConvOp = T.conv2d;
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }
}

/**
 * 3-D convolution over (N, C, T, H, W): the video encoder's building block.
 *
 * @example
 *   const conv = new Conv3d(3, 16, [3, 4, 4], { stride: [1, 2, 2], padding: [1, 1, 1] });
 *   T.tidy(() => conv.forward(T.zeros([2, 3, 16, 64, 64]))).shape;  // [2, 16, 16, 32, 32]
 */
export class Conv3d extends ConvNd {
  protected convOp: ConvOp = T.conv3d;
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, opts);
  }
}
