/**
 * The common base of the joint-family alignment tasks (paper §3 stage 2; method.md "Stage 2,
 * alignment"): what every method shares around its own networks.
 *
 * - The frozen pieces are injected: the video autoencoder (E_v, G) of stage 1 and the text
 *   encoder E_t (a {@link TextConditioner}; its pooled output is z_t). The base freezes the AE it
 *   is given (eval mode, no parameter gradients: gradients still flow *through* G to its input).
 * - z_v of the training videos are computed once by the frozen encoder and cached by dataset
 *   index (`Batch.indices`); pooled text features are cached per distinct caption, the
 *   noise-augmented captions t̂ in a small bounded cache (feature-cache.ts).
 * - Noise words (noise-words.ts): t̂ for step s comes from `Rng.fromSeed(seed).fork('noise').fork(s)`,
 *   so it depends on (seed, step, batch) only, not on earlier draws.
 * - The pixel term λ_pixel‖G(·) − v‖₁ decodes through the frozen G, the costliest part of a step.
 *   `pixelSamples` = k > 0 evaluates it on k batch items spread evenly over the batch, and
 *   `pixelEvery` = n only on steps divisible by n (ours: budget knobs; the paper preset uses the
 *   whole batch every step).
 * - ‖·‖₁ in every cost is the mean absolute error (ours: the paper writes a norm; a mean keeps
 *   the λs comparable across latent and video sizes).
 * - Standardised latents (latent-norm.ts; `latentNorm: 'standardize'`, ours, default): the methods
 *   see u = (z_v − μ)/σ, μ and σ per dimension over the cached training latents, fitted at the
 *   first training step (all of them when precomputed, as `t2v train align` does; else that
 *   step's batch) and saved with the run; G decodes u·σ + μ. 'none' gives the methods raw z_v.
 * - Generation for every method: u = mapTexts(E_t(text)), video = G(u·σ + μ).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import { Adam, clipGradNorm, type OptimizerLike } from '../optim/index.js';
import type { Batch } from '../data/loader.js';
import type { StepContext, TrainTask } from '../train/types.js';
import type { VideoAutoencoder } from '../models/ae/types.js';
import type { TextConditioner } from '../models/conditioning.js';
import { Rng } from '../data/syncdraw/rng.js';
import { LatentCache, TextFeatureCache } from './feature-cache.js';
import type { NoiseWords } from './noise-words.js';
import type { ConditionerSpec } from './text-encoder.js';
import { discriminatorLoss, type SharedDiscriminator } from './shared-discriminator.js';
import type { AlignMethod } from './names.js';
import { BUCKET_NEGATIVES, type BucketNegatives } from './bucket-loss.js';
import { LatentNorm } from './latent-norm.js';

export { ALIGN_METHODS, type AlignMethod } from './names.js';

/** The frozen pieces and data facts a task is built on. */
export interface FrozenParts {
  ae: VideoAutoencoder;
  conditioner: TextConditioner;
  /** Per-video (C, T, H, W) of the data. */
  input: [number, number, number, number];
  /** Videos in the training split: the latent cache's capacity (`Batch.indices` < trainSize). */
  trainSize: number;
  /** t → t̂ augmentation; null turns it off. */
  noise: NoiseWords | null;
  /** Recorded in describe() so generation can reload the pieces. */
  aeRun?: string;
  conditionerSpec?: ConditionerSpec;
}

/** Which side of λ_s‖z1 − z2‖₁ (eq. 2) gets its gradient: 'both' as printed, 'video' = stop-gradient on z1. */
export type SharedTarget = 'video' | 'both';
export const SHARED_TARGETS: readonly SharedTarget[] = ['video', 'both'];

