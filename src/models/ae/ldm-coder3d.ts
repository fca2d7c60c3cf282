/**
 * The encoder and decoder of LDM's `AutoencoderKL` (Rombach et al. 2022,
 * https://arxiv.org/abs/2112.10752; ldm/modules/diffusionmodules/model.py `Encoder`, `Decoder`)
 * made 3-D, shared by unet3d (centred convolutions, attention over the whole clip) and
 * causal-vae (causal convolutions, per-frame norms and attention, first frame kept alone when
 * time is down-sampled, as CogVideoX's VAE):
 *
 * Encoder: conv_in → per level i: numResBlocks × ResBlock3d (+ attention at the lowest level
 *          when `attnAtLowest`) and a Downsample3d between levels (space 2×, time 2× where
 *          `temporalDown[i]`) → mid (ResBlock, attention, ResBlock) → GroupNorm → SiLU → conv_out.
 * Decoder: conv_in → mid → per level from the lowest: numResBlocks + 1 ResBlocks and an
 *          Upsample3d → GroupNorm → SiLU → conv_out.
 *
 * Keys follow LDM: conv_in, down.{i}.block.{j}, down.{i}.attn.{j}, down.{i}.downsample,
 * mid.block_1, mid.attn_1, mid.block_2, norm_out, conv_out; the decoder's up.{i} mirrors down.{i}
 * (LDM numbers `up` by level) and holds up.{i}.upsample.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Module, ModuleList, type Layer } from '../../nn/index.js';
import { AttnBlock3d, Downsample3d, ResBlock3d, Upsample3d, conv333, norm3d, type CausalPad } from '../blocks/index.js';

export interface CoderOptions {
  baseChannels: number;
  /** Channel multiplier per level; one 2× down-sampling between consecutive levels. */
  channelMult: number[];
  /** Per down-sampling (levels − 1 entries): also halve time. */
  temporalDown: boolean[];
  numResBlocks: number;
  /** Attention blocks inside the lowest level too. */
  attnAtLowest: boolean;
  /** Attention in the mid block. */
  midAttention: boolean;
  dropout: number;
  /** Causal convolutions, per-frame norms and attention, causal resampling. */
  causal: boolean;
  pad: CausalPad;
}

type LayerModule = Module & Layer;

/** One level: ResBlocks, optional attention after each, optional resampler. */
class Level extends Module {
  readonly block: ModuleList<ResBlock3d>;
  readonly attn: ModuleList<AttnBlock3d>;
  readonly resample: LayerModule | null;
  constructor(blocks: ResBlock3d[], attn: AttnBlock3d[], resample: { name: string; m: LayerModule } | null) {
    super();
    this.block = this.registerModule('block', new ModuleList(blocks));
    this.attn = this.registerModule('attn', new ModuleList(attn));
    this.resample = resample ? this.registerModule(resample.name, resample.m) : null;
  }
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      let h = x;
      for (let j = 0; j < this.block.length; j++) {
        h = this.block.at(j).forward(h); // (B, C_i, t, h, w)
        if (this.attn.length > 0) h = this.attn.at(j).forward(h);
      }
      return this.resample ? this.resample.forward(h) : h; // (B, C_i, t', h', w')
    });
  }
}

/** LDM mid block: ResBlock, attention (optional), ResBlock. */
class Mid extends Module {
  readonly block1: ResBlock3d;
  readonly attn1: AttnBlock3d | null;
  readonly block2: ResBlock3d;
  constructor(ch: number, o: CoderOptions) {
    super();
    const rb = { dropout: o.dropout, causal: o.causal, pad: o.pad };
    this.block1 = this.registerModule('block_1', new ResBlock3d(ch, ch, rb));
    this.attn1 = o.midAttention ? this.registerModule('attn_1', new AttnBlock3d(ch, { scope: o.causal ? 'frame' : 'clip' })) : null;
    this.block2 = this.registerModule('block_2', new ResBlock3d(ch, ch, rb));
  }
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      const h = this.block1.forward(x); // (B, C, t, h, w)
      return this.block2.forward(this.attn1 ? this.attn1.forward(h) : h); // (B, C, t, h, w)
    });
  }
}

const widths = (o: CoderOptions): number[] => o.channelMult.map((m) => m * o.baseChannels);

