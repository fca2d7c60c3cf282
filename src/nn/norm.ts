/**
 * Per-sample normalisations:
 *  - `GroupNorm` (Wu & He 2018, https://arxiv.org/abs/1803.08494), as `torch.nn.GroupNorm`:
 *    the channels are split into G groups; each (sample, group) is normalised over its channels
 *    and spatial positions, then an affine per-channel `weight`, `bias` (C) is applied.
 *  - `LayerNorm` (Ba et al. 2016, https://arxiv.org/abs/1607.06450), as `torch.nn.LayerNorm`:
 *    normalised over the trailing `normalized_shape` dims, with elementwise `weight`, `bias`.
 * Both: y = (x − E[x]) / √(Var[x] + eps) · γ + β with the biased variance.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';
import { ones_, zeros_ } from './init.js';
import { checkInt, checkInts, pyBool, pyTuple } from './args.js';

export interface GroupNormOptions {
  eps?: number;
  /** Learn per-channel weight (init 1) and bias (init 0). Default true. */
  affine?: boolean;
}

/**
 * @example
 *   const gn = new GroupNorm(8, 32);
 *   [...gn.namedParameters().keys()];                       // ['weight', 'bias']
 *   T.tidy(() => gn.forward(T.randn([2, 32, 4, 8, 8]))).shape; // [2, 32, 4, 8, 8]
 */
export class GroupNorm extends Module implements Layer {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;

  constructor(numGroups: number, numChannels: number, opts: GroupNormOptions = {}) {
    super();
    checkInt(numGroups, 'GroupNorm: num_groups');
    checkInt(numChannels, 'GroupNorm: num_channels');
    if (numChannels % numGroups !== 0) throw new Error(`GroupNorm: num_channels (${numChannels}) must be divisible by num_groups (${numGroups})`);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    this.registerParameter('weight', this.affine ? ones_(T.empty([numChannels])) : null); // (C)
    this.registerParameter('bias', this.affine ? zeros_(T.empty([numChannels])) : null); // (C)
  }

  get weight(): Tensor | null {
    return this.paramOrNull('weight');
  }
  get bias(): Tensor | null {
    return this.paramOrNull('bias');
  }

  /** x (N, C, *) → (N, C, *). */
  forward(x: Tensor): Tensor {
    return T.groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps }); // (N, C, *)
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${pyBool(this.affine)}`;
  }
}

export interface LayerNormOptions {
  eps?: number;
  /** Learn elementwise weight (init 1) and bias (init 0) of `normalized_shape`. Default true. */
  elementwiseAffine?: boolean;
  /** With `elementwiseAffine`, also learn the bias (PyTorch ≥ 2.1). Default true. */
  bias?: boolean;
}

/**
 * @example
 *   const ln = new LayerNorm(512);
 *   ln.weight?.shape;                                    // [512]
 *   T.tidy(() => ln.forward(T.randn([4, 77, 512]))).shape; // [4, 77, 512]
 */
export class LayerNorm extends Module implements Layer {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;

  constructor(normalizedShape: number | number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    checkInts(this.normalizedShape, 'LayerNorm: normalized_shape');
    checkInt(this.normalizedShape.length, 'LayerNorm: normalized_shape length');
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const withBias = this.elementwiseAffine && (opts.bias ?? true);
    this.registerParameter('weight', this.elementwiseAffine ? ones_(T.empty(this.normalizedShape)) : null); // normalized_shape
    this.registerParameter('bias', withBias ? zeros_(T.empty(this.normalizedShape)) : null); // normalized_shape
  }

  get weight(): Tensor | null {
    return this.paramOrNull('weight');
  }
  get bias(): Tensor | null {
    return this.paramOrNull('bias');
  }

  /** x (…, *normalized_shape) → same shape. */
  forward(x: Tensor): Tensor {
    return T.layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps }); // (…, *normalized_shape)
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${this.eps}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