/** Hyper-parameters of every method (paper Appendix A.3 defaults; the two choice options are ours). */
export interface AlignOptions {
  /** Hidden width of the MLPs M, E_s, G_s (512). */
  hidden: number;
  /** d of the shared space (64). */
  sharedDim: number;
  dropout: number;
  lr: number;
  /** λ_s, λ_feat, λ_pixel of eq. 2 and λ_zs of eq. 1 (100, 10, 30, 5). */
  lambdaShared: number;
  lambdaFeat: number;
  lambdaPixel: number;
  lambdaDiv: number;
  /** Batch items in the pixel term (0 = all). */
  pixelSamples: number;
  /** Pixel term on every n-th step. */
  pixelEvery: number;
  /** InfoNCE τ. */
  temperature: number;
  /** BYOL target EMA decay. */
  byolDecay: number;
  /** Seed of the noise-word draws. */
  seed: number;
  /** Noisy captions kept in the text-feature cache. */
  noisyCacheSize: number;
  /**
   * Normalisation of the bucket loss's inter-bucket term (bucket-loss.ts): 'mean' (ours, default)
   * or 'paper' (eq. 4 as printed, whose global minimum is degenerate: see bucket-loss.ts).
   */
  bucketNegatives: BucketNegatives;
  /**
   * λ_s‖z1 − z2‖₁ of eq. 2 with both codes trainable ('both', as printed) has the trivial
   * minimum E_s(z_v) = M(E_t(t)) = const, which the 100× weight makes the easiest descent:
   * training reaches it on SyncDraw (every caption generates the same video). 'video' (ours,
   * default) treats the video's shared code z1 as the target of that term (stop-gradient on z1,
   * as the WAE cost measures q(z) against p*(z)): M learns to hit E_s(z_v), E_s learns from the
   * reconstruction terms and the alignment term.
   */
  sharedTarget: SharedTarget;
  /** 'standardize' (ours, default): the methods work on per-dimension standardised z_v (latent-norm.ts); 'none': raw z_v. */
  latentNorm: LatentNormMode;
}

export type LatentNormMode = 'standardize' | 'none';
export const LATENT_NORM_MODES: readonly LatentNormMode[] = ['standardize', 'none'];

export const DEFAULT_ALIGN_OPTIONS: Readonly<AlignOptions> = {
  hidden: 512, sharedDim: 64, dropout: 0.1, lr: 1e-4,
  lambdaShared: 100, lambdaFeat: 10, lambdaPixel: 30, lambdaDiv: 5,
  pixelSamples: 0, pixelEvery: 1, temperature: 0.07, byolDecay: 0.99, seed: 0, noisyCacheSize: 4096,
  bucketNegatives: 'mean', sharedTarget: 'video', latentNorm: 'standardize',
};

/** The options that take one of a few names rather than a number, with their valid values. */
const CHOICE_OPTIONS: Readonly<Record<string, readonly string[]>> = { bucketNegatives: BUCKET_NEGATIVES, sharedTarget: SHARED_TARGETS, latentNorm: LATENT_NORM_MODES };

/** Defaults filled in; unknown keys and bad values throw naming the option. */
export function resolveAlignOptions(given: Partial<AlignOptions> = {}): AlignOptions {
  const out: AlignOptions = { ...DEFAULT_ALIGN_OPTIONS };
  for (const [k, v] of Object.entries(given)) {
    if (!(k in DEFAULT_ALIGN_OPTIONS)) throw new Error(`align option '${k}' is unknown; valid: ${Object.keys(DEFAULT_ALIGN_OPTIONS).join(', ')}`);
    if (v === undefined) continue;
    const choices = CHOICE_OPTIONS[k];
    if (choices) {
      if (typeof v !== 'string' || !choices.includes(v)) throw new Error(`align option '${k}' must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(v)}`);
      (out as unknown as Record<string, string>)[k] = v;
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`align option '${k}' must be a finite number, got ${JSON.stringify(v)}`);
    (out as unknown as Record<string, number>)[k] = v;
  }
  const ints = ['hidden', 'sharedDim', 'pixelSamples', 'pixelEvery', 'seed', 'noisyCacheSize'] as const;
  for (const k of ints) if (!Number.isInteger(out[k]) || out[k] < 0) throw new Error(`align option '${k}' must be an integer ≥ 0, got ${out[k]}`);
  if (out.hidden < 1 || out.sharedDim < 1 || out.pixelEvery < 1) throw new Error('align options hidden, sharedDim and pixelEvery must be ≥ 1');
  if (!(out.dropout >= 0 && out.dropout < 1)) throw new Error(`align option 'dropout' must be in [0, 1), got ${out.dropout}`);
  if (!(out.temperature > 0)) throw new Error(`align option 'temperature' must be > 0, got ${out.temperature}`);
  if (!(out.byolDecay >= 0 && out.byolDecay <= 1)) throw new Error(`align option 'byolDecay' must be in [0, 1], got ${out.byolDecay}`);
  return out;
}

