/**
 * A Latte/DiT-style video diffusion transformer over latent patches.
 *
 * References: Peebles & Xie 2023, "Scalable Diffusion Models with Transformers" (DiT,
 * https://arxiv.org/abs/2212.09748): patchify, adaLN-Zero blocks (§3.2), linear decoder to
 * patches; Ma et al. 2024, "Latte: Latent Diffusion Transformer for Video Generation"
 * (https://arxiv.org/abs/2401.03048), §3.2 variant 1: spatial and temporal transformer blocks
 * interleaved; Chen et al. 2023, PixArt-α (https://arxiv.org/abs/2310.00426): cross-attention to
 * the text tokens between self-attention and the MLP.
 *
 * Shapes: latent x (B, C, T, H, W), patch (pt, ph, pw) → tokens (B, T', S, D) with
 * T' = T/pt, S = (H/ph)(W/pw); fixed sin-cos position embeddings (2-D over the patch grid plus
 * 1-D over time). Block i (i = 0 … 2·depth−1) attends spatially (within a frame, (B·T', S, D))
 * when i is even and temporally (across frames at one position, (B·S, T', D)) when odd:
 *   x ← x + α₁ ⊙ SelfAttn(modulate(LN(x), γ₁, β₁))        (adaLN-Zero, gates α from c)
 *   x ← x + CrossAttn(LN(x), text, mask)                   (over all T'·S tokens at once)
 *   x ← x + α₂ ⊙ MLP(modulate(LN(x), γ₂, β₂))
 * with c = t_embedder(t) + y_embedder(pooled text) (layers/condition.ts). The final layer is
 * adaLN (shift, scale) + a zero-initialised Linear to pt·ph·pw·C values per token, unpatchified.
 *
 * @example
 *   const dit = new DiT([4, 4, 8, 8], 512, { hidden: 64, depth: 1, heads: 2 });
 *   dit.forward(x, t, cond).shape;   // [B, 4, 4, 8, 8]
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Conv3d, LayerNorm, Linear, Module, ModuleList } from '../../nn/index.js';
import { xavierUniform_, zeros_ } from '../../nn/init.js';
import type { TextTokens } from '../../models/conditioning.js';
import { Attention } from '../layers/attention.js';
import { FeedForward } from '../layers/feed-forward.js';
import { AdaLNModulation, gated, modulate } from '../layers/modulation.js';
import { ConditionEmbedder } from '../layers/condition.js';
import { sincosPosEmbed1d, sincosPosEmbed2d } from '../layers/posemb.js';
import { positiveInt, resolveConfig } from './config.js';
import { checkLatent, checkVideoLatent, type Denoiser, type DenoiserForwardOptions } from './types.js';

export interface DiTConfig extends Record<string, number | boolean | string | number[]> {
  /** Token width D. */
  hidden: number;
  /** Number of (spatial, temporal) block pairs. */
  depth: number;
  heads: number;
  /** Patch size (pt, ph, pw) over (T, H, W). */
  patchSize: number[];
  mlpRatio: number;
  /** Sinusoidal features of the timestep. */
  freqDim: number;
}

export const DIT_DEFAULTS: DiTConfig = { hidden: 128, depth: 2, heads: 4, patchSize: [1, 2, 2], mlpRatio: 4, freqDim: 256 };

type BlockMode = 'spatial' | 'temporal';

/** One adaLN-Zero transformer block with factorised self-attention and text cross-attention. */
export class DiTBlock extends Module {
  readonly mode: BlockMode;
  readonly norm1: LayerNorm;
  readonly attn: Attention;
  readonly norm2: LayerNorm;
  readonly crossAttn: Attention;
  readonly norm3: LayerNorm;
  readonly mlp: FeedForward;
  readonly ada: AdaLNModulation;

  constructor(mode: BlockMode, dim: number, heads: number, mlpRatio: number) {
    super();
    this.mode = mode;
    this.norm1 = this.registerModule('norm1', new LayerNorm(dim, { elementwiseAffine: false, eps: 1e-6 }));
    this.attn = this.registerModule('attn', new Attention(dim, heads));
    this.norm2 = this.registerModule('norm2', new LayerNorm(dim, { eps: 1e-6 }));
    this.crossAttn = this.registerModule('cross_attn', new Attention(dim, heads));
    this.norm3 = this.registerModule('norm3', new LayerNorm(dim, { elementwiseAffine: false, eps: 1e-6 }));
    this.mlp = this.registerModule('mlp', new FeedForward(dim, mlpRatio));
    this.ada = this.registerModule('ada', new AdaLNModulation(dim, dim, 6));
  }

