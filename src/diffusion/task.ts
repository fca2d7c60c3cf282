/**
 * `DiffusionTask`: text-conditioned latent video diffusion as a `TrainTask` (train/types.ts).
 *
 * Given a frozen video autoencoder E/D and a frozen text encoder τ (both injected, never
 * trained here), one step on a batch of (video, caption) pairs is (Ho et al. 2020, Algorithm 1;
 * Rombach et al. 2022, eq. 2; Liu et al. 2022 / Esser et al. 2024 for flow):
 *   1. x0 = λ·(E(video) − μ)             latents, no grad; μ, λ the latent shift and scale (the mean and
 *                                         1/std of the first batch by default: Rombach et al. 2022
 *                                         App. G's scale factor, plus Esser et al. 2024's shift); cached
 *                                         per video id
 *   2. c = τ(caption)                    token states, key mask, pooled vector (no grad); cached per
 *                                         caption (text-cache.ts)
 *   3. t ~ p(t), ε ~ N(0, I)             the scheduler's training times (uniform integer / logit-normal σ)
 *   4. x_t = addNoise(x0, ε, t)          VP: √ᾱ x0 + √(1−ᾱ) ε;  flow: (1−σ) x0 + σ ε
 *   5. drop ~ Bernoulli(0.1)             rows conditioned on the learned null condition (CFG)
 *   6. L = ‖f_θ(x_t, t, c, drop) − y‖²   y = ε (eps), √ᾱ ε − √(1−ᾱ) x0 (v), ε − x0 (flow)
 *   7. backward; ctx.syncGrads; clip to ctx.clipNorm; AdamW step
 * `modules()` and `emaModules()` are { denoiser }; `describe()` records everything needed to
 * rebuild the denoiser and its scheduler (see `denoiserFromDescription`).
 *
 * Ownership: the task owns the denoiser and its optimizer (`dispose()` frees them); the
 * autoencoder and the conditioner stay the caller's. `trainStep` leaves `batch.videos` to the
 * caller; `validate` disposes the videos of the batches it consumes.
 *
 * @example
 *   const task = createDiffusionTask({ arch: 'dit', model: {}, input: [1, 16, 64, 64], ae, conditioner, lr: 3e-4 });
 *   task.calibrate(firstBatch.videos);          // fixes μ and λ before describe() is saved
 *   task.trainStep(batch, ctx);                 // { loss: 0.93, gradNorm: 2.1 }
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import { AdamW, clipGradNorm, type OptimizerLike } from '../optim/index.js';
import type { Batch } from '../data/loader.js';
import type { StepContext, TrainTask } from '../train/types.js';
import type { VideoAutoencoder } from '../models/ae/types.js';
import type { TextConditioner } from '../models/conditioning.js';
import { createDenoiser, type Denoiser, type DenoiserArch } from './denoisers/index.js';
import { createScheduler, type Scheduler } from './schedulers/index.js';
import { conditionDropout } from './guidance.js';
import { SeededNoise } from './noise.js';
import { CachedConditioner } from './text-cache.js';
import type { DiffusionOptions } from './presets.js';

export type Objective = 'eps' | 'v' | 'flow';
export const OBJECTIVES: readonly Objective[] = ['eps', 'v', 'flow'];

/** The training scheduler of an objective: DDPM with ε or v prediction, or rectified flow. */
export function trainingScheduler(objective: Objective, betaSchedule: 'linear' | 'cosine' = 'cosine'): Scheduler {
  switch (objective) {
    case 'eps': return createScheduler({ name: 'ddpm', betaSchedule, predictionType: 'epsilon' });
    case 'v': return createScheduler({ name: 'ddpm', betaSchedule, predictionType: 'v_prediction' });
    case 'flow': return createScheduler({ name: 'flow-euler', timeSampling: 'logit-normal' });
    default: throw new Error(`unknown objective '${String(objective)}'; valid: ${OBJECTIVES.join(', ')}`);
  }
}

/** What `describe()` returns (and `model/task.json` holds). */
export interface DiffusionDescription {
  arch: DenoiserArch;
  model: Record<string, unknown>;
  latentShape: number[];
  condDim: number;
  objective: Objective;
  /** The training scheduler's config (`createScheduler` / `samplerFor` input). */
  scheduler: Record<string, unknown>;
  /** λ in x0 = λ·(E(video) − μ); 'auto' until estimated from the first batch. */
  latentScale: number | 'auto';
  /** μ in x0 = λ·(E(video) − μ); 'auto' until estimated from the first batch. */
  latentShift: number | 'auto';
  conditioner: string;
  ae: { arch: string; config: Record<string, unknown> };
  condDropout: number;
  weightDecay: number;
  parameters: number;
}