/** Mean absolute error, the ‖·‖₁ of the costs. a, b same shape → (). */
export function mae(a: Tensor, b: Tensor): Tensor {
  return T.l1Loss(a, b); // ()
}

/** Run `fn` with `modules` in eval mode, restoring each one's mode afterwards. */
export function withEval<R>(modules: Module[], fn: () => R): R {
  const modes = modules.map((m) => m.training);
  for (const m of modules) m.eval();
  try {
    return fn();
  } finally {
    modules.forEach((m, i) => m.train(modes[i]));
  }
}

/** A trainable alignment method: the trainer's TrainTask plus generation and diagnostics access. */
export interface AlignTask extends TrainTask {
  readonly method: AlignMethod;
  readonly ae: VideoAutoencoder;
  readonly conditioner: TextConditioner;
  /** Per-video latent shape of the AE, e.g. [64]. */
  readonly latentShape: number[];
  readonly options: AlignOptions;
  readonly noise: NoiseWords | null;
  /** Encode (and cache) the batch's videos that are not cached yet; returns how many. */
  cacheLatents(batch: Batch): number;
  /** Frozen E_v, no cache: videos (B, C, T, H, W) → (B, d_zv) flattened. */
  encodeVideos(videos: Tensor): Tensor;
  /** Pooled E_t of the texts (cached): (B, d_t). */
  textFeatures(texts: readonly string[]): Tensor;
  /** z_v the method generates for each text: (B, ...latentShape). No grad, eval mode. */
  generateLatents(texts: readonly string[]): Tensor;
  /** video = G(z_v): (B, C, T, H, W) in [0, 1]. */
  generate(texts: readonly string[]): Tensor;
  /** Shared codes of real video latents z_v (B, d_zv) → (B, d_s); null for methods without a shared space. */
  sharedOfVideos(zv: Tensor): Tensor | null;
  /** Shared codes of text features (B, d_t) → (B, d_s); null without a shared space. */
  sharedOfTexts(zt: Tensor): Tensor | null;
}

export abstract class AlignTaskBase implements AlignTask {
  readonly ae: VideoAutoencoder;
  readonly conditioner: TextConditioner;
  readonly latentShape: number[];
  /** Flattened latent size d_zv. */
  readonly latentDim: number;
  readonly textDim: number;
  readonly options: AlignOptions;
  readonly noise: NoiseWords | null;
  protected readonly latents: LatentCache;
  /** u = (z_v − μ)/σ; null with `latentNorm: 'none'`. */
  protected readonly latentNorm: LatentNorm | null;
  protected readonly cleanText: TextFeatureCache;
  protected readonly noisyText: TextFeatureCache;

  constructor(
    readonly method: AlignMethod,
    protected readonly parts: FrozenParts,
    options: Partial<AlignOptions>,
  ) {
    this.ae = parts.ae;
    this.conditioner = parts.conditioner;
    this.options = resolveAlignOptions(options);
    this.noise = parts.noise;
    this.ae.eval();
    this.ae.requiresGrad_(false);
    this.latentShape = this.ae.latentShape(parts.input);
    this.latentDim = this.latentShape.reduce((a, b) => a * b, 1);
    this.textDim = this.conditioner.dim;
    this.latents = new LatentCache(parts.trainSize, this.latentDim);
    this.latentNorm = this.options.latentNorm === 'standardize' ? new LatentNorm(this.latentDim) : null;
    this.cleanText = new TextFeatureCache(this.conditioner);
    this.noisyText = new TextFeatureCache(this.conditioner, this.options.noisyCacheSize);
  }

  get kind(): string {
    return `align/${this.method}`;
  }

  /** The validation figure that picks the best checkpoint (the trainer's optional contract). */
  readonly bestMetric = { name: 'latent_l1', mode: 'min' as const };

  /** Every module: the method's own ({@link methodModules}) and `latent_norm` when standardising. */
  modules(): Record<string, Module> {
    return { ...this.methodModules(), ...(this.latentNorm ? { latent_norm: this.latentNorm } : {}) };
  }

