/**
 * The scheduler contract shared by DDPM, DDIM and the rectified-flow Euler sampler (after
 * diffusers' `SchedulerMixin`): a scheduler owns the forward (noising) process and one reverse
 * update, and knows nothing of the model.
 *
 * Time units. Every scheduler speaks in "model time" t ∈ [0, numTrainTimesteps): the integer
 * index of the discrete DDPM chain for ddpm/ddim, and σ·numTrainTimesteps (σ ∈ [0, 1]) for the
 * flow scheduler (as diffusers' FlowMatchEulerDiscreteScheduler). The denoiser is always called
 * with these t values, so one timestep embedding serves every objective.
 *
 * Sampling loop (what `pipeline.ts` does):
 *   scheduler.setTimesteps(n);
 *   let x = noise · scheduler.initNoiseSigma;
 *   for (const t of scheduler.timesteps) x = scheduler.step(model(x, t), t, x, { noise });
 *
 * Training (what `task.ts` does):
 *   t = scheduler.sampleTrainingTimesteps(B);  x_t = scheduler.addNoise(x0, ε, t);
 *   loss = ‖model(x_t, t) − scheduler.trainingTarget(x0, ε, t)‖².
 */
import type { Tensor } from '../../tensor/index.js';
import type { NoiseSource } from '../noise.js';

export type SchedulerName = 'ddpm' | 'ddim' | 'flow-euler';
export const SCHEDULER_NAMES: readonly SchedulerName[] = ['ddpm', 'ddim', 'flow-euler'];

/**
 * What the model predicts: ε (Ho et al. 2020), v = √ᾱ·ε − √(1−ᾱ)·x0 (Salimans & Ho 2022), or
 * the rectified-flow velocity u = ε − x0 (Liu et al. 2022; Esser et al. 2024).
 */
export type PredictionType = 'epsilon' | 'v_prediction' | 'flow';

export interface StepOptions {
  /** Gaussian noise for stochastic updates (DDPM, DDIM with η > 0); default libtorch's global generator. */
  noise?: NoiseSource;
}

export interface Scheduler {
  readonly name: SchedulerName;
  readonly predictionType: PredictionType;
  /** Length of the training chain (model time runs over [0, numTrainTimesteps)). */
  readonly numTrainTimesteps: number;
  /** The sampling grid set by `setTimesteps`, in model time, descending (noisiest first). */
  readonly timesteps: readonly number[];
  /** Standard deviation of the initial latent x_T (1 for every scheduler here). */
  readonly initNoiseSigma: number;
  /** Choose `n` sampling steps. */
  setTimesteps(n: number): void;
  /**
   * One reverse update x_t → x_{t_prev}, where t is an element of `timesteps` and t_prev the
   * next one (or clean data after the last). `modelOutput` and `sample` have the same shape (B, …).
   */
  step(modelOutput: Tensor, t: number, sample: Tensor, opts?: StepOptions): Tensor;
  /** The forward process q(x_t | x0) with the given noise: x0, noise (B, …), t (B) in model time. */
  addNoise(x0: Tensor, noise: Tensor, t: Tensor): Tensor;
  /** The regression target of `predictionType` for (x0, noise, t): (B, …). */
  trainingTarget(x0: Tensor, noise: Tensor, t: Tensor): Tensor;
  /** Training times t (B) float32 in model time, drawn from libtorch's global generator. */
  sampleTrainingTimesteps(batch: number): Tensor;
  /** Everything needed to rebuild this scheduler (name included), JSON. */
  config(): Record<string, unknown>;
}

/** A positive integer number of steps, or a readable error. */
export function checkSteps(n: number, max: number, who: string): void {
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new Error(`${who}.setTimesteps: the number of steps must be an integer in [1, ${max}], got ${n}`);
  }
}

/** Index of `t` in `timesteps`, or a readable error (steps must follow the grid). */
export function gridIndex(timesteps: readonly number[], t: number, who: string): number {
  const i = timesteps.indexOf(t);
  if (i < 0) {
    const grid = timesteps.length === 0 ? '(none: call setTimesteps first)' : `[${timesteps.slice(0, 6).join(', ')}${timesteps.length > 6 ? ', …' : ''}]`;
    throw new Error(`${who}.step: timestep ${t} is not on the sampling grid ${grid}; pass the values of scheduler.timesteps in order`);
  }
  return i;
}
