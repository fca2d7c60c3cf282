/**
 * The training task of every video autoencoder: the paper's video WAE objective (Appendix A.2,
 * eqs. A.1–A.5), with the terms each architecture does not use switched off by a zero weight.
 *
 * Symbols (paper → config key):
 *   λ_pixel = 10   l1Weight       ‖x − y‖₁, the pixel term of c(x, y) (eq. A.2)
 *                  l2Weight       ‖x − y‖₂² (ours, 0 in the paper's cost; see the presets)
 *                  l1Start        steps before the L1 term enters (ours, 0 in the paper; see the presets)
 *                  decodedStart   step from which the pixel terms see the output as decode() returns
 *                                 it, clamped to [0, 1] (ours; −1 = never, as the paper)
 *   λ_f     = 10   featWeight     ‖f_Dv(x) − f_Dv(y)‖₁, D_v feature matching (eq. A.2)
 *   λ_p = 0.0025   perceptualWeight
 *                                 ‖VGG(x) − VGG(y)‖₂², frozen VGG19 at block4_conv3 and block5_conv4
 *                                 (eq. A.2; vgg19.ts: the mean squared difference of each tap,
 *                                 summed), only when vggDir names a folder of torchvision's VGG19
 *                                 weights (the paper: "optional when weights exist")
 *                  vggDir         that folder ('' = none: the term is off, nothing is loaded)
 *                  domainFeatWeight, domainFeatDir
 *                                 (ours) L1 match of a frozen domain video tower's stage outputs
 *                                 (domain-features.ts): the perceptual term's stand-in where no
 *                                 VGG19 exists; the tower is its own domain-model run, never a judge
 *   λ_z     = 5    latentWeight   L_f, feature matching on D_z (eq. A.4), the encoder's only
 *                                 latent term (the paper drops the encoder–D_z min-max)
 *                  advWeight = 1  non-saturating adversarial term −log D_v(y) for E_v and G
 *                                 (ours: the L_Dv of eq. A.3 as seen by the autoencoder; weight
 *                                 1 as pix2pixHD's GAN term beside its ×10 feature matching —
 *                                 with λ_z = 5 on it, L1 tripled within 40 steps of D_v joining)
 *                  discWeight     weight of the discriminators' own losses L_Dz (eq. A.5) and L_Dv
 *                  klWeight       β·KL(q(z|x) ‖ N(0, I)) (VAE; 0 for the WAE)
 *   s              priorStd       prior p(z) = N(0, s² I)
 *
 * One training step (all three networks see the same forward pass, as a sequential G-then-D
 * update on the same batch would):
 *   1. z ~ q(z|x) by reparameterisation; y = G(z).
 *   2. Autoencoder loss: λ_pixel·L1 + λ_f·feature L1 + λ_p·perceptual + advWeight·adv + λ_z·L_f
 *      + β·KL, where D_v, D_z and VGG19 are run with their parameters frozen so only E_v and G
 *      receive these gradients.
 *   3. Discriminator losses (eq. A.5 and its video twin, binary cross-entropy on logits) on
 *      detached inputs, so only D_v and D_z receive them.
 *   4. One backward of the sum; per network: ctx.syncGrads, clip to ctx.clipNorm, Adam step.
 *
 * Feature matching on D_z (eq. A.4) compares the batch means of f_Dz over prior samples and codes
 * (Salimans et al. 2016 §3.1): the pairwise form E‖f(z̃) − f(z)‖² would pull every code to one
 * point. Ours as well: D_v features are every intermediate layer of every scale, L1 averaged.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { Module } from '../../nn/index.js';
import { Adam, clipGradNorm, type OptimizerLike } from '../../optim/index.js';
import type { Batch } from '../../data/loader.js';
import type { StepContext, TrainTask, ValidationAids } from '../../train/types.js';
import type { EvalVideo } from '../../metrics/types.js';
import { judgeOutputs } from '../../metrics/judge.js';
import { videosFromTensor } from '../../media/tensor-video.js';
import { klStdNormal, samplePosterior } from '../blocks/index.js';
import { LatentDiscriminator, MultiscalePatchDiscriminator3d, type DiscOutput } from './discriminators.js';
import { toSigned, toUnit, type VideoAeBase } from './base.js';
import { checkNonNegative, checkInt } from './config.js';
import { loadVgg19, type Vgg19Features } from '../vgg19.js';
import { loadDomainFeatures, type DomainFeatures } from '../domain-features.js';

export interface LossConfig {
  l1Weight: number;
  l2Weight: number;
  featWeight: number;
  advWeight: number;
  latentWeight: number;
  discWeight: number;
  klWeight: number;
  priorStd: number;
  /** Steps before D_v enters the autoencoder loss and starts training. */
  discStart: number;
  /**
   * Steps before the L1 pixel term enters (ours; 0 = from the start, as the paper). On sparse
   * digit videos L1 from step 0 holds the decoder at all-black (its median); the squared error
   * alone moves the code off that plateau, then L1 sharpens and blackens the background.
   */
  l1Start: number;
  /**
   * Step from which the pixel terms (L1, L2) measure the output as `decode()` returns it, clamped
   * to [0, 1], instead of the raw linear output (ours; −1 = never, the paper's cost). Where the
   * clamp would cut the gradient towards the target (y < 0 with x > 0, or y > 1 with x < 1) the
   * raw value is kept, so no pixel stops learning. Why: PSNR and SSIM score the clamped output,
   * and on a black background the raw losses hold the output at 0 from both sides, so half of the
   * background is a faint positive haze after clamping. SSIM's luminance term with C1 = 1e-4 is
   * ≈ 0.5 for a window of mean 0.01 against black, so that haze alone kept SSIM below the
   * all-black video's 0.81. With the clamped loss, negative background costs nothing and the
   * haze can sink below 0.
   */
  decodedStart: number;
  /**
   * Foreground weight of the pixel terms (ours; 0 = the paper's plain means): each pixel's L1 and
   * squared error is weighted by 1 + inkWeight·max(x, ŷ), x the target and ŷ the output clamped
   * to [0, 1] (no gradient through the weight), so pixels where either video has ink count up to
   * (1 + inkWeight)× the empty background. On sparse digit videos (≈ 5 % ink) the plain means are
   * dominated by the background: a blurred blob at the right place scores nearly as well as the
   * digit (measured: 3DConv-Base at 64×64 after 3200 steps reconstructed motion but not the
   * digit, digit accuracy 0.16 against chance 0.10). Weighting by the target alone rewards a
   * filled blob over the digit (its stray ink would cost 1 where the ink it covers earns more;
   * seen: solid blobs after 1200 steps), hence the max.
   */
  inkWeight: number;
  /**
   * Weight of the image gradient difference loss (ours; Mathieu et al. 2016, "Deep multi-scale
   * video prediction beyond mean square error", eq. 5 with α = 1): the mean over frames of
   * | |x_{i,j} − x_{i−1,j}| − |y_{i,j} − y_{i−1,j}| | plus the same along j. It is zero for the
   * blurred blob only where the target has no edges, so it asks for the digit's strokes, where the
   * pixel means are content with a blob. 0 = off (the paper's cost).
   */
  gdlWeight: number;
  discChannels: number;
  discLayers: number;
  discScales: number;
  latentDiscHidden: number;
  latentDiscLayers: number;
  /** Weight of the VGG19 perceptual term (the paper's 0.0025); active only with `vggDir`. */
  perceptualWeight: number;
  /**
   * Folder (or file) of VGG19 weights with torchvision's `features.*` keys for the perceptual
   * term ('' = none). Recorded in the run's config; `t2v train ae --vgg DIR` sets it.
   */
  vggDir: string;
  /** Weight of the domain-feature perceptual term (ours); active only with `domainFeatDir`. */
  domainFeatWeight: number;
  /**
   * Folder of a domain model (`t2v train domain`, its own seed) whose frozen video tower gives the
   * domain-feature term ('' = none). Never the evaluation domain model or probe of the same study.
   */
  domainFeatDir: string;
  /**
   * Draw z ~ q(z|x) by reparameterisation (true, the paper) or use the posterior mean (false: a
   * deterministic step, e.g. to check that data-parallel training equals single-process training).
   */
  samplePosterior: boolean;
}

