/**
 * The discrete variance-preserving noise schedule shared by DDPM and DDIM, and the conversions
 * between what a model may predict.
 *
 * Symbols (Ho et al. 2020, "Denoising Diffusion Probabilistic Models", https://arxiv.org/abs/2006.11239):
 *   β_t           betas[t], t = 0 … N−1 (the paper's t = 1 … T, shifted by one)
 *   α_t = 1 − β_t alphas[t]
 *   ᾱ_t = ∏_{s≤t} α_s   alphasCumprod[t]; ᾱ_{−1} = 1 (clean data, "set_alpha_to_one")
 *   q(x_t | x0) = N(√ᾱ_t x0, (1 − ᾱ_t) I)                       (Ho eq. 4)
 *   x_t = √ᾱ_t x0 + √(1 − ᾱ_t) ε                                (Ho §3.2 reparameterisation)
 *
 * Schedules:
 *   linear: β_t = linspace(β_1 = 1e-4, β_T = 0.02, T)          (Ho §4)
 *   cosine: ᾱ(τ) = f(τ)/f(0), f(τ) = cos²(((τ + s)/(1 + s))·π/2), s = 0.008,
 *           β_t = min(1 − ᾱ((t+1)/N)/ᾱ(t/N), 0.999)            (Nichol & Dhariwal 2021, eq. 17,
 *           https://arxiv.org/abs/2102.09672), so ᾱ_t = f((t+1)/N)/f(0) until the clip binds.
 *
 * Predictions (x_t, ε, x0 related by the reparameterisation above):
 *   epsilon:      x0 = (x_t − √(1−ᾱ) ε̂)/√ᾱ
 *   v_prediction: v = √ᾱ ε − √(1−ᾱ) x0  (Salimans & Ho 2022, §4, https://arxiv.org/abs/2202.00512)
 *                 x0 = √ᾱ x_t − √(1−ᾱ) v̂,   ε = √(1−ᾱ) x_t + √ᾱ v̂
 * All schedule arithmetic is float64 in JavaScript; only the final coefficients meet tensors.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { PredictionType } from './types.js';

export type BetaSchedule = 'linear' | 'cosine';
export const BETA_SCHEDULES: readonly BetaSchedule[] = ['linear', 'cosine'];

export interface VPScheduleConfig {
  /** N, the length of the training chain (default 1000). */
  numTrainTimesteps: number;
  betaSchedule: BetaSchedule;
  /** Linear schedule's β_1 (default 1e-4) and β_T (default 0.02). */
  betaStart: number;
  betaEnd: number;
  /** Cosine schedule's offset s (default 0.008) and clip of β (default 0.999). */
  cosineS: number;
  maxBeta: number;
}

export const VP_DEFAULTS: VPScheduleConfig = {
  numTrainTimesteps: 1000, betaSchedule: 'cosine', betaStart: 1e-4, betaEnd: 0.02, cosineS: 0.008, maxBeta: 0.999,
};

/** Ho et al. 2020 §4: β linearly spaced from `start` to `end` over N steps. */
export function linearBetas(n: number, start: number, end: number): Float64Array {
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) b[i] = n === 1 ? start : start + ((end - start) * i) / (n - 1);
  return b;
}

/** Nichol & Dhariwal 2021 eq. 17: the continuous ᾱ(τ) = f(τ)/f(0) at τ ∈ [0, 1]. */
export function cosineAlphaBar(tau: number, s = 0.008): number {
  const f = (x: number): number => Math.cos(((x + s) / (1 + s)) * (Math.PI / 2)) ** 2;
  return f(tau) / f(0);
}

/** Nichol & Dhariwal 2021 eq. 17 discretised: β_t = min(1 − ᾱ((t+1)/N)/ᾱ(t/N), maxBeta). */
export function cosineBetas(n: number, s = 0.008, maxBeta = 0.999): Float64Array {
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.min(1 - cosineAlphaBar((i + 1) / n, s) / cosineAlphaBar(i / n, s), maxBeta);
  return b;
}

/** ᾱ_t = ∏_{s≤t} (1 − β_s). */
export function cumprodAlphas(betas: Float64Array): Float64Array {
  const out = new Float64Array(betas.length);
  let p = 1;
  betas.forEach((b, i) => {
    p *= 1 - b;
    out[i] = p;
  });
  return out;
}

/** The schedule's arrays and per-timestep lookups. */
export class VPSchedule {
  readonly config: VPScheduleConfig;
  readonly betas: Float64Array;
  readonly alphasCumprod: Float64Array;

  constructor(config: Partial<VPScheduleConfig> = {}) {
    this.config = { ...VP_DEFAULTS, ...definedOnly(config) };
    const c = this.config;
    if (!Number.isInteger(c.numTrainTimesteps) || c.numTrainTimesteps < 2) throw new Error(`numTrainTimesteps must be an integer >= 2, got ${c.numTrainTimesteps}`);
    if (!BETA_SCHEDULES.includes(c.betaSchedule)) throw new Error(`betaSchedule must be one of ${BETA_SCHEDULES.join(', ')}, got '${String(c.betaSchedule)}'`);
    this.betas = c.betaSchedule === 'linear' ? linearBetas(c.numTrainTimesteps, c.betaStart, c.betaEnd) : cosineBetas(c.numTrainTimesteps, c.cosineS, c.maxBeta);
    if (!this.betas.every((b) => b > 0 && b < 1)) throw new Error(`the ${c.betaSchedule} schedule gives betas outside (0, 1); check betaStart/betaEnd/maxBeta`);
    this.alphasCumprod = cumprodAlphas(this.betas);
  }

