/**
 * UNetLDM: the paper's second video autoencoder (Section 4.2, Table 1, Appendix A.3.3), "adapted
 * from Rombach et al. (2022) … extended with 3D convolutional and transposed operations and
 * includes residual blocks and attention mechanisms", d_z = 128: LDM's AutoencoderKL encoder and
 * decoder made 3-D (ldm-coder3d.ts), attention over every (t, h, w) position of the lowest
 * resolution (the mid block; optionally inside the lowest level too).
 *
 * Latent (the paper's z_v is a d_z = 128 vector that the mapping MLP produces and that Fig. 3
 * reduces by PCA): `latent: 'vector'` flattens conv_out's (zChannels, t, h, w) map, applies SiLU
 * and maps it to (μ, log σ²) ∈ R^{2·128} with `fc_moments`; the decoder starts with `fc_z`.
 * `latent: 'spatial'` keeps LDM's spatial latent (zChannels, t, h, w) (not the paper's; for
 * comparison). Keys: encoder.*, decoder.* (LDM's names, see ldm-coder3d.ts), fc_moments.*, fc_z.*.
 *
 * `patch: p > 1` (ours, for CPU budgets; LTX-Video's VAE patchifies the same way): the encoder
 * sees p×p pixel blocks folded into channels, (B, C, T, H, W) → (B, C·p², T, H/p, W/p), and the
 * decoder's C·p² output channels are unfolded back ({@link patchify} / {@link unpatchify}), so
 * the full-resolution level runs at 1/p² of the positions. p = 1 is LDM's layout.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Linear } from '../../nn/index.js';
import { posteriorFromMoments, type Posterior } from '../blocks/index.js';
import { VideoAeBase, toSigned, type VideoShape } from './base.js';
import { Decoder3d, Encoder3d } from './ldm-coder3d.js';

export interface Unet3dConfig {
  /** d_z of the vector latent (paper: 128). */
  latentDim: number;
  /** 'vector' (the paper's) or 'spatial' (LDM's). */
  latent: 'vector' | 'spatial';
  /** Channels of conv_out's latent map. */
  zChannels: number;
  baseChannels: number;
  /** Channel multiplier per level; one 2× down-sampling between consecutive levels. */
  channelMult: number[];
  /** Per down-sampling (levels − 1 entries): also halve time. */
  temporalDown: boolean[];
  numResBlocks: number;
  /** Attention blocks inside the lowest level too (the mid block always has one). */
  attnAtLowest: boolean;
  dropout: number;
  /** Spatial patch size folded into channels before the encoder (1: none). */
  patch: number;
}

export const UNET3D_DEFAULTS: Unet3dConfig = {
  latentDim: 128,
  latent: 'vector',
  zChannels: 8,
  baseChannels: 32,
  channelMult: [1, 2, 4, 4],
  temporalDown: [true, true, true],
  numResBlocks: 1,
  attnAtLowest: false,
  dropout: 0,
  patch: 1,
};

/**
 * Fold p×p pixel blocks into channels: (B, C, T, H, W) → (B, C·p², T, H/p, W/p), channel
 * c·p² + i·p + j holding pixel (i, j) of each block (PyTorch's pixel_unshuffle order per frame).
 */
export function patchify(x: Tensor, p: number): Tensor {
  if (p === 1) return x.clone();
  const [b, c, t, h, w] = x.shape as [number, number, number, number, number];
  return T.tidy(() => x.view([b, c, t, h / p, p, w / p, p]).permute([0, 1, 4, 6, 2, 3, 5]).reshape([b, c * p * p, t, h / p, w / p]));
}

/** The inverse of {@link patchify}: (B, C·p², T, h, w) → (B, C, T, h·p, w·p). */
export function unpatchify(y: Tensor, p: number): Tensor {
  if (p === 1) return y.clone();
  const [b, cp, t, h, w] = y.shape as [number, number, number, number, number];
  const c = cp / (p * p);
  return T.tidy(() => y.view([b, c, p, p, t, h, w]).permute([0, 1, 4, 5, 2, 6, 3]).reshape([b, c, t, h * p, w * p]));
}