  /** Self-attention within frames (spatial) or across frames (temporal) of x (B, T, S, D). */
  #selfAttention(x: Tensor): Tensor {
    const [B, Tn, S, D] = x.shape as [number, number, number, number];
    if (this.mode === 'spatial') return this.attn.forward(x.reshape([B * Tn, S, D])).view([B, Tn, S, D]); // (B, T, S, D)
    const seq = x.permute([0, 2, 1, 3]).reshape([B * S, Tn, D]); // (B·S, T, D)
    return this.attn.forward(seq).view([B, S, Tn, D]).permute([0, 2, 1, 3]); // (B, T, S, D)
  }

  /** x (B, T, S, D), c (B, D), text (B, L, D), mask (B, L) → (B, T, S, D). */
  forward(x: Tensor, c: Tensor, text: Tensor, mask: Tensor): Tensor {
    return T.tidy(() => {
      const [B, Tn, S, D] = x.shape as [number, number, number, number];
      const [shiftMsa, scaleMsa, gateMsa, shiftMlp, scaleMlp, gateMlp] = this.ada.forward(c) as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]; // 6 × (B, D)
      // 1. Factorised self-attention, adaLN-Zero.
      let h = x.add(gated(this.#selfAttention(modulate(this.norm1.forward(x), shiftMsa, scaleMsa)), gateMsa)); // (B, T, S, D)
      // 2. Cross-attention to the text tokens, over every token of the clip.
      const flat = h.reshape([B, Tn * S, D]); // (B, T·S, D)
      h = flat.add(this.crossAttn.forward(this.norm2.forward(flat), text, mask)).view([B, Tn, S, D]); // (B, T, S, D)
      // 3. MLP, adaLN-Zero.
      return h.add(gated(this.mlp.forward(modulate(this.norm3.forward(h), shiftMlp, scaleMlp)), gateMlp)); // (B, T, S, D)
    });
  }
}

export class DiT extends Module implements Denoiser {
  readonly arch = 'dit' as const;
  readonly config: DiTConfig;
  readonly latentShape: readonly number[];
  readonly condDim: number;
  readonly grid: [number, number, number];
  readonly xEmbedder: Conv3d;
  readonly cond: ConditionEmbedder;
  readonly blocks: ModuleList<DiTBlock>;
  readonly normOut: LayerNorm;
  readonly adaOut: AdaLNModulation;
  readonly projOut: Linear;

  /** latentShape (C, T, H, W); condDim the text encoder's width; config overrides DIT_DEFAULTS. */
  constructor(latentShape: readonly number[], condDim: number, config: Record<string, unknown> = {}) {
    super();
    const cfg = resolveConfig(DIT_DEFAULTS, config, 'DiT');
    this.config = cfg;
    this.latentShape = [...latentShape];
    this.condDim = positiveInt(condDim, 'DiT: condDim');
    const [C, Tn, H, W] = checkVideoLatent(latentShape, 'DiT');
    const [pt, ph, pw] = checkPatch(cfg.patchSize, [Tn, H, W]);
    for (const [k, v] of Object.entries({ hidden: cfg.hidden, depth: cfg.depth, heads: cfg.heads })) positiveInt(v, `DiT: model.${k}`);
    if (cfg.hidden % 4 !== 0 || cfg.hidden % cfg.heads !== 0) throw new Error(`DiT: model.hidden (${cfg.hidden}) must be divisible by 4 and by model.heads (${cfg.heads})`);
    this.grid = [Tn / pt, H / ph, W / pw];
    const D = cfg.hidden;
    this.xEmbedder = this.registerModule('x_embedder', new Conv3d(C, D, [pt, ph, pw], { stride: [pt, ph, pw] }));
    this.cond = this.registerModule('cond', new ConditionEmbedder(D, condDim, cfg.freqDim));
    const blocks: DiTBlock[] = [];
    for (let i = 0; i < 2 * cfg.depth; i++) blocks.push(new DiTBlock(i % 2 === 0 ? 'spatial' : 'temporal', D, cfg.heads, cfg.mlpRatio));
    this.blocks = this.registerModule('blocks', new ModuleList(blocks));
    this.normOut = this.registerModule('norm_out', new LayerNorm(D, { elementwiseAffine: false, eps: 1e-6 }));
    this.adaOut = this.registerModule('ada_out', new AdaLNModulation(D, D, 2));
    this.projOut = this.registerModule('proj_out', new Linear(D, pt * ph * pw * C));
    const [gt, gh, gw] = this.grid;
    this.registerBuffer('pos_spatial', sincosPosEmbed2d(D, gh, gw), false); // (S, D)
    this.registerBuffer('pos_temporal', sincosPosEmbed1d(D, gt), false); // (T', D)
    this.#initWeights();
  }

