/**
 * A 3-D U-Net denoiser with text cross-attention at low resolution.
 *
 * References: Ronneberger et al. 2015 (U-Net); Ho et al. 2020 / Dhariwal & Nichol 2021 (ADM,
 * https://arxiv.org/abs/2105.05233): ResBlocks with a timestep embedding, skip concatenation;
 * Rombach et al. 2022 (LDM, https://arxiv.org/abs/2112.10752, §3.3): a transformer with
 * cross-attention to the text tokens at chosen resolutions; Ho et al. 2022, "Video Diffusion
 * Models" (https://arxiv.org/abs/2204.03458): the U-Net made 3-D over (T, H, W).
 *
 * Layout, for channel multipliers m_0 … m_{K−1} (level i has channels·m_i channels):
 *   conv_in → for each level: numResBlocks × [ResBlock (+ Transformer if i ∈ attentionLevels)]
 *             then a stride-(1, 2, 2) downsample (not after the last level)
 *   mid: ResBlock, Transformer, ResBlock
 *   up (levels reversed): (numResBlocks + 1) × [concat skip → ResBlock (+ Transformer)], then a
 *             nearest (1, 2, 2) upsample + conv (not after level 0)
 *   out: GroupNorm, SiLU, zero-initialised conv_out
 * ResBlock(x, e): h = conv₁(SiLU(GN(x))) + Linear(SiLU(e)); h = conv₂(dropout(SiLU(GN(h)))); x' + h.
 * Transformer (over the T·H·W tokens of a level): proj_in; self-attention; cross-attention to
 * the projected text (width 4·channels) with the key mask; MLP (pre-LN residuals); zero-initialised proj_out; residual.
 * e = c = t_embedder(t) + y_embedder(pooled) of width 4·channels (layers/condition.ts).
 * Time is never downsampled, so any T works; H and W must be divisible by 2^(K−1).
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Conv3d, Dropout, GroupNorm, LayerNorm, Linear, Module, ModuleList } from '../../nn/index.js';
import { zeros_ } from '../../nn/init.js';
import type { TextTokens } from '../../models/conditioning.js';
import { Attention } from '../layers/attention.js';
import { FeedForward } from '../layers/feed-forward.js';
import { ConditionEmbedder } from '../layers/condition.js';
import { positiveInt, resolveConfig } from './config.js';
import { checkLatent, checkVideoLatent, type Denoiser, type DenoiserForwardOptions } from './types.js';

export interface UNet3DConfig extends Record<string, number | boolean | string | number[]> {
  /** Base channel count (level 0). */
  channels: number;
  channelMults: number[];
  numResBlocks: number;
  /** Levels (indices into channelMults) that get a cross-attention transformer; the middle always has one. */
  attentionLevels: number[];
  heads: number;
  /** GroupNorm groups (reduced to a divisor of each channel count). */
  groups: number;
  dropout: number;
  freqDim: number;
}

export const UNET3D_DEFAULTS: UNet3DConfig = {
  channels: 64, channelMults: [1, 2], numResBlocks: 1, attentionLevels: [1], heads: 4, groups: 8, dropout: 0, freqDim: 256,
};

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
function groupNorm(groups: number, ch: number): GroupNorm {
  return new GroupNorm(gcd(groups, ch), ch, { eps: 1e-6 });
}

/** ADM's ResBlock in 3-D with an additive embedding. */
class ResBlock3D extends Module {
  readonly norm1: GroupNorm;
  readonly conv1: Conv3d;
  readonly embProj: Linear;
  readonly norm2: GroupNorm;
  readonly dropout: Dropout;
  readonly conv2: Conv3d;
  readonly skip: Conv3d | null;

  constructor(cin: number, cout: number, embDim: number, groups: number, dropout: number) {
    super();
    this.norm1 = this.registerModule('norm1', groupNorm(groups, cin));
    this.conv1 = this.registerModule('conv1', new Conv3d(cin, cout, 3, { padding: 1 }));
    this.embProj = this.registerModule('emb_proj', new Linear(embDim, cout));
    this.norm2 = this.registerModule('norm2', groupNorm(groups, cout));
    this.dropout = this.registerModule('dropout', new Dropout(dropout));
    this.conv2 = this.registerModule('conv2', new Conv3d(cout, cout, 3, { padding: 1 }));
    zeros_(this.conv2.weight);
    zeros_(this.conv2.bias!);
    this.skip = cin === cout ? null : this.registerModule('skip', new Conv3d(cin, cout, 1));
  }

  /** x (B, cin, T, H, W), e (B, embDim) → (B, cout, T, H, W). */
  forward(x: Tensor, e: Tensor): Tensor {
    return T.tidy(() => {
      let h = this.conv1.forward(T.silu(this.norm1.forward(x))); // (B, cout, T, H, W)
      h = h.add(this.embProj.forward(T.silu(e)).view([e.size(0), -1, 1, 1, 1])); // (B, cout, T, H, W)
      h = this.conv2.forward(this.dropout.forward(T.silu(this.norm2.forward(h)))); // (B, cout, T, H, W)
      return (this.skip ? this.skip.forward(x) : x).add(h); // (B, cout, T, H, W)
    });
  }
}