export interface DiffusionTaskInit {
  denoiser: Denoiser;
  ae: VideoAutoencoder;
  conditioner: TextConditioner;
  lr: number;
  options?: Partial<DiffusionOptions>;
}

export class DiffusionTask implements TrainTask {
  readonly kind: string;
  readonly denoiser: Denoiser;
  readonly ae: VideoAutoencoder;
  readonly conditioner: TextConditioner;
  /** `conditioner`, memoised by caption unless `cacheText` is off. */
  readonly text: TextConditioner;
  readonly scheduler: Scheduler;
  readonly options: DiffusionOptions;
  readonly optimizer: AdamW;
  #scale: number | 'auto';
  #shift: number | 'auto';
  readonly #cache = new Map<string, Float32Array>();

  constructor(init: DiffusionTaskInit) {
    const o = init.options ?? {};
    this.options = {
      objective: o.objective ?? 'v', betaSchedule: o.betaSchedule ?? 'cosine', condDropout: o.condDropout ?? 0.1,
      weightDecay: o.weightDecay ?? 0, latentScale: o.latentScale ?? 'auto', latentShift: o.latentShift ?? 'auto', cacheLatents: o.cacheLatents ?? true,
      cacheText: o.cacheText ?? true,
    };
    const { latentScale, latentShift, condDropout } = this.options;
    if (latentScale !== 'auto' && !(typeof latentScale === 'number' && latentScale > 0 && Number.isFinite(latentScale))) {
      throw new Error(`latentScale must be 'auto' or a positive number, got ${String(latentScale)}`);
    }
    if (latentShift !== 'auto' && !(typeof latentShift === 'number' && Number.isFinite(latentShift))) {
      throw new Error(`latentShift must be 'auto' or a finite number, got ${String(latentShift)}`);
    }
    if (!(condDropout >= 0 && condDropout <= 1)) throw new Error(`condDropout must be in [0, 1], got ${condDropout}`);
    if (init.conditioner.dim !== init.denoiser.condDim) {
      throw new Error(`the text encoder '${init.conditioner.name}' is ${init.conditioner.dim} wide but the denoiser was built for ${init.denoiser.condDim}`);
    }
    this.denoiser = init.denoiser;
    this.ae = init.ae;
    this.conditioner = init.conditioner;
    this.text = this.options.cacheText ? new CachedConditioner(init.conditioner) : init.conditioner;
    this.kind = `diffusion/${init.denoiser.arch}`;
    this.scheduler = trainingScheduler(this.options.objective, this.options.betaSchedule);
    this.#scale = latentScale;
    this.#shift = latentShift;
    this.ae.eval().requiresGrad_(false);
    this.optimizer = new AdamW(this.denoiser.parameters(), { lr: init.lr, weightDecay: this.options.weightDecay });
  }

  /** λ, or 'auto' before the first batch. */
  get latentScale(): number | 'auto' {
    return this.#scale;
  }
  /** μ, or 'auto' before the first batch. */
  get latentShift(): number | 'auto' {
    return this.#shift;
  }

  modules(): Record<string, Module> {
    return { denoiser: this.denoiser };
  }
  optimizers(): Record<string, OptimizerLike> {
    return { denoiser: this.optimizer };
  }
  emaModules(): Record<string, Module> {
    return { denoiser: this.denoiser };
  }

  /** The device the denoiser lives on (inputs are moved there). */
  get device(): string {
    return this.denoiser.parameters()[0]?.device ?? 'cpu';
  }

