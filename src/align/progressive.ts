/**
 * Progressive alignment (paper §3, eqs. 1–4; method.md stage 2) and the methods that keep its
 * architecture and swap the alignment term: 'progressive-bucket' (the paper's method),
 * 'clip-infonce' (CLIP-based baseline, §4.2.2), 'vicreg' and 'byol' (§4.2.3), plus the
 * ImageBind- (imagebind.ts) and CoDi-style (codi.ts) baselines built on this class.
 *
 * Symbols (paper → code):
 *   z_v = E_v(v)          `zv`    (B, d_zv)  frozen video encoder, cached
 *   z_t = E_t(t), E_t(t̂)  `zt`, `ztNoisy` (B, d_t)  frozen text encoder; t̂ = t + noise word
 *   z1 = E_s(z_v)         `z1`    (B, d_s)   shared code of the video ("real", p*(z))
 *   z2 = M(E_t(t̂))        `z2`    (B, d_s)   shared code of the text (generated, q(z|z_t))
 *   G_s(·)                `g1`, `g2` (B, d_zv) back to the video latent
 *   G(·)                  frozen video decoder
 *
 * Generator cost (eq. 2 + 5·eq. 3; ‖·‖₁ = mean absolute error):
 *   L = λ_s‖z1 − z2‖₁ + λ_feat(‖g1 − g2‖₁ + ‖g1 − z_v‖₁ + ‖g2 − z_v‖₁)
 *     + λ_pixel(‖G(g1) − v‖₁ + ‖G(g2) − v‖₁) + λ_zs(L_fm(D_s; z1, z2) + L_align(M(E_t(t)), z1))
 * with λ_s = 100, λ_feat = 10, λ_pixel = 30, λ_zs = 5 (Appendix A.3). L_align sees the clean
 * caption t. By default (ours, `sharedTarget: 'video'`) z1 is detached in the λ_s term, so the
 * text code is pulled to the video's code and not both to a constant; and the bucket loss
 * averages its negatives (`bucketNegatives: 'mean'`): base.ts and bucket-loss.ts say why, with
 * the collapse each printed form reaches. Both printed forms stay available as options.
 * D_s is trained by its own Adam on eq. A.5 (z1 real, z2 fake); the generator side of L_{D_s}
 * is feature matching (ours, shared-discriminator.ts). Both optimizers: Adam 1e-4, the
 * trainer's clip-norm (paper: 4), applied per optimizer.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { Layer, Module } from '../nn/index.js';
import type { Adam, OptimizerLike } from '../optim/index.js';
import type { Batch } from '../data/loader.js';
import type { StepContext } from '../train/types.js';
import { AlignMlp } from './mlp.js';
import { SharedDiscriminator, featureMatching } from './shared-discriminator.js';
import { createAlignmentLoss, type AlignLossKind, type AlignmentLoss } from './alignment-loss.js';
import { AlignTaskBase, mae, type AlignMethod, type AlignOptions, type FrozenParts } from './base.js';

type LayerModule = Module & Layer;

/** The two maps into the shared space: M (text) and E_s (video), and how to build another E_s. */
export interface SharedMaps {
  /** 'mlp' (the paper's MLP) or 'linear' (ImageBind-style projections). */
  readonly kind: 'mlp' | 'linear';
  text: LayerModule;
  video: LayerModule;
  /** A fresh module of E_s's architecture (BYOL's target). */
  makeVideo(): LayerModule;
}

/** The paper's maps: M = MLP(d_t → d_s), E_s = MLP(d_zv → d_s) (Appendix A.3). */
export function mlpMaps(textDim: number, videoDim: number, o: AlignOptions): SharedMaps {
  const mlp = { hidden: o.hidden, dropout: o.dropout };
  const makeVideo = (): LayerModule => new AlignMlp(videoDim, o.sharedDim, mlp);
  return { kind: 'mlp', text: new AlignMlp(textDim, o.sharedDim, mlp), video: makeVideo(), makeVideo };
}

export interface ProgressiveConfig {
  align: AlignLossKind;
  /** Builds M and E_s; default {@link mlpMaps}. */
  maps?: (textDim: number, videoDim: number, o: AlignOptions) => SharedMaps;
}

export class ProgressiveTask extends AlignTaskBase {
  /** M: z_t → shared. */
  readonly mapping: LayerModule;
  /** E_s: z_v → shared. */
  readonly sharedEncoder: LayerModule;
  /** G_s: shared → z_v. */
  readonly sharedDecoder: AlignMlp;
  readonly disc: SharedDiscriminator;
  readonly align: AlignmentLoss;
  readonly mapsKind: 'mlp' | 'linear';
  private readonly gen: Adam;
  private readonly discOpt: Adam;

