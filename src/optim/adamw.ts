/**
 * AdamW, exactly `torch.optim.AdamW` (https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html;
 * Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", https://arxiv.org/abs/1711.05101,
 * Algorithm 2).
 *
 * Adam (see adam.ts) with the weight decay taken out of the gradient and applied to the
 * parameter directly, before the moment updates:
 *
 *   θ ← θ · (1 − γλ)          instead of   g ← g + λθ
 *
 * so the decay is not rescaled by the adaptive denominator. Default λ = 0.01, as in torch.
 * The state dict is Adam's, saved under `optimizer: 'AdamW'`.
 *
 * @example
 *   const opt = new AdamW([w], { lr: 3e-4, weightDecay: 0.1 });
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Adam, type AdamOptions } from './adam.js';
import { definedOnly, type ParamGroup, type Params } from './optimizer.js';

export class AdamW extends Adam {
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 1e-2, ...definedOnly(opts) });
  }

  override get name(): string {
    return 'AdamW';
  }

  /** Decoupled decay: θ ← θ(1 − γλ) in place; the gradient is returned unchanged. */
  protected override applyWeightDecay(group: ParamGroup<AdamOptions>, params: Tensor[], grads: Tensor[]): Tensor[] {
    if (group.weightDecay !== 0) T.foreachMulScalar_(params, 1 - group.lr * group.weightDecay);
    return grads;
  }
}