/** The paper's WAE weights (Appendix A.3.3). */
export const WAE_LOSS: LossConfig = {
  l1Weight: 10, l2Weight: 0, featWeight: 10, advWeight: 1, latentWeight: 5, discWeight: 5, klWeight: 0, priorStd: 1, discStart: 0, l1Start: 0, decodedStart: -1, inkWeight: 0, gdlWeight: 0,
  perceptualWeight: 0.0025, vggDir: '', domainFeatWeight: 10, domainFeatDir: '', discChannels: 16, discLayers: 3, discScales: 2, latentDiscHidden: 256, latentDiscLayers: 3, samplePosterior: true,
};

/** Per-video reconstruction metrics, (B) values each. */
export interface ReconMetrics {
  psnr(a: Tensor, b: Tensor): Float64Array;
  ssim(a: Tensor, b: Tensor): Float64Array;
}

export function checkLoss(l: LossConfig): void {
  for (const k of ['l1Weight', 'l2Weight', 'featWeight', 'advWeight', 'latentWeight', 'discWeight', 'klWeight', 'perceptualWeight', 'domainFeatWeight', 'discStart', 'l1Start', 'inkWeight', 'gdlWeight'] as const) checkNonNegative(l[k], k);
  if (!(Number.isInteger(l.decodedStart) && l.decodedStart >= -1)) throw new Error(`model.decodedStart: must be an integer step ≥ 0, or −1 for never, got ${l.decodedStart}`);
  if (!(l.priorStd > 0)) throw new Error(`model.priorStd: must be > 0, got ${l.priorStd}`);
  for (const k of ['discChannels', 'discLayers', 'discScales', 'latentDiscHidden', 'latentDiscLayers'] as const) checkInt(l[k], k);
}