export class Encoder3d extends Module {
  readonly convIn: LayerModule;
  readonly down: ModuleList<Level>;
  readonly mid: Mid;
  readonly normOut: LayerModule;
  readonly convOut: LayerModule;

  constructor(inChannels: number, outChannels: number, o: CoderOptions) {
    super();
    const ch = widths(o);
    const L = ch.length;
    const rb = { dropout: o.dropout, causal: o.causal, pad: o.pad };
    this.convIn = this.registerModule('conv_in', conv333(inChannels, o.baseChannels, o.causal, o.pad));
    this.down = this.registerModule('down', new ModuleList(ch.map((co, i) => {
      const ci = i === 0 ? o.baseChannels : ch[i - 1]!;
      const blocks = Array.from({ length: o.numResBlocks }, (_, j) => new ResBlock3d(j === 0 ? ci : co, co, rb));
      const attn = o.attnAtLowest && i === L - 1 ? blocks.map(() => new AttnBlock3d(co, { scope: o.causal ? 'frame' : 'clip' })) : [];
      const down = i < L - 1 ? { name: 'downsample', m: new Downsample3d(co, { temporal: o.temporalDown[i]!, causal: o.causal }) } : null;
      return new Level(blocks, attn, down);
    })));
    this.mid = this.registerModule('mid', new Mid(ch[L - 1]!, o));
    this.normOut = this.registerModule('norm_out', norm3d(ch[L - 1]!, o.causal));
    this.convOut = this.registerModule('conv_out', conv333(ch[L - 1]!, outChannels, o.causal, o.pad));
  }

  /** x (B, C, T, H, W) on the [−1, 1] scale → (B, outChannels, t, h, w). */
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      let h = this.convIn.forward(x); // (B, C_0, T, H, W)
      for (const level of this.down) h = level.forward(h); // … (B, C_L, t, h, w)
      h = this.mid.forward(h);
      return this.convOut.forward(T.silu(this.normOut.forward(h))); // (B, outChannels, t, h, w)
    });
  }
}

export class Decoder3d extends Module {
  readonly convIn: LayerModule;
  readonly mid: Mid;
  readonly up: ModuleList<Level>;
  readonly normOut: LayerModule;
  readonly convOut: LayerModule;

  constructor(zChannels: number, outChannels: number, o: CoderOptions) {
    super();
    const ch = widths(o);
    const L = ch.length;
    const rb = { dropout: o.dropout, causal: o.causal, pad: o.pad };
    this.convIn = this.registerModule('conv_in', conv333(zChannels, ch[L - 1]!, o.causal, o.pad));
    this.mid = this.registerModule('mid', new Mid(ch[L - 1]!, o));
    // up.{i} mirrors down.{i}: input channels ch[i+1] (ch[L−1] at the lowest), output ch[i];
    // for i > 0 it ends with the up-sampling that undoes down.{i−1}'s.
    this.up = this.registerModule('up', new ModuleList(ch.map((co, i) => {
      const ci = i === L - 1 ? ch[L - 1]! : ch[i + 1]!;
      const blocks = Array.from({ length: o.numResBlocks + 1 }, (_, j) => new ResBlock3d(j === 0 ? ci : co, co, rb));
      const attn = o.attnAtLowest && i === L - 1 ? blocks.map(() => new AttnBlock3d(co, { scope: o.causal ? 'frame' : 'clip' })) : [];
      const up = i > 0 ? { name: 'upsample', m: new Upsample3d(co, { temporal: o.temporalDown[i - 1]!, causal: o.causal, pad: o.pad }) } : null;
      return new Level(blocks, attn, up);
    })));
    this.normOut = this.registerModule('norm_out', norm3d(ch[0]!, o.causal));
    this.convOut = this.registerModule('conv_out', conv333(ch[0]!, outChannels, o.causal, o.pad));
  }

  /** z (B, zChannels, t, h, w) → (B, outChannels, T, H, W) on the [−1, 1] scale (unbounded). */
  forward(z: Tensor): Tensor {
    return T.tidy(() => {
      let h = this.mid.forward(this.convIn.forward(z)); // (B, C_L, t, h, w)
      for (let i = this.up.length - 1; i >= 0; i--) h = this.up.at(i).forward(h); // … (B, C_0, T, H, W)
      return this.convOut.forward(T.silu(this.normOut.forward(h))); // (B, outChannels, T, H, W)
    });
  }
}