  /**
   * Fix whichever of μ = mean(E(videos)) and λ = 1/std(E(videos)) is still 'auto' (call with the
   * first training batch before saving `describe()`; pooled over every element of the batch).
   */
  calibrate(videos: Tensor, ids?: string[]): { shift: number; scale: number } {
    if (this.#scale === 'auto' || this.#shift === 'auto') {
      const [std, mean] = T.tidy(() => T.varMean(this.#rawLatents(videos, ids), null).map((v, i) => (i === 0 ? Math.sqrt(v.item()) : v.item())));
      if (!(std! > 0) || !Number.isFinite(std!)) throw new Error(`cannot estimate the latent scale: the first batch's latents have std ${std}; pass latentScale explicitly`);
      if (this.#scale === 'auto') this.#scale = 1 / std!;
      if (this.#shift === 'auto') this.#shift = mean!;
    }
    return { shift: this.#shift, scale: this.#scale };
  }

  /**
   * Fill the latent cache with pre-encoded raw latents E(video) by video id (a `t2v ae encode`
   * file, src/diffusion/latents-file.ts); those videos are never encoded again. Needs
   * `cacheLatents`. Each row must hold prod(latentShape) values for `input` clips.
   */
  preloadLatents(latents: ReadonlyMap<string, Float32Array>, input: readonly [number, number, number, number]): number {
    if (!this.options.cacheLatents) throw new Error('pre-encoded latents need model.diffusion.cacheLatents = true (they fill the latent cache)');
    const size = this.ae.latentShape(input).reduce((a, b) => a * b, 1);
    for (const [id, row] of latents) {
      if (row.length !== size) throw new Error(`pre-encoded latent of '${id}' has ${row.length} values; the autoencoder makes ${size} per clip`);
      this.#cache.set(id, row);
    }
    return latents.size;
  }

  /** E(videos) (B, ...latentShape), unscaled, no grad; cached by id when `cacheLatents`. */
  #rawLatents(videos: Tensor, ids?: string[]): Tensor {
    return T.tidy(() => T.noGrad(() => {
      const device = this.device;
      if (!this.options.cacheLatents || !ids) return this.ae.encode(videos.to(device)).float(); // (B, …)
      const missing = ids.map((id, i) => (this.#cache.has(id) ? -1 : i)).filter((i) => i >= 0);
      if (missing.length > 0) {
        const sub = videos.indexSelect(0, T.tensor(missing, { dtype: 'int64', device: videos.device })); // (M, C, T, H, W)
        const z = this.ae.encode(sub.to(device)).float().to('cpu').contiguous(); // (M, …)
        const data = z.toFloat32Array();
        const n = data.length / missing.length;
        missing.forEach((i, k) => this.#cache.set(ids[i]!, data.slice(k * n, (k + 1) * n)));
      }
      const rows = ids.map((id) => this.#cache.get(id)!);
      const n = rows[0]!.length;
      const all = new Float32Array(rows.length * n); // (B·n)
      rows.forEach((r, i) => all.set(r, i * n));
      const shape = this.ae.latentShape(videos.shape.slice(1) as [number, number, number, number]);
      return T.tensor(all, { shape: [rows.length, ...shape] }).to(device); // (B, ...latentShape)
    }));
  }

  /** x0 = λ·(E(videos) − μ) (B, ...latentShape). */
  #latents(batch: Batch): Tensor {
    const { shift, scale } = this.calibrate(batch.videos, batch.ids);
    return T.tidy(() => this.#rawLatents(batch.videos, batch.ids).subScalar(shift).mulScalar(scale)); // (B, …)
  }

  /** The denoising loss on (x0, condition) with given noise, times and dropout rows. */
  #loss(x0: Tensor, captions: string[], noise: Tensor, t: Tensor, drop: Tensor | null): Tensor {
    return T.tidy(() => {
      const cond = this.text.encode(captions); // states (B, L, D), mask (B, L), pooled (B, D)
      const device = x0.device;
      const c = { states: cond.states.to(device), mask: cond.mask.to(device), pooled: cond.pooled.to(device) };
      const xt = this.scheduler.addNoise(x0, noise, t); // (B, …)
      const target = this.scheduler.trainingTarget(x0, noise, t); // (B, …)
      const pred = this.denoiser.forward(xt, t.to(device), c, { dropCondition: drop }); // (B, …)
      return T.mseLoss(pred, target); // ()
    });
  }

  trainStep(batch: Batch, ctx: StepContext): Record<string, number> {
    this.denoiser.train();
    return T.tidy(() => {
      // 1. Latents (no grad) and 2.–3. times and noise.
      const x0 = this.#latents(batch); // (B, …)
      const B = x0.size(0);
      const t = this.scheduler.sampleTrainingTimesteps(B); // (B)
      const noise = T.randn(x0.shape).toLike(x0); // (B, …)
      // 4. Condition dropout for classifier-free guidance.
      const drop = conditionDropout(B, this.options.condDropout); // (B) bool
      // 5. Loss and gradients.
      this.optimizer.zeroGrad();
      const loss = this.#loss(x0, batch.captions, noise, t, drop); // ()
      loss.backward();
      // 6. Data-parallel averaging, clipping and the update (of the parameters that got a gradient).
      const params = withGrad(this.denoiser.parameters());
      ctx.syncGrads(params);
      const figures: Record<string, number> = { loss: loss.item() };
      if (ctx.clipNorm !== null) figures['gradNorm'] = clipGradNorm(params, ctx.clipNorm);
      this.optimizer.step();
      return figures;
    });
  }

  /**
   * Mean denoising loss over the batches with fixed noise and times (no grad, libtorch's
   * generator untouched): batch k's sample i gets noise seed 1000003·k + i and the stratified
   * time (i + ½)/B of the training range; no condition dropout.
   */
  async validate(batches: AsyncIterable<Batch>): Promise<Record<string, number>> {
    const wasTraining = this.denoiser.training;
    this.denoiser.eval();
    let sum = 0;
    let count = 0;
    let k = 0;
    try {
      for await (const batch of batches) {
        const [s, n] = T.tidy(() => T.noGrad(() => {
          const x0 = this.#latents(batch); // (B, …)
          const B = x0.size(0);
          const noise = new SeededNoise(Array.from({ length: B }, (_, i) => 1000003 * k + i)).randn(x0.shape.slice(1)).toLike(x0); // (B, …)
          const t = T.tensor(this.#stratifiedTimes(B)); // (B)
          return [this.#loss(x0, batch.captions, noise, t, null).item() * B, B] as const;
        }));
        batch.videos.dispose();
        sum += s;
        count += n;
        k++;
      }
    } finally {
      this.denoiser.train(wasTraining);
    }
    if (count === 0) throw new Error('DiffusionTask.validate: no validation batches');
    return { loss: sum / count };
  }

  #stratifiedTimes(B: number): number[] {
    const N = this.scheduler.numTrainTimesteps;
    const flow = this.scheduler.name === 'flow-euler';
    return Array.from({ length: B }, (_, i) => ((i + 0.5) / B) * N).map((v) => (flow ? v : Math.floor(v)));
  }

  describe(): Record<string, unknown> {
    const d: DiffusionDescription = {
      arch: this.denoiser.arch,
      model: { ...this.denoiser.config },
      latentShape: [...this.denoiser.latentShape],
      condDim: this.denoiser.condDim,
      objective: this.options.objective,
      scheduler: this.scheduler.config(),
      latentScale: this.#scale,
      latentShift: this.#shift,
      conditioner: this.conditioner.name,
      ae: { arch: String(this.ae.arch), config: { ...this.ae.config } },
      condDropout: this.options.condDropout,
      weightDecay: this.options.weightDecay,
      parameters: this.denoiser.numParameters(),
    };
    return { ...d };
  }

  dispose(): void {
    this.optimizer.dispose();
    this.denoiser.dispose();
    this.#cache.clear();
  }
}

/** The parameters whose gradient is set (modules unused by a configuration have none). */
function withGrad(params: Tensor[]): Tensor[] {
  return params.filter((p) => {
    const g = p.grad;
    g?.dispose();
    return g !== null;
  });
}

/** Build a task with a fresh denoiser for data of per-video shape `input` (C, T, H, W). */
export function createDiffusionTask(init: {
  arch: string; model: Record<string, unknown>; input: [number, number, number, number];
  ae: VideoAutoencoder; conditioner: TextConditioner; lr: number; options?: Partial<DiffusionOptions>;
}): DiffusionTask {
  const latentShape = init.ae.latentShape(init.input);
  const denoiser = createDenoiser(init.arch, init.model, latentShape, init.conditioner.dim);
  try {
    return new DiffusionTask({ denoiser, ae: init.ae, conditioner: init.conditioner, lr: init.lr, ...(init.options ? { options: init.options } : {}) });
  } catch (err) {
    denoiser.dispose();
    throw err;
  }
}

/** A fresh (untrained) denoiser matching a saved description; load its weights afterwards. */
export function denoiserFromDescription(desc: Record<string, unknown>): Denoiser {
  const { arch, model, latentShape, condDim } = desc as Partial<DiffusionDescription>;
  if (typeof arch !== 'string' || typeof model !== 'object' || !Array.isArray(latentShape) || typeof condDim !== 'number') {
    throw new Error('not a diffusion task description: expected arch, model, latentShape and condDim (model/task.json of a `t2v train diffusion` run)');
  }
  return createDenoiser(arch, model ?? {}, latentShape, condDim);
}