const bceWith = (logits: Tensor, target: 0 | 1): Tensor =>
  T.binaryCrossEntropyWithLogits(logits, target === 1 ? T.onesLike(logits) : T.zerosLike(logits)); // ()

const meanOf = (xs: Tensor[]): Tensor => T.stack(xs).mean(); // ()

export class AeTask implements TrainTask {
  readonly kind: string;
  readonly ae: VideoAeBase;
  readonly loss: LossConfig;
  readonly discV: MultiscalePatchDiscriminator3d | null;
  readonly discZ: LatentDiscriminator | null;
  /** The frozen VGG19 of the perceptual term (null without `vggDir` or with a zero weight); not trained, not saved. */
  readonly vgg: Vgg19Features | null;
  /** The frozen domain video tower of the domain-feature term (null without `domainFeatDir` or with a zero weight). */
  readonly domainFeat: DomainFeatures | null;
  readonly #opts: Record<string, OptimizerLike>;
  readonly #modelConfig: Record<string, unknown>;
  readonly #metrics: ReconMetrics;

  /**
   * @param modelConfig  the resolved `model` section (architecture and loss keys), for describe()
   * @param metrics      PSNR / SSIM used by validate()
   */
  constructor(ae: VideoAeBase, loss: LossConfig, modelConfig: Record<string, unknown>, opts: { lr: number }, metrics: ReconMetrics) {
    checkLoss(loss);
    this.kind = `ae/${ae.arch}`;
    this.ae = ae;
    this.loss = { ...loss };
    this.#modelConfig = { ...modelConfig };
    this.#metrics = metrics;
    // Loaded first, so a bad folder throws before anything else is built (it leaves the RNG as it was).
    this.vgg = loss.perceptualWeight > 0 && loss.vggDir !== '' ? loadVgg19(loss.vggDir) : null;
    try {
      this.domainFeat = loss.domainFeatWeight > 0 && loss.domainFeatDir !== '' ? loadDomainFeatures(loss.domainFeatDir) : null;
      if (this.domainFeat && this.domainFeat.channels !== ae.input[0]) {
        const c = this.domainFeat.channels;
        this.domainFeat.dispose();
        throw new Error(`'${loss.domainFeatDir}' reads ${c}-channel videos but the autoencoder's have ${ae.input[0]}; train the domain model on this data set`);
      }
    } catch (err) {
      this.vgg?.dispose();
      throw new Error(`model.domainFeatDir: ${(err as Error).message}`, { cause: err });
    }
    const C = ae.input[0];
    this.discV = loss.featWeight > 0 || loss.advWeight > 0
      ? new MultiscalePatchDiscriminator3d(C, { channels: loss.discChannels, layers: loss.discLayers, scales: loss.discScales })
      : null;
    const zDim = ae.latentShape(ae.input).reduce((a, b) => a * b, 1);
    this.discZ = loss.latentWeight > 0 ? new LatentDiscriminator(zDim, { hidden: loss.latentDiscHidden, layers: loss.latentDiscLayers }) : null;
    this.#opts = {};
    for (const [name, m] of Object.entries(this.modules())) this.#opts[name] = new Adam(m.parameters(), { lr: opts.lr });
  }

