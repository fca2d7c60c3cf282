/**
 * DDPM ancestral sampler (Ho, Jain & Abbeel 2020, "Denoising Diffusion Probabilistic Models",
 * https://arxiv.org/abs/2006.11239), after diffusers' `scheduling_ddpm.py`.
 *
 * Symbol table (see vp-schedule.ts for the schedule):
 *   sample        x_t
 *   modelOutput   ε_θ(x_t, t) (epsilon) or v_θ(x_t, t) (v_prediction)
 *   predOriginal  x̂0
 *   tPrev         the next grid timestep t' < t (−1 after the last: ᾱ_{−1} = 1)
 *   α'_t, β'_t    ᾱ_t/ᾱ_{t'} and 1 − α'_t: the one-step α, β of the grid's sub-chain
 *                 (= α_t, β_t when the grid is every timestep)
 *   μ̃_t           posterior mean, eq. 7: √ᾱ_{t'} β'_t/(1−ᾱ_t) · x̂0 + √α'_t (1−ᾱ_{t'})/(1−ᾱ_t) · x_t
 *   β̃_t           posterior variance, eq. 7: (1−ᾱ_{t'})/(1−ᾱ_t) · β'_t  ('fixed_small');
 *                 'fixed_large' uses β'_t (Ho §3.2: both give similar results)
 * Training (Algorithm 1): t ~ U{0 … N−1}, ε ~ N(0, I), regress ε (eq. 14) or v.
 * (ε-prediction with the cosine schedule: see the caveat in ddim.ts about ᾱ_{N−1} ≈ 2·10⁻⁹.)
 *
 * @example
 *   const s = new DDPMScheduler({ betaSchedule: 'cosine', predictionType: 'v_prediction' });
 *   s.setTimesteps(50);
 *   s.timesteps.slice(0, 3);   // [999, 979, 959]
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { VPSchedule, predictOriginal, vTarget, vpNoise, type VPScheduleConfig } from './vp-schedule.js';
import { spacedTimesteps, type TimestepSpacing } from './spacing.js';
import { checkSteps, gridIndex, type PredictionType, type Scheduler, type StepOptions } from './types.js';
import { torchNoise } from '../noise.js';

export type VarianceType = 'fixed_small' | 'fixed_large';

export interface DDPMConfig extends VPScheduleConfig {
  predictionType: 'epsilon' | 'v_prediction';
  timestepSpacing: TimestepSpacing;
  varianceType: VarianceType;
  /** Clamp x̂0 to [−clipSample, clipSample] (null: no clipping; latents are not bounded). */
  clipSample: number | null;
}

export class DDPMScheduler implements Scheduler {
  readonly name = 'ddpm' as const;
  readonly initNoiseSigma = 1;
  readonly schedule: VPSchedule;
  readonly predictionType: PredictionType;
  readonly timestepSpacing: TimestepSpacing;
  readonly varianceType: VarianceType;
  readonly clipSample: number | null;
  #timesteps: number[] = [];

  constructor(config: Partial<DDPMConfig> = {}) {
    this.schedule = new VPSchedule(config);
    this.predictionType = config.predictionType ?? 'epsilon';
    if (this.predictionType !== 'epsilon' && this.predictionType !== 'v_prediction') {
      throw new Error(`DDPMScheduler: predictionType must be 'epsilon' or 'v_prediction', got '${String(this.predictionType)}'`);
    }
    this.timestepSpacing = config.timestepSpacing ?? 'trailing';
    this.varianceType = config.varianceType ?? 'fixed_small';
    this.clipSample = config.clipSample ?? null;
    this.setTimesteps(this.numTrainTimesteps);
  }

  get numTrainTimesteps(): number {
    return this.schedule.numTrainTimesteps;
  }
  get timesteps(): readonly number[] {
    return this.#timesteps;
  }

  setTimesteps(n: number): void {
    checkSteps(n, this.numTrainTimesteps, 'DDPMScheduler');
    this.#timesteps = spacedTimesteps(this.numTrainTimesteps, n, this.timestepSpacing);
  }

  /** One ancestral step x_t → x_{t'} ~ N(μ̃_t, β̃_t I) (Ho eqs. 6–7; Algorithm 2 line 4). */
  step(modelOutput: Tensor, t: number, sample: Tensor, opts: StepOptions = {}): Tensor {
    return T.tidy(() => {
      // 1. The previous grid timestep and the sub-chain's one-step α'_t, β'_t.
      const i = gridIndex(this.#timesteps, t, 'DDPMScheduler');
      const tPrev = this.#timesteps[i + 1] ?? -1;
      const abarT = this.schedule.alphaBar(t);
      const abarPrev = this.schedule.alphaBar(tPrev);
      const alphaT = abarT / abarPrev;
      const betaT = 1 - alphaT;
      // 2. x̂0 from the model output (optionally clipped).
      let x0 = predictOriginal(modelOutput, sample, this.predictionType, { sqrtAbar: Math.sqrt(abarT), sqrtOneMinus: Math.sqrt(1 - abarT) }); // (B, …)
      if (this.clipSample !== null) x0 = x0.clamp({ min: -this.clipSample, max: this.clipSample }); // (B, …)
      // 3. Posterior mean μ̃_t (eq. 7).
      const cX0 = (Math.sqrt(abarPrev) * betaT) / (1 - abarT);
      const cXt = (Math.sqrt(alphaT) * (1 - abarPrev)) / (1 - abarT);
      const mean = x0.mulScalar(cX0).add(sample.mulScalar(cXt)); // (B, …)
      // 4. No noise on the final step to clean data.
      if (tPrev < 0) return mean;
      // 5. Posterior variance and the ancestral noise z ~ N(0, I).
      const variance = this.varianceType === 'fixed_small' ? Math.max(((1 - abarPrev) / (1 - abarT)) * betaT, 1e-20) : betaT;
      const z = (opts.noise ?? torchNoise)(sample.shape).toLike(sample); // (B, …)
      return mean.add(z.mulScalar(Math.sqrt(variance))); // (B, …)
    });
  }

  addNoise(x0: Tensor, noise: Tensor, t: Tensor): Tensor {
    return T.tidy(() => vpNoise(x0, noise, this.schedule.coefficients(t, x0))); // (B, …)
  }

  trainingTarget(x0: Tensor, noise: Tensor, t: Tensor): Tensor {
    return T.tidy(() => (this.predictionType === 'epsilon' ? noise.clone() : vTarget(x0, noise, this.schedule.coefficients(t, x0)))); // (B, …)
  }

  sampleTrainingTimesteps(batch: number): Tensor {
    return this.schedule.sampleTimesteps(batch); // (B)
  }

  config(): Record<string, unknown> {
    return {
      name: this.name, ...this.schedule.config, predictionType: this.predictionType,
      timestepSpacing: this.timestepSpacing, varianceType: this.varianceType, clipSample: this.clipSample,
    };
  }
}
