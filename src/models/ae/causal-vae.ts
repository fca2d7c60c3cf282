/**
 * Causal 3-D VAE with temporal compression, as the VAEs of CogVideoX (Yang et al. 2024,
 * https://arxiv.org/abs/2408.06072 §2.1), HunyuanVideo and Wan 2.1: causal convolutions pad time
 * on the past side only, so latent frame j sees input frames up to its own window and never
 * later ones; the first frame is encoded alone (latent frame 0 depends on frame 0 only), and each
 * later latent frame covers `temporalCompression` frames: T = 1 + 4k frames → 1 + k latent
 * frames. Defaults: 4× time, 8× space, 16 latent channels.
 *
 * Network: the LDM encoder/decoder of ldm-coder3d.ts with `causal: true` — CausalConv3d
 * everywhere (past-side 'replicate' or 'zeros' padding), GroupNorm per frame, per-frame attention
 * in the mid block, CogVideoX's causal resampling (time halved/doubled keeping the first frame
 * alone) in the first log2(temporalCompression) down-samplings.
 *
 * Clip lengths that are not 1 + 4k (ours, for the 16-frame SyncDraw clips): the clip is
 * left-padded with copies of its first frame up to the next 1 + 4k (16 → 17, so latent frame 0 is
 * frame 0 and latent frame j ≥ 1 covers frames 4j − 4 … 4j − 1), and decoding drops as many
 * frames from the front. Latent frame j thus depends on input frames ≤ 4j − p only (p = pad).
 * A 16×64×64×1 clip becomes a (16, 5, 8, 8) latent: 65536 / 5120 = 12.8× fewer values (38.4× for
 * RGB).
 *
 * Keys: encoder.*, decoder.* (LDM's names; causal convs nest weights under `.conv`).
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { posteriorFromMoments, type CausalPad, type Posterior } from '../blocks/index.js';
import { VideoAeBase, toSigned, type VideoShape } from './base.js';
import { Decoder3d, Encoder3d } from './ldm-coder3d.js';

export interface CausalVaeConfig {
  latentChannels: number;
  baseChannels: number;
  /** Channel multiplier per level; log2(spatialCompression) + 1 levels. */
  channelMult: number[];
  /** Space is divided by this (a power of 2): 8 by default. */
  spatialCompression: number;
  /** Time (after the first frame) is divided by this (a power of 2 ≤ spatialCompression): 4. */
  temporalCompression: number;
  numResBlocks: number;
  /** Past-side padding of the causal convolutions. */
  pad: CausalPad;
  /** Per-frame attention in the mid blocks. */
  midAttention: boolean;
  dropout: number;
}

export const CAUSAL_VAE_DEFAULTS: CausalVaeConfig = {
  latentChannels: 16,
  baseChannels: 32,
  channelMult: [1, 2, 4, 4],
  spatialCompression: 8,
  temporalCompression: 4,
  numResBlocks: 1,
  pad: 'replicate',
  midAttention: true,
  dropout: 0,
};

export class CausalVae extends VideoAeBase {
  readonly arch = 'causal-vae' as const;
  readonly config: Record<string, unknown>;
  readonly cfg: CausalVaeConfig;
  /** Copies of frame 0 put in front of each clip (so that T + pad = 1 + k·temporalCompression). */
  readonly framePad: number;
  readonly encoder: Encoder3d;
  readonly decoder: Decoder3d;

  constructor(input: VideoShape, cfg: CausalVaeConfig) {
    super(input);
    this.cfg = checkConfig(input, cfg);
    this.config = { ...cfg };
    const [c, t] = input;
    const tc = cfg.temporalCompression;
    this.framePad = (tc - ((t - 1) % tc)) % tc;
    const downs = cfg.channelMult.length - 1;
    const o = {
      ...cfg, attnAtLowest: false, causal: true,
      temporalDown: Array.from({ length: downs }, (_, i) => i < Math.log2(tc)),
    };
    this.encoder = this.registerModule('encoder', new Encoder3d(c, 2 * cfg.latentChannels, o));
    this.decoder = this.registerModule('decoder', new Decoder3d(cfg.latentChannels, c, o));
  }

  /** Latent frames for the built clip length. */
  get latentFrames(): number {
    return 1 + (this.input[1] + this.framePad - 1) / this.cfg.temporalCompression;
  }

  /** Input values per latent value (e.g. 12.8 for 16×64×64×1 → 16×5×8×8). */
  get compressionRatio(): number {
    const inVals = this.input.reduce((a, b) => a * b, 1);
    return inVals / this.latentShapeFor().reduce((a, b) => a * b, 1);
  }

  protected latentShapeFor(): number[] {
    const s = this.cfg.spatialCompression;
    return [this.cfg.latentChannels, this.latentFrames, this.input[2] / s, this.input[3] / s];
  }

  posterior(x: Tensor): Posterior {
    return T.tidy(() => {
      let h = toSigned(x); // (B, C, T, H, W)
      if (this.framePad > 0) h = T.replicationPad3d(h, [0, 0, 0, 0, this.framePad, 0]); // (B, C, T + pad, H, W)
      return posteriorFromMoments(this.encoder.forward(h)); // μ, log σ²: (B, 16, 1 + k, H/8, W/8)
    });
  }

  decodeRaw(z: Tensor): Tensor {
    return T.tidy(() => {
      const y = this.decoder.forward(z); // (B, C, T + pad, H, W)
      return this.framePad > 0 ? y.narrow(2, this.framePad, this.input[1]) : y; // (B, C, T, H, W)
    });
  }
}

function checkConfig(input: VideoShape, cfg: CausalVaeConfig): CausalVaeConfig {
  const [, , h, w] = input;
  const pow2 = (n: number): boolean => Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
  if (!pow2(cfg.spatialCompression)) throw new Error(`model.spatialCompression: must be a power of 2, got ${cfg.spatialCompression}`);
  if (!pow2(cfg.temporalCompression)) throw new Error(`model.temporalCompression: must be a power of 2, got ${cfg.temporalCompression}`);
  const downs = Math.log2(cfg.spatialCompression);
  if (cfg.channelMult.length !== downs + 1) {
    throw new Error(`model.channelMult: spatialCompression ${cfg.spatialCompression} needs ${downs + 1} levels, got ${cfg.channelMult.length} ([${cfg.channelMult.join(', ')}])`);
  }
  if (Math.log2(cfg.temporalCompression) > downs) {
    throw new Error(`model.temporalCompression: at most spatialCompression (${cfg.spatialCompression}) here, got ${cfg.temporalCompression}`);
  }
  if (h % cfg.spatialCompression !== 0 || w % cfg.spatialCompression !== 0) {
    throw new Error(`model.spatialCompression: H and W (${h}×${w}) must be divisible by ${cfg.spatialCompression}`);
  }
  if (cfg.pad !== 'replicate' && cfg.pad !== 'zeros') throw new Error(`model.pad: must be 'replicate' or 'zeros', got '${String(cfg.pad)}'`);
  return cfg;
}
