/**
 * 3DConv-Base: the video WAE of "Towards Bridging the Semantic Spaces of the One-to-Many Mapping
 * in Cross-Modality Text-to-Video Generation" (Section 4.2, Appendix A.2, Tables 1 and A.2): a
 * 3-D extension of DCGAN (Radford et al. 2016) without attention or residual blocks, "although we
 * added skip connections to improve its convergence", with a probabilistic encoder E_v and a
 * vector latent z_v ∈ R^{d_z}, d_z = 64.
 *
 * E_v: S stages of Conv3d(kernel (k_t, 4, 4), stride (s_t, 2, 2)) → GroupNorm → LeakyReLU(0.2)
 *      (no norm on the first, as DCGAN), then a Linear to (μ, log σ²) ∈ R^{2 d_z}.
 * G:   Linear(d_z → C_S·t·h·w) → GroupNorm → ReLU, then S transposed-conv stages back to the
 *      input size, ReLU inside; a linear output (`outputAct: 'none'`, ours, as LDM's decoder) or
 *      DCGAN's tanh. With tanh the black background of moving digits drives the output into
 *      saturation within a few steps under L1 and training stops (seen on SyncDraw).
 * Skip connections (ours: the paper does not say where they go; G must decode z alone, so they
 *      cannot come from the encoder): each up-sampling stage of G adds a shortcut
 *      `skips.i` = nearest up-sampling of a 1×1×1 conv of its input, a skip around the stage, so every
 *      scale has a direct linear path from the previous one.
 *
 * G's input (`decoderInput`): 'fc' (the paper's DCGAN projection: one Linear from z to the
 *      bottleneck map) or 'broadcast' (ours, the spatial broadcast decoder of Watters et al. 2019,
 *      "Spatial Broadcast Decoder", arXiv:1901.07017, at the bottleneck grid): z is tiled over the
 *      (t, h, w) cells with each cell's coordinates in [−1, 1] appended, and a per-cell MLP
 *      (1×1×1 convs d_z + 3 → C_S → C_S → C_S, ReLU between) makes the map. A Linear places a
 *      digit's shape features at its position only through the ReLU after it; the per-cell MLP
 *      computes them as a function of (z, position), which is what "this digit, here" needs.
 *
 * Keys: encoder.{i}.conv/norm.*, to_moments.*, fc.* ('fc') or head.{0,1,2}.* ('broadcast'),
 * fc_norm.*, decoder.{i}.conv/norm.*, skips.{i}.*.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Conv3d, GroupNorm, Linear, ModuleList } from '../../nn/index.js';
import { ConvNormAct3d, normGroups, posteriorFromMoments, type Posterior } from '../blocks/index.js';
import { VideoAeBase, toSigned, type VideoShape } from './base.js';

export interface Conv3dBaseConfig {
  /** d_z, the latent vector size (paper: 64). */
  latentDim: number;
  /** Channels after each stride-2 stage of E_v (G mirrors them). */
  channels: number[];
  /** Time stride of each stage, 1 or 2 (space is always halved). */
  temporalStrides: number[];
  /** Skip connections around G's stages (the paper's). */
  decoderSkips: boolean;
  /** G's output activation: 'tanh' (DCGAN) or 'none' (linear, clamped only by decode()). */
  outputAct: 'tanh' | 'none';
  /** G's input: 'fc' (the paper's Linear projection) or 'broadcast' (spatial broadcast + per-cell MLP). */
  decoderInput: 'fc' | 'broadcast';
}

export const CONV3D_BASE_DEFAULTS: Conv3dBaseConfig = {
  latentDim: 64,
  channels: [32, 64, 128, 256],
  temporalStrides: [2, 2, 2, 2],
  decoderSkips: true,
  outputAct: 'none',
  decoderInput: 'fc',
};

/** Kernel and padding along time for a time stride: (4, 1) halves T exactly, (3, 1) keeps it. */
const timeKernel = (s: number): [number, number] => (s === 2 ? [4, 1] : [3, 1]);

