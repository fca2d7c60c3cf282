/**
 * Non-progressive alignment (paper §4.2.3, Table 3: "directly aligning the text into the video
 * representation without an intermediary step, considering both our adapted loss and InfoNCE"):
 * M maps z_t straight to z_v; no E_s, G_s or shared space.
 *
 *   ẑ  = M(E_t(t̂))                                            (B, d_zv)
 *   L  = λ_s‖ẑ − z_v‖₁ + λ_pixel‖G(ẑ) − v‖₁ + λ_zs(L_fm(D; z_v, ẑ) + L_align(M(E_t(t)), z_v))
 *
 * Ours (the paper gives no cost for this ablation): the code term takes λ_s = 100, the weight
 * M's output carries in the progressive cost; D (same architecture as D_s, on d_zv) separates
 * z_v from ẑ so that the only difference from the progressive method is the missing shared
 * stage. L_align is the bucket loss ('nonprog-bucket') or InfoNCE ('nonprog-infonce') on
 * (M(E_t(t)), z_v), clean caption as always.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import type { Adam, OptimizerLike } from '../optim/index.js';
import type { Batch } from '../data/loader.js';
import type { StepContext } from '../train/types.js';
import { AlignMlp } from './mlp.js';
import { SharedDiscriminator, featureMatching } from './shared-discriminator.js';
import { createAlignmentLoss, type AlignmentLoss } from './alignment-loss.js';
import { AlignTaskBase, mae, type AlignOptions, type FrozenParts } from './base.js';

export class NonProgressiveTask extends AlignTaskBase {
  /** M: z_t → z_v. */
  readonly mapping: AlignMlp;
  /** D on the video latent. */
  readonly disc: SharedDiscriminator;
  readonly align: AlignmentLoss;
  private readonly gen: Adam;
  private readonly discOpt: Adam;

  constructor(method: 'nonprog-bucket' | 'nonprog-infonce', parts: FrozenParts, options: Partial<AlignOptions>) {
    super(method, parts, options);
    const o = this.options;
    this.mapping = new AlignMlp(this.textDim, this.latentDim, { hidden: o.hidden, dropout: o.dropout });
    this.disc = new SharedDiscriminator(this.latentDim);
    this.align = createAlignmentLoss(method === 'nonprog-bucket' ? 'bucket' : 'infonce', { dim: this.latentDim, temperature: o.temperature, hidden: o.hidden, byolDecay: o.byolDecay, bucketNegatives: o.bucketNegatives });
    this.gen = this.makeAdam([this.mapping]);
    this.discOpt = this.makeAdam([this.disc]);
  }

  protected methodModules(): Record<string, Module> {
    return { mapping: this.mapping, latent_disc: this.disc };
  }

  optimizers(): Record<string, OptimizerLike> {
    return { gen: this.gen, disc: this.discOpt };
  }

  trainStep(batch: Batch, ctx: StepContext): Record<string, number> {
    const o = this.options;
    this.mapping.train();
    this.disc.train();
    return T.tidy(() => {
      // 1. Frozen inputs.
      const zv = this.batchLatents(batch); // (B, d_zv)
      const zt = this.textFeatures(batch.captions); // (B, d_t)
      const ztNoisy = this.noisyFeatures(batch.captions, ctx.step); // (B, d_t)
      // 2. Text straight to the video latent.
      const zhat = this.mapping.forward(ztNoisy); // (B, d_zv)
      const latent = mae(zhat, zv); // ()
      const pixel = this.pixelTerm([zhat], batch.videos, ctx.step); // () or null
      // 3. Divergence: feature matching on D and the alignment term on the clean caption.
      const fm = featureMatching(this.disc.forward(zv).feature, this.disc.forward(zhat).feature); // ()
      const align = this.align.compute(this.mapping.forward(zt), zv, batch.buckets, zv); // ()
      let loss = latent.mulScalar(o.lambdaShared).add(fm.add(align).mulScalar(o.lambdaDiv)); // ()
      if (pixel) loss = loss.add(pixel.mulScalar(o.lambdaPixel));
      // 4. Generator step, then D's own step.
      const gradNorm = this.optimizerStep(this.gen, this.mapping.parameters(), loss, ctx);
      const disc = this.discriminatorStep(this.disc, this.discOpt, zv, zhat, ctx);
      return { loss: loss.item(), latent: latent.item(), ...(pixel ? { pixel: pixel.item() } : {}), fm: fm.item(), align: align.item(), disc, grad_norm: gradNorm };
    });
  }

  protected mapTexts(zt: Tensor): Tensor {
    return this.mapping.forward(zt); // (B, d_zv)
  }

  sharedOfVideos(): null {
    return null;
  }

  sharedOfTexts(): null {
    return null;
  }

  protected describeMethod(): Record<string, unknown> {
    return {
      family: 'non-progressive',
      align: this.align.describe(),
      discriminator: { params: this.disc.numParameters(), space: 'video-latent', generatorSide: 'feature-matching', own: 'bce-eq-A.5' },
    };
  }
}