/** LDM's SpatialTransformer over all T·H·W positions of a level, with text cross-attention. */
class Transformer3D extends Module {
  readonly norm: GroupNorm;
  readonly projIn: Linear;
  readonly ln1: LayerNorm;
  readonly attn: Attention;
  readonly ln2: LayerNorm;
  readonly crossAttn: Attention;
  readonly ln3: LayerNorm;
  readonly ff: FeedForward;
  readonly projOut: Linear;

  /** ch: the level's channels; contextDim: the width of the projected text states. */
  constructor(ch: number, heads: number, groups: number, contextDim: number) {
    super();
    this.norm = this.registerModule('norm', groupNorm(groups, ch));
    this.projIn = this.registerModule('proj_in', new Linear(ch, ch));
    this.ln1 = this.registerModule('ln1', new LayerNorm(ch));
    this.attn = this.registerModule('attn', new Attention(ch, heads));
    this.ln2 = this.registerModule('ln2', new LayerNorm(ch));
    this.crossAttn = this.registerModule('cross_attn', new Attention(ch, heads, contextDim));
    this.ln3 = this.registerModule('ln3', new LayerNorm(ch));
    this.ff = this.registerModule('ff', new FeedForward(ch, 4));
    this.projOut = this.registerModule('proj_out', new Linear(ch, ch));
    zeros_(this.projOut.weight);
    zeros_(this.projOut.bias!);
  }

  /** x (B, C, T, H, W), text (B, L, contextDim), mask (B, L) → (B, C, T, H, W). */
  forward(x: Tensor, text: Tensor, mask: Tensor): Tensor {
    return T.tidy(() => {
      const [B, C, Tn, H, W] = x.shape as [number, number, number, number, number];
      let h = this.projIn.forward(this.norm.forward(x).flatten({ startDim: 2 }).transpose(1, 2)); // (B, N, C), N = T·H·W
      h = h.add(this.attn.forward(this.ln1.forward(h))); // (B, N, C)
      h = h.add(this.crossAttn.forward(this.ln2.forward(h), text, mask)); // (B, N, C)
      h = h.add(this.ff.forward(this.ln3.forward(h))); // (B, N, C)
      const out = this.projOut.forward(h).transpose(1, 2).reshape([B, C, Tn, H, W]); // (B, C, T, H, W)
      return x.add(out); // (B, C, T, H, W)
    });
  }
}

/** A ResBlock with an optional transformer after it. */
class ResAttn extends Module {
  readonly res: ResBlock3D;
  readonly attn: Transformer3D | null;
  constructor(res: ResBlock3D, attn: Transformer3D | null) {
    super();
    this.res = this.registerModule('res', res);
    this.attn = attn ? this.registerModule('attn', attn) : null;
  }
  forward(x: Tensor, e: Tensor, text: Tensor, mask: Tensor): Tensor {
    return T.tidy(() => {
      const h = this.res.forward(x, e); // (B, C', T, H, W)
      return this.attn ? this.attn.forward(h, text, mask) : h; // (B, C', T, H, W)
    });
  }
}

/** Stride-(1, 2, 2) convolution: (B, C, T, H, W) → (B, C, T, H/2, W/2). */
class Downsample extends Module {
  readonly conv: Conv3d;
  constructor(ch: number) {
    super();
    this.conv = this.registerModule('conv', new Conv3d(ch, ch, 3, { stride: [1, 2, 2], padding: 1 }));
  }
  forward(x: Tensor): Tensor {
    return this.conv.forward(x); // (B, C, T, H/2, W/2)
  }
}

/** Nearest (1, 2, 2) upsampling + conv: (B, C, T, H, W) → (B, C, T, 2H, 2W). */
class Upsample extends Module {
  readonly conv: Conv3d;
  constructor(ch: number) {
    super();
    this.conv = this.registerModule('conv', new Conv3d(ch, ch, 3, { padding: 1 }));
  }
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      const [, , Tn, H, W] = x.shape as [number, number, number, number, number];
      return this.conv.forward(T.interpolate(x, [Tn, 2 * H, 2 * W], 'nearest')); // (B, C, T, 2H, 2W)
    });
  }
}

export class UNet3D extends Module implements Denoiser {
  readonly arch = 'unet3d' as const;
  readonly config: UNet3DConfig;
  readonly latentShape: readonly number[];
  readonly condDim: number;
  readonly cond: ConditionEmbedder;
  readonly convIn: Conv3d;
  readonly down: ModuleList<ResAttn | Downsample>;
  readonly mid: ModuleList<ResAttn>;
  readonly up: ModuleList<ResAttn | Upsample>;
  readonly normOut: GroupNorm;
  readonly convOut: Conv3d;