  /** The method's networks, saved by name. */
  protected abstract methodModules(): Record<string, Module>;
  abstract optimizers(): Record<string, OptimizerLike>;
  abstract trainStep(batch: Batch, ctx: StepContext): Record<string, number>;
  /** The method's text → code map on features (B, d_t) → codes u (B, d_zv); called in eval mode without grad. */
  protected abstract mapTexts(zt: Tensor): Tensor;
  abstract sharedOfVideos(zv: Tensor): Tensor | null;
  abstract sharedOfTexts(zt: Tensor): Tensor | null;
  /** Method-specific entries of describe(). */
  protected abstract describeMethod(): Record<string, unknown>;

  // ---- frozen pieces and caches -------------------------------------------------------------

  encodeVideos(videos: Tensor): Tensor {
    return T.tidy(() => T.noGrad(() => this.ae.encode(videos).reshape([videos.shape[0]!, this.latentDim]))); // (B, d_zv)
  }

  cacheLatents(batch: Batch): number {
    const miss = this.latents.missing(batch.indices);
    if (miss.length === 0) return 0;
    const rows = T.tidy(() => {
      const idx = T.tensor(Int32Array.from(miss), { shape: [miss.length] }).toDType('int64'); // (m)
      return this.encodeVideos(batch.videos.indexSelect(0, idx)).toFloat32Array(); // (m · d_zv)
    });
    miss.forEach((k, j) => this.latents.put(batch.indices[k]!, batch.ids[k]!, rows.subarray(j * this.latentDim, (j + 1) * this.latentDim)));
    return miss.length;
  }

  /**
   * The methods' codes u of a training batch (B, d_zv): cached z_v (encoding what is missing),
   * standardised; the statistics are fitted from the cache on first use.
   */
  protected batchLatents(batch: Batch): Tensor {
    this.cacheLatents(batch);
    const zv = this.latents.rows(batch.indices, batch.ids); // (B, d_zv)
    if (!this.latentNorm) return zv;
    if (!this.latentNorm.fitted) {
      const { rows, n } = this.latents.cachedRows();
      this.latentNorm.fit(rows, n);
    }
    return T.tidy(() => this.latentNorm!.normalize(zv)); // (B, d_zv)
  }

  /** Real z_v (B, d_zv) → the methods' codes u. */
  protected toCodes(zv: Tensor): Tensor {
    return this.latentNorm ? this.latentNorm.normalize(zv) : zv.clone(); // (B, d_zv)
  }

  /** The methods' codes u (B, d_zv) → z_v. */
  protected fromCodes(u: Tensor): Tensor {
    return this.latentNorm ? this.latentNorm.denormalize(u) : u.clone(); // (B, d_zv)
  }

  textFeatures(texts: readonly string[]): Tensor {
    return this.cleanText.features(texts); // (B, d_t)
  }

  /** E_t(t̂) for a step: noise words drawn from the step's stream. (B, d_t) */
  protected noisyFeatures(captions: readonly string[], step: number): Tensor {
    if (!this.noise) return this.cleanText.features(captions); // (B, d_t)
    const rng = Rng.fromSeed(this.options.seed).fork('noise').fork(step);
    const noisy = this.noise.augment(captions, rng);
    return this.noisyText.features(noisy); // (B, d_t)
  }

  /** G(u·σ + μ): codes u (B, d_zv) → (B, C, T, H, W), differentiable w.r.t. u. */
  protected decodeFlat(u: Tensor): Tensor {
    return T.tidy(() => this.ae.decode(this.fromCodes(u).reshape([u.shape[0]!, ...this.latentShape]))); // (B, C, T, H, W)
  }

