/**
 * Adam, exactly `torch.optim.Adam` (https://pytorch.org/docs/stable/generated/torch.optim.Adam.html;
 * Kingma & Ba 2015, https://arxiv.org/abs/1412.6980, Algorithm 1), multi-tensor path.
 *
 * Symbols (torch docs → code): γ lr, β1 β2 betas, ε eps, λ weightDecay, t step (per parameter),
 * m exp_avg, v exp_avg_sq, v̂max max_exp_avg_sq, θ parameter, g gradient. For each step:
 *
 *   t ← t + 1
 *   g ← g + λθ                                           (L2 penalty; AdamW decays θ instead)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   v̂max ← max(v̂max, v),  v ← v̂max in the next line   (AMSGrad only)
 *   denom ← √v / √(1 − β2^t) + ε                          (ε outside the square root)
 *   θ ← θ − (γ / (1 − β1^t)) · m / denom
 *
 * Parameters that have been updated a different number of times (one had no gradient on some
 * step) get their own bias corrections: the last two lines run once per distinct t.
 *
 * @example
 *   const opt = new Adam([w, b], { lr: 1e-3 });
 *   loss.backward(); opt.step(); opt.zeroGrad();
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Optimizer, type GradBatch, type ParamGroup, type ParamState, type Params, type TorchNames } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}

export const ADAM_DEFAULTS: Readonly<AdamOptions> = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false };

const TORCH_NAMES: TorchNames<AdamOptions> = {
  lr: 'lr', betas: 'betas', eps: 'eps', weightDecay: 'weight_decay', amsgrad: 'amsgrad',
};

export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { ...ADAM_DEFAULTS, betas: [...ADAM_DEFAULTS.betas] }, TORCH_NAMES, opts);
  }

  override get name(): string {
    return 'Adam';
  }

  protected validate(h: AdamOptions, where: string): void {
    if (h.lr < 0) throw new Error(`${where}: lr must be >= 0, got ${h.lr}`);
    if (h.eps < 0) throw new Error(`${where}: eps must be >= 0, got ${h.eps}`);
    h.betas.forEach((b, k) => {
      if (!(b >= 0 && b < 1)) throw new Error(`${where}: betas[${k}] must be in [0, 1), got ${b}`);
    });
    if (h.weightDecay < 0) throw new Error(`${where}: weightDecay must be >= 0, got ${h.weightDecay}`);
  }

  protected requiredState(group: ParamGroup<AdamOptions>): string[] {
    return group.amsgrad ? ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['step', 'exp_avg', 'exp_avg_sq'];
  }

  protected stateNames(): readonly string[] {
    return ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'];
  }

  /** Weight decay as an L2 penalty: returns g + λθ (new tensors) or g itself when λ = 0. */
  protected applyWeightDecay(group: ParamGroup<AdamOptions>, params: Tensor[], grads: Tensor[]): Tensor[] {
    return group.weightDecay !== 0 ? T.foreachAddList(grads, params, { alpha: group.weightDecay }) : grads;
  }

  protected updateGroup(group: ParamGroup<AdamOptions>, batch: GradBatch): void {
    const { lr, eps, amsgrad } = group;
    const [beta1, beta2] = group.betas;
    const { params } = batch;

    // 0. State on a parameter's first update: t = 0, m = 0, v = 0 (v̂max = 0).
    const states = batch.indices.map((i, k) => this.adamState(i, params[k]!, amsgrad));
    const m = states.map((s) => Optimizer.entry(s, 'exp_avg'));
    const v = states.map((s) => Optimizer.entry(s, 'exp_avg_sq'));

    // 1. t ← t + 1 (the saved 0-d tensor and its JS mirror)
    T.foreachAddScalar_(states.map((s) => Optimizer.entry(s, 'step')), 1);
    for (const s of states) s.step += 1;

    // 2. Weight decay: L2 here (g ← g + λθ); AdamW overrides this with θ ← θ(1 − γλ).
    const g = this.applyWeightDecay(group, params, batch.grads);

    // 3. m ← β1·m + (1 − β1)·g
    T.foreachMulScalar_(m, beta1);
    T.foreachAddList_(m, g, { alpha: 1 - beta1 });

    // 4. v ← β2·v + (1 − β2)·g²
    T.foreachMulScalar_(v, beta2);
    T.foreachAddcmul_(v, g, g, { value: 1 - beta2 });

    for (const [t, ks] of byStep(states)) {
      const pick = (ts: Tensor[]): Tensor[] => ks.map((k) => ts[k]!);
      const bc1 = 1 - beta1 ** t;
      const bc2 = 1 - beta2 ** t;

      // 5. AMSGrad: v̂max ← max(v̂max, v), used in place of v. (Per parameter: the engine has no
      //    `_foreach_maximum_`.)
      let second = pick(v);
      if (amsgrad) {
        second = ks.map((k) => {
          const vmax = Optimizer.entry(states[k]!, 'max_exp_avg_sq');
          return vmax.copy_(T.maximum(vmax, v[k]!));
        });
      }

      // 6. denom ← √v / √(1 − β2^t) + ε. Dividing by one 0-d tensor repeated gives torch's exact
      //    rounding (x / c, not x · (1/c)).
      const sqrtV = T.foreachSqrt(second);
      const c = T.scalar(Math.sqrt(bc2), 'float64'); // ()
      const denom = T.foreachDiv(sqrtV, sqrtV.map(() => c));
      T.foreachAddScalar_(denom, eps);

      // 7. θ ← θ − (γ / (1 − β1^t))·m / denom
      T.foreachAddcdiv_(pick(params), pick(m), denom, { value: -(lr / bc1) });
    }
  }

  private adamState(i: number, p: Tensor, amsgrad: boolean): ParamState {
    const s = this.stateFor(i, () => ({
      step: T.scalar(0, 'float64'),
      exp_avg: T.zerosLike(p), // (shape of p)
      exp_avg_sq: T.zerosLike(p),
    }));
    // AMSGrad switched on for a parameter that already has state: start its maximum at 0.
    if (amsgrad && !s.tensors.has('max_exp_avg_sq')) s.tensors.set('max_exp_avg_sq', T.keep(T.zerosLike(p)));
    return s;
  }
}

/** Positions of `states` grouped by step count (usually a single group). */
function byStep(states: ParamState[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  states.forEach((s, k) => {
    const ks = out.get(s.step);
    if (ks === undefined) out.set(s.step, [k]);
    else ks.push(k);
  });
  return out;
}