  /** DiT's initialize_weights: xavier-uniform Linears (zero bias), zero adaLN and output projection. */
  #initWeights(): void {
    for (const b of this.blocks) {
      for (const lin of [b.attn.toQ, b.attn.toK, b.attn.toV, b.attn.toOut, b.crossAttn.toQ, b.crossAttn.toK, b.crossAttn.toV, b.crossAttn.toOut, b.mlp.fc1, b.mlp.fc2]) {
        xavierUniform_(lin.weight);
        zeros_(lin.bias!);
      }
    }
    const w = this.xEmbedder.weight; // (D, C, pt, ph, pw): xavier on its (D, C·pt·ph·pw) view
    T.noGrad(() => T.tidy(() => w.copy_(xavierUniform_(T.empty([w.size(0), w.numel / w.size(0)])).view(w.shape))));
    zeros_(this.xEmbedder.bias!);
    zeros_(this.projOut.weight);
    zeros_(this.projOut.bias!);
  }

  forward(x: Tensor, t: Tensor, cond: TextTokens | null, opts: DenoiserForwardOptions = {}): Tensor {
    checkLatent(x, this.latentShape, 'DiT');
    return T.tidy(() => {
      const B = x.size(0);
      const [gt, gh, gw] = this.grid;
      const D = this.config.hidden;
      // 1. Conditioning: c (B, D), projected text (B, L, D) and its mask (B, L).
      const { c, text, mask } = this.cond.forward(t, cond, opts.dropCondition ?? null, x);
      // 2. Patchify and add the position embeddings.
      const patches = this.xEmbedder.forward(x); // (B, D, T', H', W')
      let h = patches.flatten({ startDim: 3 }).permute([0, 2, 3, 1]); // (B, T', S, D)
      const pos = this.buffer('pos_temporal').toLike(h).view([1, gt, 1, D]).add(this.buffer('pos_spatial').toLike(h).view([1, 1, gh * gw, D])); // (1, T', S, D)
      h = h.add(pos); // (B, T', S, D)
      // 3. Interleaved spatial / temporal blocks.
      for (const block of this.blocks) h = block.forward(h, c, text, mask); // (B, T', S, D)
      // 4. Final adaLN and projection to patch values.
      const [shift, scale] = this.adaOut.forward(c) as [Tensor, Tensor]; // 2 × (B, D)
      const out = this.projOut.forward(modulate(this.normOut.forward(h), shift, scale)); // (B, T', S, pt·ph·pw·C)
      // 5. Unpatchify.
      const [C] = this.latentShape as [number];
      const [pt, ph, pw] = this.config.patchSize as [number, number, number];
      const grid = out.reshape([B, gt, gh, gw, pt, ph, pw, C]); // (B, T', H', W', pt, ph, pw, C)
      return T.rearrange(grid, 'b t h w pt ph pw c -> b c (t pt) (h ph) (w pw)'); // (B, C, T, H, W)
    });
  }
}

function checkPatch(p: number[], dims: [number, number, number]): [number, number, number] {
  if (p.length !== 3 || !p.every((v) => Number.isInteger(v) && v > 0)) throw new Error(`DiT: model.patchSize must be three positive integers (pt, ph, pw), got [${p.join(', ')}]`);
  dims.forEach((d, i) => {
    if (d % p[i]! !== 0) throw new Error(`DiT: latent (T, H, W) = (${dims.join(', ')}) is not divisible by model.patchSize (${p.join(', ')})`);
  });
  return p as [number, number, number];
}
