/**
 * Stochastic gradient descent with momentum, exactly `torch.optim.SGD`
 * (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html), multi-tensor path.
 *
 * Symbols (torch docs → code): γ lr, λ weightDecay, μ momentum, τ dampening, g gradient,
 * b momentum buffer, θ parameter. For t = 1, 2, …:
 *
 *   g ← g + λθ                          (if λ ≠ 0)
 *   b ← g            at a parameter's first step,  b ← μb + (1 − τ)g  afterwards   (if μ ≠ 0)
 *   g ← g + μb  (Nesterov)   or   g ← b                                              (if μ ≠ 0)
 *   θ ← θ − γg
 *
 * The parameter's `.grad` is never modified. State per parameter: `momentum_buffer` (only
 * when μ ≠ 0); SGD keeps no step count, as in torch.
 *
 * @example
 *   const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
 *   loss.backward(); opt.step(); opt.zeroGrad();
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Optimizer, type GradBatch, type ParamGroup, type Params, type TorchNames } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

const TORCH_NAMES: TorchNames<SGDOptions> = {
  lr: 'lr', momentum: 'momentum', dampening: 'dampening', weightDecay: 'weight_decay', nesterov: 'nesterov',
};

export class SGD extends Optimizer<SGDOptions> {
  /** `lr` has no default, as in torch 1.13: pass it here or in every param group. */
  constructor(params: Params<SGDOptions>, opts: Partial<SGDOptions> & { lr: number }) {
    // lr has no default: the NaN below fixes only its kind (a number), and fails if none is given.
    if ((opts as Partial<SGDOptions>).lr === undefined) throw new Error('SGD: lr is required (torch.optim.SGD has no default learning rate), e.g. new SGD(params, { lr: 0.1 })');
    super(params, { lr: Number.NaN, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }, TORCH_NAMES, opts);
  }

  override get name(): string {
    return 'SGD';
  }

  protected validate(h: SGDOptions, where: string): void {
    if (h.lr < 0) throw new Error(`${where}: lr must be >= 0, got ${h.lr}`);
    if (h.momentum < 0) throw new Error(`${where}: momentum must be >= 0, got ${h.momentum}`);
    if (h.weightDecay < 0) throw new Error(`${where}: weightDecay must be >= 0, got ${h.weightDecay}`);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new Error(`${where}: Nesterov momentum needs momentum > 0 and dampening = 0 (got momentum ${h.momentum}, dampening ${h.dampening})`);
    }
  }

  protected requiredState(group: ParamGroup<SGDOptions>): string[] {
    return group.momentum !== 0 ? ['momentum_buffer'] : [];
  }

  protected stateNames(): readonly string[] {
    return ['momentum_buffer'];
  }

  protected updateGroup(group: ParamGroup<SGDOptions>, batch: GradBatch): void {
    const { lr, momentum, dampening, weightDecay, nesterov } = group;
    let g: Tensor[] = batch.grads;

    // 1. Weight decay (L2 penalty folded into the gradient): g ← g + λθ.
    if (weightDecay !== 0) g = T.foreachAddList(g, batch.params, { alpha: weightDecay });

    if (momentum !== 0) {
      // 2. Momentum buffer: b ← μb + (1 − τ)g, or b ← g (a copy) on a parameter's first step.
      const bufs: Tensor[] = [];
      const oldBufs: Tensor[] = [];
      const oldGrads: Tensor[] = [];
      batch.indices.forEach((i, k) => {
        const gk = g[k]!;
        let fresh = false;
        const s = this.stateFor(i, () => {
          fresh = true;
          return { momentum_buffer: T.clone(gk) };
        });
        const b = Optimizer.entry(s, 'momentum_buffer');
        bufs.push(b);
        if (!fresh) {
          oldBufs.push(b);
          oldGrads.push(gk);
        }
      });
      if (oldBufs.length > 0) {
        T.foreachMulScalar_(oldBufs, momentum);
        T.foreachAddList_(oldBufs, oldGrads, { alpha: 1 - dampening });
      }
      // 3. Direction: g ← g + μb (Nesterov) or g ← b.
      g = nesterov ? T.foreachAddList(g, bufs, { alpha: momentum }) : bufs;
    }

    // 4. θ ← θ − γg
    T.foreachAddList_(batch.params, g, { alpha: -lr });
  }
}