export class Conv3dBase extends VideoAeBase {
  readonly arch = 'conv3d-base' as const;
  readonly config: Record<string, unknown>;
  readonly cfg: Conv3dBaseConfig;
  /** Feature map (C_S, t, h, w) at the bottleneck. */
  readonly bottleneck: [number, number, number, number];
  readonly encoder: ModuleList<ConvNormAct3d>;
  readonly toMoments: Linear;
  readonly fc: Linear | null;
  readonly head: ModuleList<Conv3d> | null;
  readonly fcNorm: GroupNorm;
  readonly decoder: ModuleList<ConvNormAct3d>;
  readonly skips: ModuleList<Conv3d> | null;

  constructor(input: VideoShape, cfg: Conv3dBaseConfig) {
    super(input);
    this.cfg = checkConfig(input, cfg);
    this.config = { ...cfg };
    const [c, t, h, w] = input;
    const S = cfg.channels.length;
    const tOut = cfg.temporalStrides.reduce((a, s) => a / s, t);
    this.bottleneck = [cfg.channels[S - 1]!, tOut, h >> S, w >> S];
    const flat = this.bottleneck.reduce((a, b) => a * b, 1);
    // 1. E_v: strided conv stages, then the moments of q(z|x).
    this.encoder = this.registerModule('encoder', new ModuleList(cfg.channels.map((ch, i) => {
      const [kt, pt] = timeKernel(cfg.temporalStrides[i]!);
      return new ConvNormAct3d(i === 0 ? c : cfg.channels[i - 1]!, ch, {
        kernel: [kt, 4, 4], stride: [cfg.temporalStrides[i]!, 2, 2], padding: [pt, 1, 1], norm: i === 0 ? 'none' : 'group', act: 'lrelu',
      });
    })));
    this.toMoments = this.registerModule('to_moments', new Linear(flat, 2 * cfg.latentDim));
    // 2. G: project z, then transposed-conv stages (mirror of E_v) with skips around each.
    const C_S = this.bottleneck[0];
    this.fc = cfg.decoderInput === 'fc' ? this.registerModule('fc', new Linear(cfg.latentDim, flat)) : null;
    this.head = cfg.decoderInput === 'broadcast'
      ? this.registerModule('head', new ModuleList([new Conv3d(cfg.latentDim + 3, C_S, 1), new Conv3d(C_S, C_S, 1), new Conv3d(C_S, C_S, 1)]))
      : null;
    this.fcNorm = this.registerModule('fc_norm', new GroupNorm(normGroups(C_S), C_S));
    const outCh = (i: number): number => (i === 0 ? c : cfg.channels[i - 1]!); // stage i maps channels[i] → outCh(i)
    const order = cfg.channels.map((_, k) => S - 1 - k); // stages from the bottleneck out
    this.decoder = this.registerModule('decoder', new ModuleList(order.map((i) => {
      const [kt, pt] = timeKernel(cfg.temporalStrides[i]!);
      const last = i === 0;
      return new ConvNormAct3d(cfg.channels[i]!, outCh(i), {
        kernel: [kt, 4, 4], stride: [cfg.temporalStrides[i]!, 2, 2], padding: [pt, 1, 1], transposed: true,
        norm: last ? 'none' : 'group', act: last ? 'none' : 'relu',
      });
    })));
    this.skips = cfg.decoderSkips
      ? this.registerModule('skips', new ModuleList(order.map((i) => new Conv3d(cfg.channels[i]!, outCh(i), 1))))
      : null;
  }

  protected latentShapeFor(): number[] {
    return [this.cfg.latentDim];
  }

  posterior(x: Tensor): Posterior {
    return T.tidy(() => {
      let h = toSigned(x); // (B, C, T, H, W) in [−1, 1]
      for (const stage of this.encoder) h = stage.forward(h); // … → (B, C_S, t, h, w)
      return posteriorFromMoments(this.toMoments.forward(h.flatten({ startDim: 1 }))); // μ, log σ²: (B, d_z)
    });
  }

