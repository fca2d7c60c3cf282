/**
 * The alignment term L_align of the stage-2 cost, swappable per method (paper eq. 3 uses the
 * bucket loss; §4.2.2 and §4.2.3 swap in InfoNCE, VICReg and BYOL):
 *
 *   'bucket'   eq. 4 on (text, video) with the batch's caption bucket ids (α = 2, λ_neg = λ_pos = 1)
 *   'infonce'  symmetric InfoNCE with a fixed temperature τ (ours: 0.07, CLIP's initial value;
 *              CLIP learns it)
 *   'vicreg'   VICReg (λ = μ = 25, ν = 1) between the text and video shared codes
 *   'byol'     BYOL with the text branch online (a predictor MLP q on M's output) and the video
 *              branch as target: an EMA copy of E_s, no gradient (paper §4.2.3: "each stream …
 *              as a data modality stream"). Predictor (ours): Linear(d, h)-LayerNorm-Swish-
 *              Linear(h, d) (BYOL's MLP with LayerNorm for BatchNorm); EMA decay τ = 0.99.
 *
 * The bucket loss normalises its inter-bucket term as `bucketNegatives` says ('mean' by default,
 * ours; bucket-loss.ts shows why eq. 4 as printed collapses).
 *
 * `text` is always M(E_t(t)) of the *clean* caption (the bucket ids come from it), `video` the
 * matching video-side code (E_s(z_v), or z_v itself for the non-progressive methods).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { LayerNorm, Linear, Module, Sequential, SiLU, type Layer } from '../nn/index.js';
import { bucketLoss, type BucketNegatives } from './bucket-loss.js';
import { infoNce } from './infonce.js';
import { vicReg } from './vicreg.js';
import { byolLoss } from './byol.js';

export type AlignLossKind = 'bucket' | 'infonce' | 'vicreg' | 'byol';
export const ALIGN_LOSS_KINDS: readonly AlignLossKind[] = ['bucket', 'infonce', 'vicreg', 'byol'];

export interface AlignLossOptions {
  /** Width of the shared codes. */
  dim: number;
  /** InfoNCE temperature τ. */
  temperature: number;
  /** BYOL predictor hidden width. */
  hidden: number;
  /** BYOL target EMA decay τ. */
  byolDecay: number;
  /** The bucket loss's inter-bucket normalisation (AlignOptions.bucketNegatives). */
  bucketNegatives: BucketNegatives;
  /** BYOL: the video-branch network whose EMA copy is the target (E_s). */
  videoEncoder?: Module & Layer;
  /** BYOL: builds an untrained module of E_s's architecture (the target's shell). */
  makeVideoEncoder?: () => Module & Layer;
}

export interface AlignmentLoss {
  readonly kind: AlignLossKind;
  /** Modules trained with the mapping (added to the generator optimizer), by checkpoint name. */
  trainable(): Record<string, Module>;
  /** Modules saved with the run but not trained by an optimizer (BYOL's target). */
  untrained(): Record<string, Module>;
  /** text (B, d) clean-caption codes, video (B, d), buckets (B), videoInput (B, d_in) the video branch's input → (). */
  compute(text: Tensor, video: Tensor, buckets: Int32Array, videoInput: Tensor): Tensor;
  /** After the optimizer step (BYOL: EMA update of the target). */
  afterStep(): void;
  describe(): Record<string, unknown>;
}

class SimpleLoss implements AlignmentLoss {
  constructor(readonly kind: 'bucket' | 'infonce' | 'vicreg', private readonly temperature: number, private readonly negatives: BucketNegatives) {}
  trainable(): Record<string, Module> {
    return {};
  }
  untrained(): Record<string, Module> {
    return {};
  }
  compute(text: Tensor, video: Tensor, buckets: Int32Array): Tensor {
    switch (this.kind) {
      case 'bucket':
        return bucketLoss(text, video, buckets, { negatives: this.negatives }); // ()
      case 'infonce':
        return infoNce(text, video, this.temperature); // ()
      case 'vicreg':
        return vicReg(text, video); // ()
    }
  }
  afterStep(): void {}
  describe(): Record<string, unknown> {
    if (this.kind === 'bucket') return { kind: 'bucket', alpha: 2, lambdaNeg: 1, lambdaPos: 1, negatives: this.negatives };
    if (this.kind === 'infonce') return { kind: 'infonce', temperature: this.temperature };
    return { kind: 'vicreg', lambda: 25, mu: 25, nu: 1 };
  }
}

class ByolLoss implements AlignmentLoss {
  readonly kind = 'byol' as const;
  readonly predictor: Sequential;
  readonly target: Module & Layer;

  constructor(private readonly online: Module & Layer, makeTarget: () => Module & Layer, dim: number, private readonly hidden: number, private readonly decay: number) {
    this.predictor = new Sequential(new Linear(dim, hidden), new LayerNorm([hidden]), new SiLU(), new Linear(hidden, dim));
    this.target = makeTarget();
    T.noGrad(() => {
      const src = online.parameters();
      this.target.parameters().forEach((p, i) => p.copy_(src[i]!));
    });
    this.target.requiresGrad_(false);
    this.target.eval();
  }
  trainable(): Record<string, Module> {
    return { byol_predictor: this.predictor };
  }
  untrained(): Record<string, Module> {
    return { byol_target: this.target };
  }
  compute(text: Tensor, _video: Tensor, _buckets: Int32Array, videoInput: Tensor): Tensor {
    return T.tidy(() => {
      const p = this.predictor.forward(text); // (B, d)
      const z = T.noGrad(() => this.target.forward(videoInput)); // (B, d)
      return byolLoss(p, z); // ()
    });
  }
  /** θ_target ← τ θ_target + (1 − τ) θ_online. */
  afterStep(): void {
    T.tidy(() =>
      T.noGrad(() => {
        const tgt = this.target.parameters();
        T.foreachMulScalar_(tgt, this.decay);
        T.foreachAddList_(tgt, this.online.parameters(), { alpha: 1 - this.decay });
      }),
    );
  }
  describe(): Record<string, unknown> {
    return { kind: 'byol', decay: this.decay, predictorHidden: this.hidden };
  }
}

/** The alignment term of a method. BYOL needs `videoEncoder` and `makeVideoEncoder`. */
export function createAlignmentLoss(kind: AlignLossKind, o: AlignLossOptions): AlignmentLoss {
  if (kind !== 'byol') return new SimpleLoss(kind, o.temperature, o.bucketNegatives);
  if (!o.videoEncoder || !o.makeVideoEncoder) throw new Error('createAlignmentLoss: byol needs the video-branch encoder (videoEncoder, makeVideoEncoder)');
  return new ByolLoss(o.videoEncoder, o.makeVideoEncoder, o.dim, o.hidden, o.byolDecay);
}