  constructor(latentShape: readonly number[], condDim: number, config: Record<string, unknown> = {}) {
    super();
    const cfg = resolveConfig(UNET3D_DEFAULTS, config, 'UNet3D');
    this.config = cfg;
    this.latentShape = [...latentShape];
    this.condDim = positiveInt(condDim, 'UNet3D: condDim');
    const [C, , H, W] = checkVideoLatent(latentShape, 'UNet3D');
    const K = cfg.channelMults.length;
    for (const [k, v] of Object.entries({ channels: cfg.channels, numResBlocks: cfg.numResBlocks, heads: cfg.heads, groups: cfg.groups, levels: K })) positiveInt(v, `UNet3D: model.${k}`);
    const f = 2 ** (K - 1);
    if (H % f !== 0 || W % f !== 0) throw new Error(`UNet3D: latent H×W = ${H}×${W} must be divisible by 2^(levels−1) = ${f}; use fewer model.channelMults`);
    const chs = cfg.channelMults.map((m) => positiveInt(cfg.channels * m, 'UNet3D: channels·channelMults'));
    for (const ch of chs) if (ch % cfg.heads !== 0) throw new Error(`UNet3D: level width ${ch} is not divisible by model.heads (${cfg.heads})`);
    const emb = 4 * cfg.channels;
    const attnAt = new Set(cfg.attentionLevels);
    const block = (cin: number, cout: number, level: number | 'mid'): ResAttn =>
      new ResAttn(new ResBlock3D(cin, cout, emb, cfg.groups, cfg.dropout), level === 'mid' || attnAt.has(level) ? new Transformer3D(cout, cfg.heads, cfg.groups, emb) : null);
    this.cond = this.registerModule('cond', new ConditionEmbedder(emb, condDim, cfg.freqDim));
    this.convIn = this.registerModule('conv_in', new Conv3d(C, chs[0]!, 3, { padding: 1 }));
    // Down path, recording each skip's channel count.
    const skips = [chs[0]!];
    const down: (ResAttn | Downsample)[] = [];
    let cur = chs[0]!;
    chs.forEach((ch, i) => {
      for (let r = 0; r < cfg.numResBlocks; r++) (down.push(block(cur, ch, i)), (cur = ch), skips.push(cur));
      if (i < K - 1) (down.push(new Downsample(cur)), skips.push(cur));
    });
    this.down = this.registerModule('down', new ModuleList(down));
    this.mid = this.registerModule('mid', new ModuleList([block(cur, cur, 'mid'), new ResAttn(new ResBlock3D(cur, cur, emb, cfg.groups, cfg.dropout), null)]));
    // Up path, consuming the skips in reverse.
    const up: (ResAttn | Upsample)[] = [];
    for (let i = K - 1; i >= 0; i--) {
      for (let r = 0; r <= cfg.numResBlocks; r++) (up.push(block(cur + skips.pop()!, chs[i]!, i)), (cur = chs[i]!));
      if (i > 0) up.push(new Upsample(cur));
    }
    this.up = this.registerModule('up', new ModuleList(up));
    this.normOut = this.registerModule('norm_out', groupNorm(cfg.groups, cur));
    this.convOut = this.registerModule('conv_out', new Conv3d(cur, C, 3, { padding: 1 }));
    zeros_(this.convOut.weight);
    zeros_(this.convOut.bias!);
  }

  forward(x: Tensor, t: Tensor, cond: TextTokens | null, opts: DenoiserForwardOptions = {}): Tensor {
    checkLatent(x, this.latentShape, 'UNet3D');
    return T.tidy(() => {
      // 1. Conditioning: e (B, 4·channels), projected text (B, L, 4·channels), mask (B, L).
      const { c: e, text, mask } = this.cond.forward(t, cond, opts.dropCondition ?? null, x);
      // 2. Down path, keeping every skip.
      let h = this.convIn.forward(x); // (B, ch0, T, H, W)
      const hs: Tensor[] = [h];
      for (const m of this.down) {
        h = m instanceof Downsample ? m.forward(h) : m.forward(h, e, text, mask); // (B, ch_i, T, H_i, W_i)
        hs.push(h);
      }
      // 3. Middle.
      for (const m of this.mid) h = m.forward(h, e, text, mask); // (B, ch_K, T, H_K, W_K)
      // 4. Up path with skip concatenation.
      for (const m of this.up) {
        h = m instanceof Upsample ? m.forward(h) : m.forward(T.cat([h, hs.pop()!], { dim: 1 }), e, text, mask); // (B, ch_i, T, H_i, W_i)
      }
      // 5. Output head.
      return this.convOut.forward(T.silu(this.normOut.forward(h))); // (B, C, T, H, W)
    });
  }
}
