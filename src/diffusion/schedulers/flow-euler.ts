/**
 * Rectified flow with an Euler sampler (Liu, Gong & Liu 2022, "Flow Straight and Fast",
 * https://arxiv.org/abs/2209.03003; Esser et al. 2024, "Scaling Rectified Flow Transformers",
 * https://arxiv.org/abs/2403.03206), after diffusers' `scheduling_flow_match_euler_discrete.py`.
 *
 * Symbol table:
 *   σ ∈ [0, 1]    the flow time (Esser's t): σ = 0 is data, σ = 1 is noise
 *   model time    σ·N (N = numTrainTimesteps = 1000), what the denoiser sees
 *   forward       x_σ = (1 − σ) x0 + σ ε                         (Esser eq. 3 with a_t = 1 − t, b_t = t;
 *                                                                  Liu eq. 1's straight interpolation)
 *   target        u = dx_σ/dσ = ε − x0                           (the velocity, Esser eq. 6 / Liu eq. 1)
 *   ODE           dx/dσ = v_θ(x, σ), integrated from σ = 1 to 0
 *   Euler step    x_{σ'} = x_σ + (σ' − σ) v_θ(x_σ, σ)            (σ' < σ the next grid value, 0 after the last)
 *   grid          σ_i = 1 − i/n, i = 0 … n−1, then shifted:  σ ← sσ/(1 + (s − 1)σ)   (Esser eq. 23, s = `shift`)
 *   training σ    'uniform': σ ~ U(0, 1);  'logit-normal': σ = sigmoid(m + s·n), n ~ N(0, 1)  (Esser §3.1 eq. 19)
 * Euler is exact whenever v_θ is constant along the straight paths, e.g. a constant field, or the
 * optimal field (x − x*)/σ of single-point data.
 *
 * @example
 *   const s = new FlowEulerScheduler({ shift: 3 });
 *   s.setTimesteps(4);
 *   s.timesteps;   // [1000, 900, 750, 500]  (σ 1, 0.9, 0.75, 0.5 after the shift)
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { perSample } from './vp-schedule.js';
import { checkSteps, gridIndex, type PredictionType, type Scheduler, type StepOptions } from './types.js';

export type FlowTimeSampling = 'uniform' | 'logit-normal';
export const FLOW_TIME_SAMPLINGS: readonly FlowTimeSampling[] = ['uniform', 'logit-normal'];

export interface FlowEulerConfig {
  numTrainTimesteps: number;
  /** Timestep shift s of the sampling grid (1 = none). */
  shift: number;
  timeSampling: FlowTimeSampling;
  /** Logit-normal location m and scale s (defaults 0, 1). */
  logitMean: number;
  logitStd: number;
  /** Sampling steps of the default grid (changed by setTimesteps). */
  steps: number;
}

const FLOW_DEFAULTS: FlowEulerConfig = { numTrainTimesteps: 1000, shift: 1, timeSampling: 'logit-normal', logitMean: 0, logitStd: 1, steps: 50 };

export class FlowEulerScheduler implements Scheduler {
  readonly name = 'flow-euler' as const;
  readonly predictionType: PredictionType = 'flow';
  readonly initNoiseSigma = 1;
  readonly cfg: FlowEulerConfig;
  #sigmas: number[] = [];
  #timesteps: number[] = [];

  constructor(config: Partial<FlowEulerConfig> = {}) {
    const defined = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as Partial<FlowEulerConfig>;
    this.cfg = { ...FLOW_DEFAULTS, ...defined };
    if (!(this.cfg.shift > 0)) throw new Error(`FlowEulerScheduler: shift must be > 0, got ${this.cfg.shift}`);
    if (!FLOW_TIME_SAMPLINGS.includes(this.cfg.timeSampling)) {
      throw new Error(`FlowEulerScheduler: timeSampling must be one of ${FLOW_TIME_SAMPLINGS.join(', ')}, got '${String(this.cfg.timeSampling)}'`);
    }
    this.setTimesteps(this.cfg.steps);
  }

  get numTrainTimesteps(): number {
    return this.cfg.numTrainTimesteps;
  }
  get timesteps(): readonly number[] {
    return this.#timesteps;
  }
  /** The grid's σ values, descending, without the final 0. */
  get sigmas(): readonly number[] {
    return this.#sigmas;
  }

  setTimesteps(n: number): void {
    checkSteps(n, 100000, 'FlowEulerScheduler');
    const s = this.cfg.shift;
    this.#sigmas = Array.from({ length: n }, (_, i) => {
      const sigma = 1 - i / n;
      return (s * sigma) / (1 + (s - 1) * sigma);
    });
    this.#timesteps = this.#sigmas.map((sigma) => sigma * this.numTrainTimesteps);
  }

  /** One Euler step of dx/dσ = v: x_{σ'} = x_σ + (σ' − σ)·v̂. Deterministic (`opts` is unused). */
  step(modelOutput: Tensor, t: number, sample: Tensor, _opts: StepOptions = {}): Tensor {
    return T.tidy(() => {
      // 1. σ and the next grid value σ' (0 after the last step).
      const i = gridIndex(this.#timesteps, t, 'FlowEulerScheduler');
      const sigma = this.#sigmas[i]!;
      const sigmaNext = this.#sigmas[i + 1] ?? 0;
      // 2. Euler update along the predicted velocity.
      return sample.add(modelOutput.mulScalar(sigmaNext - sigma)); // (B, …)
    });
  }

  /** x_σ = (1 − σ) x0 + σ ε with σ = t/N per sample. */
  addNoise(x0: Tensor, noise: Tensor, t: Tensor): Tensor {
    return T.tidy(() => {
      const sigma = this.#sigmaOf(t, x0); // (B, 1, …)
      return x0.mul(sigma.rsubScalar(1)).add(noise.mul(sigma)); // (B, …)
    });
  }

  /** u = ε − x0 (independent of t). */
  trainingTarget(x0: Tensor, noise: Tensor, _t: Tensor): Tensor {
    return noise.sub(x0); // (B, …)
  }

  sampleTrainingTimesteps(batch: number): Tensor {
    return T.tidy(() => {
      const sigma = this.cfg.timeSampling === 'uniform'
        ? T.rand([batch]) // (B)
        : T.sigmoid(T.randn([batch]).mulScalar(this.cfg.logitStd).addScalar(this.cfg.logitMean)); // (B)
      return sigma.mulScalar(this.numTrainTimesteps); // (B)
    });
  }

  #sigmaOf(t: Tensor, like: Tensor): Tensor {
    const values = t.toArray().map((v) => v / this.numTrainTimesteps);
    for (const v of values) if (!(v >= 0 && v <= 1)) throw new Error(`FlowEulerScheduler: model time ${v * this.numTrainTimesteps} is outside [0, ${this.numTrainTimesteps}]`);
    return perSample(values, [values.length, ...like.shape.slice(1).map(() => 1)], like); // (B, 1, …)
  }

  config(): Record<string, unknown> {
    return { name: this.name, predictionType: this.predictionType, ...this.cfg };
  }
}
