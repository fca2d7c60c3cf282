/**
 * DDIM sampler and inversion (Song, Meng & Ermon 2021, "Denoising Diffusion Implicit Models",
 * https://arxiv.org/abs/2010.02502), after diffusers' `scheduling_ddim.py` and
 * `scheduling_ddim_inverse.py`.
 *
 * Symbol table (the DDIM paper writes α_t for DDPM's ᾱ_t; we keep Ho's ᾱ):
 *   sample        x_t
 *   modelOutput   ε_θ(x_t, t) or v_θ(x_t, t), converted to ε̂ and x̂0 (vp-schedule.ts)
 *   tPrev         the next grid timestep t' < t (−1 after the last: ᾱ_{−1} = 1)
 *   eta           η; σ_t(η) = η √((1−ᾱ_{t'})/(1−ᾱ_t)) √(1 − ᾱ_t/ᾱ_{t'})          (eq. 16)
 *   update        x_{t'} = √ᾱ_{t'} x̂0 + √(1 − ᾱ_{t'} − σ_t²) ε̂ + σ_t z            (eq. 12)
 * η = 0 makes the sampler deterministic (the "implicit" model, an Euler discretisation of the
 * probability-flow ODE in (x/√ᾱ, √((1−ᾱ)/ᾱ)), eq. 14), and η = 1 recovers DDPM's variance.
 *
 * Inversion runs eq. 12 at η = 0 upward: from x at level t (−1 = clean data) to the next grid
 * timestep above, t⁺:  x_{t⁺} = √ᾱ_{t⁺} x̂0 + √(1 − ᾱ_{t⁺}) ε̂,  with x̂0, ε̂ from the model evaluated
 * at x and time `inversionModelTime(t)` = t, or the lowest grid timestep when t = −1 (the model
 * is never evaluated on clean data). Decoding the result with `step` returns x up to the
 * discretisation error of the two Euler passes (O(1/n)); it is exact when ε̂ is constant along
 * the ODE's paths (e.g. data that is a single point, see the tests).
 *
 * Caveat (Lin et al. 2024, §3): with the cosine schedule ᾱ_{N−1} ≈ 2·10⁻⁹, so at the first
 * trailing step an ε-prediction's x̂0 = (x − √(1−ᾱ) ε̂)/√ᾱ multiplies the model's error by ~2·10⁴.
 * Prefer v-prediction (the default objective) or flow there; for ε, set `clipSample` (e.g. 4 for
 * unit-variance latents) or use 'leading' spacing.
 *
 * @example
 *   const s = new DDIMScheduler({ predictionType: 'v_prediction', eta: 0 });
 *   s.setTimesteps(50);
 *   const xT = s.invert(x0, (x, t) => model(x, t));   // deterministic encoding
 *   // for (const t of s.timesteps) x = s.step(model(x, t), t, x);   decodes back to ≈ x0
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { VPSchedule, epsilonFromOriginal, predictEpsilon, predictOriginal, vTarget, vpNoise, type VPCoefficients, type VPScheduleConfig } from './vp-schedule.js';
import { spacedTimesteps, type TimestepSpacing } from './spacing.js';
import { checkSteps, gridIndex, type PredictionType, type Scheduler, type StepOptions } from './types.js';
import { torchNoise } from '../noise.js';

export interface DDIMConfig extends VPScheduleConfig {
  predictionType: 'epsilon' | 'v_prediction';
  timestepSpacing: TimestepSpacing;
  /** η of eq. 16 (default 0: deterministic). */
  eta: number;
  /** Clamp x̂0 to [−clipSample, clipSample] and recompute ε̂ from it (null: no clipping). */
  clipSample: number | null;
}

export class DDIMScheduler implements Scheduler {
  readonly name = 'ddim' as const;
  readonly initNoiseSigma = 1;
  readonly schedule: VPSchedule;
  readonly predictionType: PredictionType;
  readonly timestepSpacing: TimestepSpacing;
  readonly eta: number;
  readonly clipSample: number | null;
  #timesteps: number[] = [];

  constructor(config: Partial<DDIMConfig> = {}) {
    this.schedule = new VPSchedule(config);
    this.predictionType = config.predictionType ?? 'epsilon';
    if (this.predictionType !== 'epsilon' && this.predictionType !== 'v_prediction') {
      throw new Error(`DDIMScheduler: predictionType must be 'epsilon' or 'v_prediction', got '${String(this.predictionType)}'`);
    }
    this.timestepSpacing = config.timestepSpacing ?? 'trailing';
    this.eta = config.eta ?? 0;
    if (!(this.eta >= 0)) throw new Error(`DDIMScheduler: eta must be >= 0, got ${this.eta}`);
    this.clipSample = config.clipSample ?? null;
    this.setTimesteps(50);
  }

  get numTrainTimesteps(): number {
    return this.schedule.numTrainTimesteps;
  }
  get timesteps(): readonly number[] {
    return this.#timesteps;
  }

  setTimesteps(n: number): void {
    checkSteps(n, this.numTrainTimesteps, 'DDIMScheduler');
    this.#timesteps = spacedTimesteps(this.numTrainTimesteps, n, this.timestepSpacing);
  }