  /** Σ_c ‖G(c) − v‖₁ over the codes `codes` (each (B, d_zv)), on the step's pixel subset; null when skipped. */
  protected pixelTerm(codes: Tensor[], videos: Tensor, step: number): Tensor | null {
    const o = this.options;
    if (o.lambdaPixel === 0 || step % o.pixelEvery !== 0) return null;
    return T.tidy(() => {
      const b = videos.shape[0]!;
      const n = o.pixelSamples > 0 ? Math.min(o.pixelSamples, b) : b;
      const pick = n === b ? null : T.tensor(Int32Array.from({ length: n }, (_, k) => Math.floor((k * b) / n)), { shape: [n] }).toDType('int64'); // (n)
      const v = pick ? videos.indexSelect(0, pick) : videos; // (n, C, T, H, W)
      return codes
        .map((c) => mae(this.decodeFlat(pick ? c.indexSelect(0, pick) : c), v)) // ()
        .reduce((a, x) => a.add(x)); // ()
    });
  }

  // ---- optimisation -------------------------------------------------------------------------

  protected makeAdam(modules: Module[]): Adam {
    return new Adam(modules.flatMap((m) => m.parameters()), { lr: this.options.lr });
  }

  /** backward, sync, clip, step on one optimizer; returns the gradient norm (NaN without clipping). */
  protected optimizerStep(opt: OptimizerLike, params: Tensor[], loss: Tensor, ctx: StepContext): number {
    opt.zeroGrad();
    loss.backward();
    ctx.syncGrads(params);
    const norm = ctx.clipNorm !== null ? clipGradNorm(params, ctx.clipNorm) : Number.NaN;
    opt.step();
    opt.zeroGrad();
    return norm;
  }

  /** D's own step on eq. A.5 with `real` and `fake` (detached here). Returns L_D. */
  protected discriminatorStep(disc: SharedDiscriminator, opt: OptimizerLike, real: Tensor, fake: Tensor, ctx: StepContext): number {
    return T.tidy(() => {
      const r = disc.forward(real.detach()).logit; // (B, 1)
      const f = disc.forward(fake.detach()).logit; // (B, 1)
      const loss = discriminatorLoss(r, f); // ()
      this.optimizerStep(opt, disc.parameters(), loss, ctx);
      return loss.item();
    });
  }

  // ---- generation ---------------------------------------------------------------------------

  /** `fn` with every module in eval mode, without grad, in a tidy scope. */
  protected inference(fn: () => Tensor): Tensor {
    return withEval(Object.values(this.modules()), () => T.tidy(() => T.noGrad(fn)));
  }

  generateLatents(texts: readonly string[]): Tensor {
    return this.inference(() => this.fromCodes(this.mapTexts(this.textFeatures(texts))).reshape([texts.length, ...this.latentShape])); // (B, ...latentShape)
  }

  generate(texts: readonly string[]): Tensor {
    return T.tidy(() => T.noGrad(() => this.ae.decode(this.generateLatents(texts)))); // (B, C, T, H, W)
  }

  /** Mean ‖z_v(generated from the caption) − z_v(real)‖₁ over held-out batches (encoded, not cached). */
  async validate(batches: AsyncIterable<Batch>): Promise<Record<string, number>> {
    let sum = 0;
    let n = 0;
    for await (const b of batches) {
      sum += T.tidy(() => mae(this.generateLatents(b.captions).reshape([b.captions.length, this.latentDim]), this.encodeVideos(b.videos)).item()) * b.captions.length;
      n += b.captions.length;
    }
    return { latent_l1: n > 0 ? sum / n : Number.NaN };
  }

  // ---- bookkeeping --------------------------------------------------------------------------

  describe(): Record<string, unknown> {
    return {
      method: this.method,
      dims: { text: this.textDim, shared: this.options.sharedDim, video: this.latentDim, latentShape: this.latentShape, input: this.parts.input },
      options: { ...this.options },
      weights: { lambdaShared: this.options.lambdaShared, lambdaFeat: this.options.lambdaFeat, lambdaPixel: this.options.lambdaPixel, lambdaDiv: this.options.lambdaDiv },
      conditioner: { name: this.conditioner.name, ...(this.parts.conditionerSpec ? { spec: this.parts.conditionerSpec } : {}) },
      ae: { arch: this.ae.arch, run: this.parts.aeRun ?? null, config: this.ae.config },
      noise: this.noise ? { p: this.noise.p, words: this.noise.words } : null,
      ...this.describeMethod(),
    };
  }

  dispose(): void {
    for (const o of Object.values(this.optimizers())) o.dispose();
    for (const m of Object.values(this.modules())) m.dispose();
  }
}