  get numTrainTimesteps(): number {
    return this.config.numTrainTimesteps;
  }

  /** ᾱ_t for an integer t in [−1, N): t = −1 is clean data (ᾱ = 1). */
  alphaBar(t: number): number {
    if (t === -1) return 1;
    const a = this.alphasCumprod[t];
    if (a === undefined || !Number.isInteger(t)) throw new Error(`timestep ${t} is outside the training chain [0, ${this.numTrainTimesteps})`);
    return a;
  }

  /** Per-sample (√ᾱ_t, √(1−ᾱ_t)) as (B, 1, …, 1) tensors broadcastable to `like` (B, …), like's dtype and device. */
  coefficients(t: Tensor, like: Tensor): { sqrtAbar: Tensor; sqrtOneMinus: Tensor } {
    const ts = t.toArray();
    const a = ts.map((v) => this.alphaBar(Math.round(v)));
    const shape = [ts.length, ...like.shape.slice(1).map(() => 1)];
    return {
      sqrtAbar: perSample(a.map(Math.sqrt), shape, like), // (B, 1, …)
      sqrtOneMinus: perSample(a.map((v) => Math.sqrt(1 - v)), shape, like), // (B, 1, …)
    };
  }

  /** Training t: uniform integers in [0, N) from libtorch's generator, as float32 (B). */
  sampleTimesteps(batch: number): Tensor {
    return T.randint(0, this.numTrainTimesteps, [batch], { dtype: 'float32' }); // (B)
  }
}

/** A (B, 1, …) tensor of per-sample values in `like`'s dtype and device. */
export function perSample(values: number[], shape: number[], like: Tensor): Tensor {
  return T.tidy(() => T.tensor(Float64Array.from(values), { shape }).toLike(like)); // (B, 1, …)
}

/** A scalar or per-sample coefficient times x. */
export function scaled(x: Tensor, c: number | Tensor): Tensor {
  return typeof c === 'number' ? x.mulScalar(c) : x.mul(c); // x's shape
}

/** √ᾱ and √(1−ᾱ), as numbers (one timestep) or (B, 1, …) tensors (per sample). */
export interface VPCoefficients {
  sqrtAbar: number | Tensor;
  sqrtOneMinus: number | Tensor;
}

/** x_t = √ᾱ x0 + √(1−ᾱ) ε (Ho eq. 4). */
export function vpNoise(x0: Tensor, eps: Tensor, c: VPCoefficients): Tensor {
  return T.tidy(() => scaled(x0, c.sqrtAbar).add(scaled(eps, c.sqrtOneMinus))); // (B, …)
}

/** v = √ᾱ ε − √(1−ᾱ) x0 (Salimans & Ho 2022, §4). */
export function vTarget(x0: Tensor, eps: Tensor, c: VPCoefficients): Tensor {
  return T.tidy(() => scaled(eps, c.sqrtAbar).sub(scaled(x0, c.sqrtOneMinus))); // (B, …)
}

/** x̂0 from a model output of either VP prediction type. */
export function predictOriginal(modelOutput: Tensor, sample: Tensor, type: PredictionType, c: VPCoefficients): Tensor {
  return T.tidy(() => {
    if (type === 'epsilon') return vpDiv(sample.sub(scaled(modelOutput, c.sqrtOneMinus)), c.sqrtAbar); // (B, …)
    if (type === 'v_prediction') return scaled(sample, c.sqrtAbar).sub(scaled(modelOutput, c.sqrtOneMinus)); // (B, …)
    throw new Error(`prediction type '${type}' is not a variance-preserving one (use epsilon or v_prediction)`);
  });
}

/** ε̂ from a model output of either VP prediction type. */
export function predictEpsilon(modelOutput: Tensor, sample: Tensor, type: PredictionType, c: VPCoefficients): Tensor {
  return T.tidy(() => {
    if (type === 'epsilon') return modelOutput.clone(); // (B, …)
    if (type === 'v_prediction') return scaled(sample, c.sqrtOneMinus).add(scaled(modelOutput, c.sqrtAbar)); // (B, …)
    throw new Error(`prediction type '${type}' is not a variance-preserving one (use epsilon or v_prediction)`);
  });
}

/** ε̂ recomputed from x_t and a (possibly clipped) x̂0: ε̂ = (x_t − √ᾱ x̂0)/√(1−ᾱ). */
export function epsilonFromOriginal(x0: Tensor, sample: Tensor, c: VPCoefficients): Tensor {
  return T.tidy(() => vpDiv(sample.sub(scaled(x0, c.sqrtAbar)), c.sqrtOneMinus)); // (B, …)
}

function vpDiv(x: Tensor, c: number | Tensor): Tensor {
  return typeof c === 'number' ? x.divScalar(c) : x.div(c);
}

function definedOnly<O extends object>(o: O): Partial<O> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<O>;
}