  decodeRaw(z: Tensor): Tensor {
    return T.tidy(() => {
      const b = z.size(0);
      let h = T.relu(this.fcNorm.forward(this.fc ? this.fc.forward(z).view([b, ...this.bottleneck]) : broadcastInput(this.head!, z, this.bottleneck))); // (B, C_S, t, h, w)
      const S = this.decoder.length;
      for (let k = 0; k < S; k++) {
        let y = this.decoder.at(k).forward(h); // (B, C', 2t or t, 2h, 2w)
        if (this.skips) {
          // A 1×1×1 conv commutes with nearest up-sampling: project first, at the low resolution.
          const skip = T.upsampleNearest3d(this.skips.at(k).forward(h), y.shape.slice(2), null); // (B, C', T', H', W')
          y = y.add(skip); // (B, C', T', H', W')
        }
        h = y;
      }
      return this.cfg.outputAct === 'tanh' ? T.tanh(h) : h; // (B, C, T, H, W) on the [−1, 1] scale
    });
  }
}

/** Spatial broadcast: z tiled over the bottleneck cells with their (t, y, x) coordinates, through the per-cell MLP. */
export function broadcastInput(head: ModuleList<Conv3d>, z: Tensor, [, t, h, w]: [number, number, number, number]): Tensor {
  return T.tidy(() => {
    const b = z.size(0);
    const axis = (n: number): Tensor => T.linspace(-1, 1, n, { device: z.device }); // (n)
    const [ct, cy, cx] = T.meshgrid([axis(t), axis(h), axis(w)], { indexing: 'ij' }); // each (t, h, w)
    const coords = T.stack([ct!, cy!, cx!]).unsqueeze(0).expand([b, 3, t, h, w]); // (B, 3, t, h, w)
    const tiled = z.view([b, z.size(1), 1, 1, 1]).expand([b, z.size(1), t, h, w]); // (B, d_z, t, h, w)
    let x = T.cat([tiled, coords], { dim: 1 }); // (B, d_z + 3, t, h, w)
    for (let i = 0; i < head.length; i++) {
      x = head.at(i).forward(x);
      if (i < head.length - 1) x = T.relu(x);
    }
    return x; // (B, C_S, t, h, w)
  });
}

/** Check that the stages divide the input; errors name the model key. */
function checkConfig(input: VideoShape, cfg: Conv3dBaseConfig): Conv3dBaseConfig {
  const [, t, h, w] = input;
  const S = cfg.channels.length;
  if (S === 0) throw new Error('model.channels: give at least one stage, e.g. [32, 64, 128, 256]');
  if (cfg.temporalStrides.length !== S) throw new Error(`model.temporalStrides: needs one entry per stage (${S}), got ${cfg.temporalStrides.length}`);
  if (cfg.temporalStrides.some((s) => s !== 1 && s !== 2)) throw new Error(`model.temporalStrides: each must be 1 or 2, got [${cfg.temporalStrides.join(', ')}]`);
  const tf = cfg.temporalStrides.reduce((a, s) => a * s, 1);
  if (h % 2 ** S !== 0 || w % 2 ** S !== 0) throw new Error(`model.channels: ${S} stride-2 stages need H and W divisible by ${2 ** S}, got ${h}×${w}`);
  if (t % tf !== 0) throw new Error(`model.temporalStrides: they divide time by ${tf}, but the clips have T = ${t} frames`);
  if (cfg.decoderInput !== 'fc' && cfg.decoderInput !== 'broadcast') throw new Error(`model.decoderInput: must be 'fc' or 'broadcast', got '${String(cfg.decoderInput)}'`);
  if (cfg.outputAct !== 'tanh' && cfg.outputAct !== 'none') throw new Error(`model.outputAct: must be 'tanh' or 'none', got '${String(cfg.outputAct)}'`);
  if (!(cfg.latentDim >= 1)) throw new Error(`model.latentDim: must be ≥ 1, got ${cfg.latentDim}`);
  return cfg;
}
