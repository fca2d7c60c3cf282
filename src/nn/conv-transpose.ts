/**
 * `ConvTranspose2d` and `ConvTranspose3d`, as `torch.nn.ConvTranspose3d`
 * (https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose3d.html): the gradient of a
 * convolution with respect to its input, used to upsample in decoders. Parameters:
 * `weight` (in_channels, out_channels/groups, k…) and `bias` (out_channels). Output size per dim:
 *   (in − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';
import { linearDefault_ } from './init.js';
import { checkInt, checkInts, convExtraRepr, ntuple, pyTuple } from './args.js';

export interface ConvTransposeOptions {
  stride?: number | number[];
  /** Removed from both sides of the output: dilation·(k − 1) − padding zeros pad the input. */
  padding?: number | number[];
  /** Extra size added to one side of the output (< stride or < dilation); picks among the sizes that map back to the input. */
  outputPadding?: number | number[];
  groups?: number;
  bias?: boolean;
  dilation?: number | number[];
}

type ConvTransposeOp = (
  input: Tensor,
  weight: Tensor,
  opts: { bias: Tensor | null; stride: number[]; padding: number[]; outputPadding: number[]; groups: number; dilation: number[] },
) => Tensor;

/** The shared body of ConvTranspose2d / ConvTranspose3d (PyTorch `_ConvTransposeNd`). */
abstract class ConvTransposeNd extends Module implements Layer {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly outputPadding: number[];
  readonly dilation: number[];
  readonly groups: number;

  protected constructor(dims: number, inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvTransposeOptions) {
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
    this.padding = ntuple(opts.padding ?? 0, dims, `${name}: padding`);
    this.outputPadding = ntuple(opts.outputPadding ?? 0, dims, `${name}: output_padding`);
    this.dilation = ntuple(opts.dilation ?? 1, dims, `${name}: dilation`);
    checkInts(this.kernelSize, `${name}: kernel_size`);
    checkInts(this.stride, `${name}: stride`);
    checkInts(this.dilation, `${name}: dilation`);
    checkInts(this.padding, `${name}: padding`, 0);
    checkInts(this.outputPadding, `${name}: output_padding`, 0);
    this.outputPadding.forEach((p, i) => {
      if (p >= this.stride[i]! && p >= this.dilation[i]!) {
        throw new Error(`${name}: output_padding ${pyTuple(this.outputPadding)} must be smaller than either stride ${pyTuple(this.stride)} or dilation ${pyTuple(this.dilation)}`);
      }
    });
    this.registerParameter('weight', T.empty([inChannels, outChannels / this.groups, ...this.kernelSize])); // (C_in, C_out/g, k…)
    this.registerParameter('bias', (opts.bias ?? true) ? T.empty([outChannels]) : null); // (C_out)
    this.resetParameters();
  }

  get weight(): Tensor {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.paramOrNull('bias');
  }

  /** PyTorch's default: kaiming_uniform(a=√5) weight, U(±1/√fan_in) bias, fan_in = C_out/g·∏k. */
  resetParameters(): void {
    linearDefault_(this.weight, this.bias);
  }

  protected abstract convTransposeOp: ConvTransposeOp;

  /**
   * x (N, C_in, *spatial) → (N, C_out, *spatial'). `outputSize` (spatial sizes, optionally with
   * the leading N, C) picks the output padding, as PyTorch's `forward(input, output_size)`.
   */
  forward(x: Tensor, outputSize?: number[]): Tensor {
    const outputPadding = outputSize ? this.outputPaddingFor(x, outputSize) : this.outputPadding;
    return this.convTransposeOp(x, this.weight, {
      bias: this.bias, stride: this.stride, padding: this.padding, outputPadding, groups: this.groups, dilation: this.dilation,
    }); // (N, C_out, *spatial')
  }

  /** PyTorch `_ConvTransposeNd._output_padding`: the output padding that yields `outputSize`. */
  outputPaddingFor(x: Tensor, outputSize: number[]): number[] {
    const dims = this.kernelSize.length;
    const lead = x.ndim - dims;
    const spatial = outputSize.length === dims + lead ? outputSize.slice(lead) : outputSize;
    if (spatial.length !== dims) {
      throw new Error(`${this.constructor.name}: output_size must have ${dims} or ${dims + lead} elements, got [${outputSize.join(', ')}]`);
    }
    return spatial.map((size, d) => {
      const min = (x.size(lead + d) - 1) * this.stride[d]! - 2 * this.padding[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1;
      const max = min + this.stride[d]! - 1;
      if (size < min || size > max) {
        throw new Error(`${this.constructor.name}: requested an output size of [${spatial.join(', ')}], but valid sizes for dim ${d} range from ${min} to ${max} (for an input of [${x.shape.join(', ')}])`);
      }
      return size - min;
    });
  }

  override extraRepr(): string {
    return convExtraRepr({
      inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride,
      padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups, hasBias: this.bias !== null,
    });
  }
}

/**
 * Transposed 2-D convolution over (N, C, H, W).
 *
 * @example
 *   const up = new ConvTranspose2d(8, 4, 3, { stride: 2, padding: 1, outputPadding: 1 });
 *   T.tidy(() => up.forward(T.zeros([1, 8, 16, 16]))).shape;   // [1, 4, 32, 32]
 */
export class ConvTranspose2d extends ConvTransposeNd {
  protected convTransposeOp: ConvTransposeOp = T.convTranspose2d;
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvTransposeOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }
}

/**
 * Transposed 3-D convolution over (N, C, T, H, W): the video decoder's upsampler.
 *
 * @example
 *   const up = new ConvTranspose3d(16, 8, [3, 4, 4], { stride: [1, 2, 2], padding: 1 });
 *   T.tidy(() => up.forward(T.zeros([1, 16, 8, 16, 16]))).shape;   // [1, 8, 8, 32, 32]
 */
export class ConvTranspose3d extends ConvTransposeNd {
  protected convTransposeOp: ConvTransposeOp = T.convTranspose3d;
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvTransposeOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, opts);
  }
}
