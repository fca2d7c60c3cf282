/**
 * The two discriminators of the video WAE (paper Appendix A.2, Table A.2):
 *
 * D_v, `MultiscalePatchDiscriminator3d`: the pix2pixHD multi-scale patch discriminator
 *   (Wang et al. 2018, https://arxiv.org/abs/1711.11585 §3.2; `NLayerDiscriminator`,
 *   `MultiscaleDiscriminator`) made 3-D: per scale, Conv3d(k 4, s 2) → LeakyReLU(0.2), then
 *   n−1 × [Conv3d(k 4, s 2) → GroupNorm → LeakyReLU], one stride-1 such layer, and a
 *   Conv3d(k 4, s 1) to one logit per patch. Scale s+1 sees the input average-pooled 2× in space
 *   (3×3 window, stride 2, padding not counted). Its intermediate features f_Dv give the feature
 *   matching term of the cost c(x, y) (eq. A.2).
 * D_z, `LatentDiscriminator`: a fully connected network on latent codes (~133k parameters for
 *   d_z = 64 in the paper; ours: 3 hidden layers of 256, 148k), telling prior samples N(0, s²I)
 *   from encoded codes (eq. A.5); the last hidden layer is f_Dz for feature matching (eq. A.4).
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Conv3d, Linear, Module, ModuleList } from '../../nn/index.js';
import { ConvNormAct3d } from '../blocks/index.js';

export interface PatchDiscOptions {
  /** Channels of the first layer (pix2pixHD ndf), doubled per layer up to 8×. */
  channels: number;
  /** Stride-2 layers per scale (pix2pixHD n_layers). */
  layers: number;
  /** Number of scales (pix2pixHD num_D). */
  scales: number;
}

/** Logits and intermediate features of one discriminator pass. */
export interface DiscOutput {
  /** One logit map per scale, each (B, 1, t, h, w). */
  logits: Tensor[];
  /** Intermediate activations of every scale (the last layer's excluded). */
  features: Tensor[];
}

/** One scale of D_v. Keys: layers.{j}.conv/norm.*, out.*. */
class PatchDisc3d extends Module {
  readonly layers: ModuleList<ConvNormAct3d>;
  readonly out: Conv3d;

  constructor(inChannels: number, o: PatchDiscOptions) {
    super();
    const widths = Array.from({ length: o.layers + 1 }, (_, j) => o.channels * Math.min(2 ** j, 8));
    this.layers = this.registerModule('layers', new ModuleList(widths.map((ch, j) => new ConvNormAct3d(j === 0 ? inChannels : widths[j - 1]!, ch, {
      kernel: 4, stride: j < o.layers ? 2 : 1, padding: 2, norm: j === 0 ? 'none' : 'group', act: 'lrelu',
    }))));
    this.out = this.registerModule('out', new Conv3d(widths[o.layers]!, 1, 4, { padding: 2 }));
  }

  /** x (B, C, T, H, W) → logits (B, 1, t, h, w) and the features after each layer. */
  forward(x: Tensor): { logits: Tensor; features: Tensor[] } {
    const features: Tensor[] = [];
    let h = x;
    for (const layer of this.layers) {
      h = layer.forward(h); // (B, C_j, T_j, H_j, W_j)
      features.push(h);
    }
    return { logits: this.out.forward(h), features }; // (B, 1, t, h, w)
  }
}

export class MultiscalePatchDiscriminator3d extends Module {
  readonly opts: PatchDiscOptions;
  readonly scales: ModuleList<PatchDisc3d>;

  constructor(inChannels: number, opts: PatchDiscOptions) {
    super();
    if (!(opts.scales >= 1 && opts.layers >= 1 && opts.channels >= 1)) {
      throw new Error(`model.disc*: the video discriminator needs discScales, discLayers, discChannels ≥ 1, got ${opts.scales}, ${opts.layers}, ${opts.channels}`);
    }
    this.opts = { ...opts };
    this.scales = this.registerModule('scales', new ModuleList(Array.from({ length: opts.scales }, () => new PatchDisc3d(inChannels, opts))));
  }

  /** x (B, C, T, H, W) on the [−1, 1] scale → logits per scale and features. */
  forward(x: Tensor): DiscOutput {
    return T.tidy(() => {
      const logits: Tensor[] = [];
      const features: Tensor[] = [];
      let input = x;
      for (let s = 0; s < this.scales.length; s++) {
        if (s > 0) input = T.avgPool3d(input, [1, 3, 3], { stride: [1, 2, 2], padding: [0, 1, 1], countIncludePad: false }); // (B, C, T, H/2^s, W/2^s)
        const r = this.scales.at(s).forward(input);
        logits.push(r.logits);
        features.push(...r.features);
      }
      return { logits, features };
    });
  }
}

export interface LatentDiscOptions {
  /** Width of the hidden layers. */
  hidden: number;
  /** Number of hidden layers. */
  layers: number;
}

/** D_z. Keys: hidden.{j}.*, out.*. */
export class LatentDiscriminator extends Module {
  readonly hidden: ModuleList<Linear>;
  readonly out: Linear;

  constructor(latentDim: number, o: LatentDiscOptions) {
    super();
    if (!(o.layers >= 1 && o.hidden >= 1)) throw new Error(`model.latentDisc*: need latentDiscLayers and latentDiscHidden ≥ 1, got ${o.layers}, ${o.hidden}`);
    this.hidden = this.registerModule('hidden', new ModuleList(Array.from({ length: o.layers }, (_, j) => new Linear(j === 0 ? latentDim : o.hidden, o.hidden))));
    this.out = this.registerModule('out', new Linear(o.hidden, 1));
  }

  /** z (B, d) → logit (B, 1) and f_Dz (B, hidden), the last hidden activation. */
  forward(z: Tensor): { logit: Tensor; feature: Tensor } {
    return T.tidy(() => {
      let h = z.flatten({ startDim: 1 }); // (B, d)
      for (const l of this.hidden) h = T.leakyRelu(l.forward(h), { negativeSlope: 0.2 }); // (B, hidden)
      return { logit: this.out.forward(h), feature: h }; // (B, 1), (B, hidden)
    });
  }
}