  modules(): Record<string, Module> {
    const out: Record<string, Module> = { ae: this.ae };
    if (this.discV) out.disc_v = this.discV;
    if (this.discZ) out.disc_z = this.discZ;
    return out;
  }

  optimizers(): Record<string, OptimizerLike> {
    return { ...this.#opts };
  }

  emaModules(): Record<string, Module> {
    return { ae: this.ae };
  }

  trainStep(batch: Batch, ctx: StepContext): Record<string, number> {
    this.ae.checkVideo(batch.videos);
    const useDv = this.discV !== null && ctx.step >= this.loss.discStart;
    const figures = T.tidy(() => {
      const decoded = this.loss.decodedStart >= 0 && ctx.step >= this.loss.decodedStart;
      const terms = this.losses(batch.videos, useDv, ctx.step >= this.loss.l1Start, decoded);
      (terms.disc ? terms.ae.add(terms.disc) : terms.ae).backward();
      const out: Record<string, number> = {};
      for (const [k, v] of Object.entries(terms.parts)) out[k] = v.item();
      return out;
    });
    // 4. Per network: all-reduce, clip, step (D_v sits out until discStart).
    for (const [name, m] of Object.entries(this.modules())) {
      if (name === 'disc_v' && !useDv) continue;
      const params = m.parameters();
      ctx.syncGrads(params);
      if (ctx.clipNorm !== null) figures[`gnorm_${name}`] = clipGradNorm(params, ctx.clipNorm);
      this.#opts[name]!.step();
    }
    for (const m of Object.values(this.modules())) m.zeroGrad();
    return figures;
  }

  /**
   * Steps 1–3 on videos x (B, C, T, H, W): `ae`, the autoencoder's loss (its gradients reach
   * E_v and G only), `disc`, the discriminators' (reaching D_v and D_z only; null without them),
   * and the named scalar parts for the log.
   */
  losses(x: Tensor, useDv: boolean, useL1 = true, decoded = false): { ae: Tensor; disc: Tensor | null; parts: Record<string, Tensor> } {
    const L = this.loss;
    const parts: Record<string, Tensor> = {};
    // 1. z ~ q(z|x), y = G(z).
    const post = this.ae.posterior(x); // μ, log σ²: (B, ...latent)
    const z = L.samplePosterior ? samplePosterior(post) : post.mean; // (B, ...latent)
    const raw = this.ae.decodeRaw(z); // (B, C, T, H, W) on the [−1, 1] scale
    // 2. Autoencoder loss.
    const y = decoded ? clampedTowards(toUnit(raw), x) : toUnit(raw); // (B, C, T, H, W) on the [0, 1] scale
    // With inkWeight: w = 1 + inkWeight·max(x, ŷ) and d = y − x, each (B, C, T, H, W).
    const ink = L.inkWeight > 0 ? { w: T.maximum(x, T.detach(T.clamp(y, { min: 0, max: 1 }))).mulScalar(L.inkWeight).addScalar(1), d: y.sub(x) } : null;
    parts.l1 = ink ? ink.d.abs().mul(ink.w).mean() : T.l1Loss(y, x); // () logged before l1Start too
    let ae = parts.l1.mulScalar(useL1 ? L.l1Weight : 0);
    if (L.l2Weight > 0) {
      parts.l2 = ink ? ink.d.square().mul(ink.w).mean() : T.mseLoss(y, x); // ()
      ae = ae.add(parts.l2.mulScalar(L.l2Weight));
    }
    if (L.gdlWeight > 0) {
      parts.gdl = gradientDifference(y, x); // ()
      ae = ae.add(parts.gdl.mulScalar(L.gdlWeight));
    }
    if (L.klWeight > 0) {
      parts.kl = klStdNormal(post); // ()
      ae = ae.add(parts.kl.mulScalar(L.klWeight));
    }
    if (this.vgg) {
      parts.perc = this.vgg.perceptualLoss(x, y); // () the VGG term of eq. A.2; the frozen VGG passes gradients to y only
      ae = ae.add(parts.perc.mulScalar(L.perceptualWeight));
    }
    if (this.domainFeat) {
      parts.dfeat = this.domainFeat.perceptualLoss(x, y); // () frozen tower, gradients reach y only
      ae = ae.add(parts.dfeat.mulScalar(L.domainFeatWeight));
    }
    let disc: Tensor | null = null;
    if (useDv && this.discV) {
      const d = this.discV;
      const fake: DiscOutput = frozen(d, () => d.forward(raw)); // gradients reach y only
      const real = d.forward(toSigned(x));
      const fakeD = d.forward(T.detach(raw));
      parts.feat = meanOf(fake.features.map((f, i) => T.l1Loss(f, T.detach(real.features[i]!)))); // ()
      parts.adv = meanOf(fake.logits.map((l) => bceWith(l, 1))); // ()
      ae = ae.add(parts.feat.mulScalar(L.featWeight)).add(parts.adv.mulScalar(L.advWeight));
      parts.d_v = meanOf(real.logits.map((l, i) => bceWith(l, 1).add(bceWith(fakeD.logits[i]!, 0)))); // ()
      disc = parts.d_v.mulScalar(L.discWeight);
    }
    if (this.discZ) {
      const d = this.discZ;
      const prior = T.randnLike(z).mulScalar(L.priorStd); // z̃ ~ N(0, s² I): (B, ...latent)
      const codes = frozen(d, () => d.forward(z)); // gradients reach E_v only
      const real = d.forward(prior);
      const fakeD = d.forward(T.detach(z));
      parts.lat = T.mseLoss(codes.feature.meanDim(0), T.detach(real.feature.meanDim(0))); // () eq. A.4
      ae = ae.add(parts.lat.mulScalar(L.latentWeight));
      parts.d_z = bceWith(real.logit, 1).add(bceWith(fakeD.logit, 0)); // () eq. A.5
      const dz = parts.d_z.mulScalar(L.discWeight);
      disc = disc ? disc.add(dz) : dz;
    }
    parts.loss = ae;
    return { ae, disc, parts };
  }

  /** Validation makes reconstructions, so the trainer's `valDomain` / `valProbe` apply. */
  readonly validatesVideos = true;

  /**
   * PSNR and SSIM of D(E(x)) against x (mean over videos); with `aids`, also `fvd_domain` and
   * `attribute_accuracy` (+ attr_<key>) of the reconstructions (src/metrics/judge.ts): does
   * the autoencoder keep what the captions say?
   */
  async validate(batches: AsyncIterable<Batch>, aids: ValidationAids = {}): Promise<Record<string, number>> {
    let psnr = 0;
    let ssim = 0;
    let n = 0;
    const judged = aids.domain !== undefined || aids.probe !== undefined;
    const outputs: EvalVideo[] = [];
    const real: EvalVideo[] = [];
    const wasTraining = this.ae.training;
    this.ae.eval();
    try {
      for await (const b of batches) {
        try {
          const [p, s] = T.noGrad(() => T.tidy(() => {
            const y = this.ae.decode(this.ae.encode(b.videos)); // (B, C, T, H, W) in [0, 1]
            if (judged) {
              videosFromTensor(y).forEach((video, i) => outputs.push({ id: b.ids[i]!, prompt: b.captions[i]!, video }));
              videosFromTensor(b.videos).forEach((video, i) => real.push({ id: b.ids[i]!, prompt: b.captions[i]!, video }));
            }
            return [this.#metrics.psnr(y, b.videos), this.#metrics.ssim(y, b.videos)];
          }));
          for (let i = 0; i < p!.length; i++) {
            psnr += p![i]!;
            ssim += s![i]!;
          }
          n += p!.length;
        } finally {
          b.videos.dispose();
        }
      }
    } finally {
      this.ae.train(wasTraining);
    }
    if (n === 0) throw new Error(`${this.kind}: validation got no videos; check the validation split of the data set`);
    return { psnr: psnr / n, ssim: ssim / n, ...(await judgeOutputs(outputs, real, aids)) };
  }

  describe(): Record<string, unknown> {
    const params: Record<string, number> = {};
    for (const [name, m] of Object.entries(this.modules())) params[name] = m.numParameters();
    return { arch: this.ae.arch, input: [...this.ae.input], model: { ...this.#modelConfig }, latentShape: this.ae.latentShape(this.ae.input), params };
  }

  dispose(): void {
    for (const o of Object.values(this.#opts)) o.dispose();
    for (const m of Object.values(this.modules())) m.dispose();
    this.vgg?.dispose();
    this.domainFeat?.dispose();
  }
}

/**
 * y clamped to [0, 1] (as decode() returns it), except where the clamp would stop the gradient
 * towards the target x: y < 0 with x > 0, or y > 1 with x < 1 keep their raw value. (B, C, T, H, W).
 */
export function clampedTowards(y: Tensor, x: Tensor): Tensor {
  return T.tidy(() => {
    const below = T.logicalAnd(T.ltScalar(y, 0), T.gtScalar(x, 0)); // (B, C, T, H, W) bool
    const above = T.logicalAnd(T.gtScalar(y, 1), T.ltScalar(x, 1));
    return T.where(T.logicalOr(below, above), y, T.clamp(y, { min: 0, max: 1 }));
  });
}

/**
 * The image gradient difference loss of Mathieu et al. 2016 (eq. 5, α = 1) between videos y and x
 * (B, C, T, H, W), averaged over pixel pairs: mean | |Δ_H x| − |Δ_H y| | + mean | |Δ_W x| − |Δ_W y| |,
 * Δ_H the difference of vertically adjacent pixels of a frame, Δ_W of horizontally adjacent ones. ()
 */
export function gradientDifference(y: Tensor, x: Tensor): Tensor {
  return T.tidy(() => {
    const along = (v: Tensor, dim: number): Tensor => {
      const n = v.size(dim);
      return T.narrow(v, dim, 1, n - 1).sub(T.narrow(v, dim, 0, n - 1)).abs(); // |Δ| along dim
    };
    const h = along(x, 3).sub(along(y, 3)).abs().mean(); // (B, C, T, H−1, W) → ()
    const w = along(x, 4).sub(along(y, 4)).abs().mean(); // (B, C, T, H, W−1) → ()
    return h.add(w);
  });
}

/** Run `fn` with `m`'s parameters not requiring grad (autograd records the path to the inputs only). */
function frozen<R>(m: Module, fn: () => R): R {
  m.requiresGrad_(false);
  try {
    return fn();
  } finally {
    m.requiresGrad_(true);
  }
}