  constructor(method: AlignMethod, parts: FrozenParts, options: Partial<AlignOptions>, cfg: ProgressiveConfig) {
    super(method, parts, options);
    const o = this.options;
    const maps = (cfg.maps ?? mlpMaps)(this.textDim, this.latentDim, o);
    this.mapsKind = maps.kind;
    this.mapping = maps.text;
    this.sharedEncoder = maps.video;
    this.sharedDecoder = new AlignMlp(o.sharedDim, this.latentDim, { hidden: o.hidden, dropout: o.dropout });
    this.disc = new SharedDiscriminator(o.sharedDim);
    this.align = createAlignmentLoss(cfg.align, {
      dim: o.sharedDim, temperature: o.temperature, hidden: o.hidden, byolDecay: o.byolDecay, bucketNegatives: o.bucketNegatives,
      videoEncoder: this.sharedEncoder, makeVideoEncoder: maps.makeVideo,
    });
    this.gen = this.makeAdam(this.generatorModules());
    this.discOpt = this.makeAdam([this.disc]);
  }

  private generatorModules(): Module[] {
    return [this.mapping, this.sharedEncoder, this.sharedDecoder, ...Object.values(this.align.trainable())];
  }

  protected methodModules(): Record<string, Module> {
    return {
      mapping: this.mapping,
      shared_encoder: this.sharedEncoder,
      shared_decoder: this.sharedDecoder,
      shared_disc: this.disc,
      ...this.align.trainable(),
      ...this.align.untrained(),
    };
  }

  optimizers(): Record<string, OptimizerLike> {
    return { gen: this.gen, disc: this.discOpt };
  }

  trainStep(batch: Batch, ctx: StepContext): Record<string, number> {
    const o = this.options;
    for (const m of this.generatorModules()) m.train();
    this.disc.train();
    return T.tidy(() => {
      // 1. Frozen inputs: z_v from the cache, z_t of t and t̂.
      const zv = this.batchLatents(batch); // (B, d_zv)
      const zt = this.textFeatures(batch.captions); // (B, d_t)
      const ztNoisy = this.noisyFeatures(batch.captions, ctx.step); // (B, d_t)
      // 2. Shared codes and their decodings to the video latent.
      const z1 = this.sharedEncoder.forward(zv); // (B, d_s)
      const z2 = this.mapping.forward(ztNoisy); // (B, d_s)
      const g1 = this.sharedDecoder.forward(z1); // (B, d_zv)
      const g2 = this.sharedDecoder.forward(z2); // (B, d_zv)
      // 3. Eq. 2.
      const shared = mae(o.sharedTarget === 'video' ? z1.detach() : z1, z2); // ()
      const feat = mae(g1, g2).add(mae(g1, zv)).add(mae(g2, zv)); // ()
      const pixel = this.pixelTerm([g1, g2], batch.videos, ctx.step); // () or null
      // 4. Eq. 3: D_s feature matching and the alignment term on the clean caption.
      const fm = featureMatching(this.disc.forward(z1).feature, this.disc.forward(z2).feature); // ()
      const align = this.align.compute(this.mapping.forward(zt), z1, batch.buckets, zv); // ()
      let loss = shared.mulScalar(o.lambdaShared).add(feat.mulScalar(o.lambdaFeat)).add(fm.add(align).mulScalar(o.lambdaDiv)); // ()
      if (pixel) loss = loss.add(pixel.mulScalar(o.lambdaPixel));
      // 5. Generator step, then D_s's own step, then BYOL's target update.
      const gradNorm = this.optimizerStep(this.gen, this.generatorModules().flatMap((m) => m.parameters()), loss, ctx);
      const disc = this.discriminatorStep(this.disc, this.discOpt, z1, z2, ctx);
      this.align.afterStep();
      return {
        loss: loss.item(), shared: shared.item(), feat: feat.item(), ...(pixel ? { pixel: pixel.item() } : {}),
        fm: fm.item(), align: align.item(), disc, grad_norm: gradNorm,
      };
    });
  }

  protected mapTexts(zt: Tensor): Tensor {
    return T.tidy(() => this.sharedDecoder.forward(this.mapping.forward(zt))); // (B, d_zv)
  }

  sharedOfVideos(zv: Tensor): Tensor {
    return this.inference(() => this.sharedEncoder.forward(this.toCodes(zv))); // (B, d_s)
  }

  sharedOfTexts(zt: Tensor): Tensor {
    return this.inference(() => this.mapping.forward(zt)); // (B, d_s)
  }

  protected describeMethod(): Record<string, unknown> {
    return {
      family: 'progressive',
      maps: this.mapsKind,
      align: this.align.describe(),
      sharedTarget: this.options.sharedTarget,
      discriminator: { params: this.disc.numParameters(), generatorSide: 'feature-matching', own: 'bce-eq-A.5' },
    };
  }
}

/** 'progressive-bucket', 'clip-infonce', 'vicreg', 'byol': the paper's architecture with each alignment term. */
export function createProgressiveTask(method: 'progressive-bucket' | 'clip-infonce' | 'vicreg' | 'byol', parts: FrozenParts, options: Partial<AlignOptions>): ProgressiveTask {
  const align: Record<typeof method, AlignLossKind> = { 'progressive-bucket': 'bucket', 'clip-infonce': 'infonce', vicreg: 'vicreg', byol: 'byol' };
  return new ProgressiveTask(method, parts, options, { align: align[method] });
}