  /** x̂0 and ε̂ at level t from the model output (eq. 12's "predicted x0" and ε_θ), clipped if asked. */
  #predict(modelOutput: Tensor, sample: Tensor, c: VPCoefficients): { x0: Tensor; eps: Tensor } {
    const x0 = predictOriginal(modelOutput, sample, this.predictionType, c); // (B, …)
    if (this.clipSample === null) return { x0, eps: predictEpsilon(modelOutput, sample, this.predictionType, c) };
    const clipped = x0.clamp({ min: -this.clipSample, max: this.clipSample }); // (B, …)
    return { x0: clipped, eps: epsilonFromOriginal(clipped, sample, c) }; // (B, …) each
  }

  /** One DDIM step x_t → x_{t'} (eq. 12 with σ_t(η) of eq. 16). */
  step(modelOutput: Tensor, t: number, sample: Tensor, opts: StepOptions = {}): Tensor {
    return T.tidy(() => {
      // 1. The previous grid timestep t' and ᾱ_t, ᾱ_{t'}.
      const i = gridIndex(this.#timesteps, t, 'DDIMScheduler');
      const tPrev = this.#timesteps[i + 1] ?? -1;
      const abarT = this.schedule.alphaBar(t);
      const abarPrev = this.schedule.alphaBar(tPrev);
      // 2. x̂0 and ε̂ ("predicted x0" and ε_θ(x_t) of eq. 12).
      const { x0, eps } = this.#predict(modelOutput, sample, { sqrtAbar: Math.sqrt(abarT), sqrtOneMinus: Math.sqrt(1 - abarT) });
      // 3. σ_t(η) (eq. 16).
      const sigma = this.eta * Math.sqrt((1 - abarPrev) / (1 - abarT)) * Math.sqrt(1 - abarT / abarPrev);
      // 4. "Direction pointing to x_t": √(1 − ᾱ_{t'} − σ_t²) ε̂.
      const dir = eps.mulScalar(Math.sqrt(Math.max(1 - abarPrev - sigma * sigma, 0))); // (B, …)
      // 5. x_{t'} without noise.
      const prev = x0.mulScalar(Math.sqrt(abarPrev)).add(dir); // (B, …)
      // 6. Random noise σ_t z when η > 0.
      if (sigma === 0) return prev;
      const z = (opts.noise ?? torchNoise)(sample.shape).toLike(sample); // (B, …)
      return prev.add(z.mulScalar(sigma)); // (B, …)
    });
  }

  /** Levels that inversion starts steps from, in order: [−1 (clean), τ_n, …, τ_2]. */
  get inversionTimesteps(): number[] {
    return [-1, ...[...this.#timesteps].reverse().slice(0, -1)];
  }

  /** The model time at which to evaluate the model for an inversion step from level t. */
  inversionModelTime(t: number): number {
    return t === -1 ? this.#timesteps[this.#timesteps.length - 1]! : t;
  }

  /**
   * One inversion step: `sample` at level t (an element of `inversionTimesteps`) → the sample at
   * the next grid timestep above, with `modelOutput` = model(sample, inversionModelTime(t)).
   */
  invertStep(modelOutput: Tensor, t: number, sample: Tensor): Tensor {
    return T.tidy(() => {
      // 1. The level above: the grid timestep before t in the (descending) grid.
      const i = t === -1 ? this.#timesteps.length : gridIndex(this.#timesteps, t, 'DDIMScheduler.invert');
      const tNext = this.#timesteps[i - 1];
      if (tNext === undefined) throw new Error(`DDIMScheduler.invertStep: timestep ${t} is already the top of the grid; nothing to invert to`);
      // 2. x̂0 and ε̂ at level t; on clean data x̂0 is the sample and ε̂ comes from the model time's conversion.
      const abarEval = this.schedule.alphaBar(this.inversionModelTime(t));
      const cEval = { sqrtAbar: Math.sqrt(abarEval), sqrtOneMinus: Math.sqrt(1 - abarEval) };
      const { x0, eps } = t === -1
        ? { x0: sample, eps: predictEpsilon(modelOutput, sample, this.predictionType, cEval) }
        : this.#predict(modelOutput, sample, cEval);
      // 3. Eq. 12 at η = 0, solved for the higher level: x_{t⁺} = √ᾱ_{t⁺} x̂0 + √(1 − ᾱ_{t⁺}) ε̂.
      const abarNext = this.schedule.alphaBar(tNext);
      return x0.mulScalar(Math.sqrt(abarNext)).add(eps.mulScalar(Math.sqrt(1 - abarNext))); // (B, …)
    });
  }

  /** DDIM inversion of clean latents x0 (B, …) up to the top grid level, with `predict(x, t)` = the model output. */
  invert(x0: Tensor, predict: (x: Tensor, t: number) => Tensor): Tensor {
    let x = x0;
    for (const t of this.inversionTimesteps) {
      const next = T.tidy(() => this.invertStep(predict(x, this.inversionModelTime(t)), t, x)); // (B, …)
      if (x !== x0) x.dispose();
      x = next;
    }
    return x === x0 ? x0.clone() : x; // (B, …)
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
      timestepSpacing: this.timestepSpacing, eta: this.eta, clipSample: this.clipSample,
    };
  }
}
