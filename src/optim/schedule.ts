/**
 * Learning-rate schedules: a schedule is a plain function `step → lr`; {@link LRScheduler}
 * applies one to an optimizer and keeps the step count that checkpoints save.
 *
 * Linear warmup + cosine decay (Loshchilov & Hutter 2017, SGDR, https://arxiv.org/abs/1608.03983,
 * eq. 5, single cycle; warmup as in Goyal et al. 2017, https://arxiv.org/abs/1706.02677):
 *
 *   lr(s) = η · s / W                                         s < W
 *   lr(s) = η_min + ½(η − η_min)(1 + cos(π (s − W) / (S − W)))  W ≤ s < S
 *   lr(s) = η_min                                             s ≥ S
 *
 * with η baseLr, η_min minLr, W warmupSteps, S totalSteps.
 */
import type { JsonObject } from './optimizer.js';

export interface WarmupCosineOptions {
  baseLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Floor reached at totalSteps and kept afterwards. Default 0. */
  minLr?: number;
}

/**
 * @example
 *   const lr = warmupCosine({ baseLr: 1e-3, warmupSteps: 100, totalSteps: 1100, minLr: 1e-5 });
 *   lr(0);     // 0
 *   lr(50);    // 0.0005
 *   lr(100);   // 0.001
 *   lr(600);   // 0.000505 (halfway down the cosine)
 *   lr(1100);  // 0.00001
 */
export function warmupCosine(opts: WarmupCosineOptions): (step: number) => number {
  const { baseLr, warmupSteps: W, totalSteps: S, minLr = 0 } = opts;
  const where = 'warmupCosine';
  if (!(Number.isFinite(baseLr) && baseLr >= 0)) throw new Error(`${where}: baseLr must be a finite number >= 0, got ${baseLr}`);
  if (!(Number.isFinite(minLr) && minLr >= 0 && minLr <= baseLr)) throw new Error(`${where}: minLr must be in [0, baseLr], got ${minLr}`);
  if (!(Number.isInteger(W) && W >= 0)) throw new Error(`${where}: warmupSteps must be an integer >= 0, got ${W}`);
  if (!(Number.isInteger(S) && S >= W)) throw new Error(`${where}: totalSteps must be an integer >= warmupSteps (${W}), got ${S}`);
  return (step: number): number => {
    if (!(Number.isFinite(step) && step >= 0)) throw new Error(`${where}: step must be a finite number >= 0, got ${step}`);
    if (step < W) return (baseLr * step) / W;
    if (step >= S) return minLr;
    const progress = (step - W) / (S - W);
    return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * progress));
  };
}

/** What a scheduler needs from an optimizer. */
export interface HasLr {
  setLr(lr: number): void;
}

/**
 * Drives an optimizer's learning rate from a schedule, as torch's `LambdaLR` with absolute
 * rates: the constructor sets `schedule(step)`, each `step()` (call it after `optimizer.step()`)
 * advances the count and sets the next rate. Every group gets the same rate.
 *
 * @example
 *   const sched = new LRScheduler(opt, warmupCosine({ baseLr: 1e-3, warmupSteps: 100, totalSteps: 10_000 }));
 *   for (...) { loss.backward(); opt.step(); opt.zeroGrad(); sched.step(); }
 */
export class LRScheduler {
  #step: number;
  #lr = 0;

  constructor(
    readonly optimizer: HasLr,
    readonly schedule: (step: number) => number,
    opts: { step?: number } = {},
  ) {
    this.#step = checkStep(opts.step ?? 0, 'LRScheduler');
    this.apply();
  }

  /** Steps taken so far (the argument the schedule got last). */
  get currentStep(): number {
    return this.#step;
  }

  /** The rate last set on the optimizer. */
  get lr(): number {
    return this.#lr;
  }

  /** Advance one step and set the optimizer's rate to `schedule(step)`; returns it. */
  step(): number {
    this.#step += 1;
    return this.apply();
  }

  stateDict(): JsonObject {
    return { step: this.#step };
  }

  /** Restore the step count and set the matching rate on the optimizer. */
  loadStateDict(state: JsonObject): void {
    this.#step = checkStep(state['step'], 'LRScheduler.loadStateDict');
    this.apply();
  }

  private apply(): number {
    this.#lr = this.schedule(this.#step);
    this.optimizer.setLr(this.#lr);
    return this.#lr;
  }
}

function checkStep(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`${where}: step must be an integer >= 0, got ${JSON.stringify(v)}`);
  return v;
}