export class Unet3dAe extends VideoAeBase {
  readonly arch = 'unet3d' as const;
  readonly config: Record<string, unknown>;
  readonly cfg: Unet3dConfig;
  /** conv_out's latent map (zChannels, t, h, w). */
  readonly zMap: [number, number, number, number];
  readonly encoder: Encoder3d;
  readonly decoder: Decoder3d;
  readonly fcMoments: Linear | null;
  readonly fcZ: Linear | null;

  constructor(input: VideoShape, cfg: Unet3dConfig) {
    super(input);
    this.cfg = checkConfig(input, cfg);
    this.config = { ...cfg };
    const [c, t, h, w] = input;
    const down = cfg.channelMult.length - 1;
    const tf = cfg.temporalDown.reduce((a, d) => a * (d ? 2 : 1), 1);
    const p = cfg.patch;
    this.zMap = [cfg.zChannels, t / tf, (h / p) >> down, (w / p) >> down];
    const vector = cfg.latent === 'vector';
    const o = { ...cfg, midAttention: true, causal: false, pad: 'zeros' as const };
    this.encoder = this.registerModule('encoder', new Encoder3d(c * p * p, vector ? cfg.zChannels : 2 * cfg.zChannels, o));
    this.decoder = this.registerModule('decoder', new Decoder3d(cfg.zChannels, c * p * p, o));
    const flat = this.zMap.reduce((a, b) => a * b, 1);
    this.fcMoments = vector ? this.registerModule('fc_moments', new Linear(flat, 2 * cfg.latentDim)) : null;
    this.fcZ = vector ? this.registerModule('fc_z', new Linear(cfg.latentDim, flat)) : null;
  }

  protected latentShapeFor(): number[] {
    return this.fcMoments ? [this.cfg.latentDim] : [...this.zMap];
  }

  posterior(x: Tensor): Posterior {
    return T.tidy(() => {
      const h = this.encoder.forward(patchify(toSigned(x), this.cfg.patch)); // (B, zC or 2·zC, t, h, w)
      if (!this.fcMoments) return posteriorFromMoments(h); // μ, log σ²: (B, zC, t, h, w)
      return posteriorFromMoments(this.fcMoments.forward(T.silu(h.flatten({ startDim: 1 })))); // μ, log σ²: (B, d_z)
    });
  }

  decodeRaw(z: Tensor): Tensor {
    return T.tidy(() => {
      const map = this.fcZ ? this.fcZ.forward(z).view([z.size(0), ...this.zMap]) : z; // (B, zC, t, h, w)
      return unpatchify(this.decoder.forward(map), this.cfg.patch); // (B, C·p², T, H/p, W/p) → (B, C, T, H, W)
    });
  }
}

function checkConfig(input: VideoShape, cfg: Unet3dConfig): Unet3dConfig {
  const [, t, h, w] = input;
  const L = cfg.channelMult.length;
  if (L === 0) throw new Error('model.channelMult: give at least one level, e.g. [1, 2, 4, 4]');
  if (cfg.temporalDown.length !== L - 1) throw new Error(`model.temporalDown: needs one entry per down-sampling (${L - 1}), got ${cfg.temporalDown.length}`);
  if (cfg.latent !== 'vector' && cfg.latent !== 'spatial') throw new Error(`model.latent: must be 'vector' or 'spatial', got '${String(cfg.latent)}'`);
  const tf = cfg.temporalDown.reduce((a, d) => a * (d ? 2 : 1), 1);
  const p = cfg.patch;
  if (!(Number.isInteger(p) && p >= 1)) throw new Error(`model.patch: must be an integer ≥ 1 (1: no patchify), got ${String(p)}`);
  const f = p * 2 ** (L - 1);
  if (h % f !== 0 || w % f !== 0) throw new Error(`model.channelMult / model.patch: patch ${p} and ${L - 1} down-samplings need H and W divisible by ${f}, got ${h}×${w}`);
  if (t % tf !== 0) throw new Error(`model.temporalDown: time is halved ${Math.log2(tf)} times, but the clips have T = ${t} frames`);
  return cfg;
}
