/**
 * `Linear`: y = x Wᵀ + b, as `torch.nn.Linear`
 * (https://pytorch.org/docs/stable/generated/torch.nn.Linear.html).
 * Parameters: `weight` (out_features, in_features), `bias` (out_features).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';
import { linearDefault_ } from './init.js';
import { checkInt, pyBool } from './args.js';

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * @example
 *   const fc = new Linear(3, 2);
 *   [...fc.stateDict().keys()];                 // ['weight', 'bias'] (dispose the values)
 *   T.tidy(() => fc.forward(T.zeros([5, 3]))).shape;   // [5, 2]
 */
export class Linear extends Module implements Layer {
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    checkInt(inFeatures, 'Linear: in_features', 0);
    checkInt(outFeatures, 'Linear: out_features', 0);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.registerParameter('weight', T.empty([outFeatures, inFeatures])); // (out, in)
    this.registerParameter('bias', (opts.bias ?? true) ? T.empty([outFeatures]) : null); // (out)
    this.resetParameters();
  }

  get weight(): Tensor {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.paramOrNull('bias');
  }

  /** PyTorch's default: W, b ~ U(±1/√in_features). */
  resetParameters(): void {
    linearDefault_(this.weight, this.bias);
  }

  /** x (…, in_features) → (…, out_features). */
  forward(x: Tensor): Tensor {
    return T.linear(x, this.weight, { bias: this.bias }); // (…, out)
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
