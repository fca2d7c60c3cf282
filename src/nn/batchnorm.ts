/**
 * Batch normalisation (Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167), as
 * `torch.nn.BatchNorm2d` / `torch.nn.BatchNorm3d`: per channel,
 *   y = (x − E[x]) / √(Var[x] + eps) · γ + β.
 * Training: statistics of the batch (biased variance for y), and the running estimates move as
 *   running_mean ← (1 − momentum)·running_mean + momentum·E[x]
 *   running_var  ← (1 − momentum)·running_var  + momentum·Var_unbiased[x]
 * (momentum = null: a cumulative average, factor 1/num_batches_tracked). Eval: running estimates.
 * State (PyTorch's names and order): weight, bias (C); running_mean, running_var (C);
 * num_batches_tracked (int64 scalar).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';
import { ones_, zeros_ } from './init.js';
import { checkInt, pyBool } from './args.js';

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running estimates (default 0.1); null = cumulative average. */
  momentum?: number | null;
  /** Learn per-channel weight (init 1) and bias (init 0). Default true. */
  affine?: boolean;
  /** Keep running estimates for eval (default true); false uses batch statistics always. */
  trackRunningStats?: boolean;
}

/** The shared body of BatchNorm2d / BatchNorm3d (PyTorch `_BatchNorm`). */
abstract class BatchNormNd extends Module implements Layer {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly #inputDims: number;

  protected constructor(inputDims: number, numFeatures: number, opts: BatchNormOptions) {
    super();
    checkInt(numFeatures, `${this.constructor.name}: num_features`);
    this.#inputDims = inputDims;
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.registerParameter('weight', this.affine ? ones_(T.empty([numFeatures])) : null); // (C)
    this.registerParameter('bias', this.affine ? zeros_(T.empty([numFeatures])) : null); // (C)
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? T.zeros([numFeatures]) : null); // (C)
    this.registerBuffer('running_var', track ? T.ones([numFeatures]) : null); // (C)
    this.registerBuffer('num_batches_tracked', track ? T.zeros([], { dtype: 'int64' }) : null); // () int64
  }

  get weight(): Tensor | null {
    return this.paramOrNull('weight');
  }
  get bias(): Tensor | null {
    return this.paramOrNull('bias');
  }
  get runningMean(): Tensor | null {
    return this.bufferOrNull('running_mean');
  }
  get runningVar(): Tensor | null {
    return this.bufferOrNull('running_var');
  }
  get numBatchesTracked(): Tensor | null {
    return this.bufferOrNull('num_batches_tracked');
  }

  /** Reset running_mean to 0, running_var to 1 and num_batches_tracked to 0. */
  resetRunningStats(): void {
    if (this.runningMean) zeros_(this.runningMean);
    if (this.runningVar) ones_(this.runningVar);
    if (this.numBatchesTracked) zeros_(this.numBatchesTracked);
  }

  /** x (N, C, *spatial) → same shape; in training mode also updates the running estimates. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== this.#inputDims) throw new Error(`${this.constructor.name}: expected ${this.#inputDims}D input (got ${x.ndim}D input of shape [${x.shape.join(', ')}])`);
    // 1. The factor of the running-average update (PyTorch `_BatchNorm.forward`).
    let factor = this.momentum ?? 0;
    const nbt = this.numBatchesTracked;
    if (this.training && nbt) {
      T.noGrad(() => nbt.addScalar_(1));
      if (this.momentum === null) factor = 1 / nbt.item();
    }
    // 2. Batch statistics in training, or whenever there are no running estimates.
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    // 3. Running estimates are read in eval and updated in training (when tracked).
    return T.batchNorm(x, this.weight, this.bias, this.runningMean, this.runningVar, useBatchStats, factor, this.eps, true); // (N, C, *spatial)
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum ?? 'None'}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/**
 * Batch norm over (N, C, H, W).
 *
 * @example
 *   const bn = new BatchNorm2d(16);
 *   [...bn.stateDict().keys()];  // ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
 */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(4, numFeatures, opts);
  }
}

/**
 * Batch norm over (N, C, T, H, W).
 *
 * @example
 *   const bn = new BatchNorm3d(16).eval();
 *   T.tidy(() => bn.forward(T.randn([2, 16, 4, 8, 8]))).shape;   // [2, 16, 4, 8, 8]
 */
export class BatchNorm3d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(5, numFeatures, opts);
  }
}
