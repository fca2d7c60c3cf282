/**
 * A residual-MLP denoiser for vector latents, e.g. the 3DConv-Base WAE's d_z = 64 code.
 *
 * The latent (B, ...latentShape) is flattened to z (B, d). A width-D stream
 *   h = W_in z
 * passes `depth` blocks, each (adaLN-Zero as DiT, Peebles & Xie 2023 §3.2, with c = t_embedder(t)
 * + y_embedder(pooled text); cross-attention as PixArt-α, with h as a single query token):
 *   h ← h + CrossAttn(LN(h)[:, None], text, mask)[:, 0]
 *   h ← h + α ⊙ MLP(modulate(LN(h), γ, β))
 * and a final adaLN + zero-initialised Linear back to d. This is the MLP of the joint family's
 * mapping networks (method.md) made residual and conditioned, in the manner of the diffusion
 * priors over embeddings (Ramesh et al. 2022, DALL·E 2 prior, https://arxiv.org/abs/2204.06125).
 *
 * @example
 *   const mlp = new MLPDenoiser([64], 512, { hidden: 256, depth: 3 });
 *   mlp.forward(z, t, cond).shape;   // [B, 64]
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { LayerNorm, Linear, Module, ModuleList } from '../../nn/index.js';
import { xavierUniform_, zeros_ } from '../../nn/init.js';
import type { TextTokens } from '../../models/conditioning.js';
import { Attention } from '../layers/attention.js';
import { FeedForward } from '../layers/feed-forward.js';
import { AdaLNModulation, gated, modulate } from '../layers/modulation.js';
import { ConditionEmbedder } from '../layers/condition.js';
import { positiveInt, resolveConfig } from './config.js';
import { checkLatent, type Denoiser, type DenoiserForwardOptions } from './types.js';

export interface MLPDenoiserConfig extends Record<string, number | boolean | string | number[]> {
  hidden: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  /** Cross-attention to the text tokens in every block (false: pooled text only, through adaLN). */
  crossAttention: boolean;
  freqDim: number;
}

export const MLP_DEFAULTS: MLPDenoiserConfig = { hidden: 256, depth: 4, heads: 4, mlpRatio: 2, crossAttention: true, freqDim: 256 };

class MLPBlock extends Module {
  readonly normCross: LayerNorm | null;
  readonly crossAttn: Attention | null;
  readonly norm: LayerNorm;
  readonly mlp: FeedForward;
  readonly ada: AdaLNModulation;

  constructor(dim: number, heads: number, mlpRatio: number, cross: boolean) {
    super();
    this.normCross = cross ? this.registerModule('norm_cross', new LayerNorm(dim, { eps: 1e-6 })) : null;
    this.crossAttn = cross ? this.registerModule('cross_attn', new Attention(dim, heads)) : null;
    this.norm = this.registerModule('norm', new LayerNorm(dim, { elementwiseAffine: false, eps: 1e-6 }));
    this.mlp = this.registerModule('mlp', new FeedForward(dim, mlpRatio));
    this.ada = this.registerModule('ada', new AdaLNModulation(dim, dim, 3));
  }

  /** h (B, D), c (B, D), text (B, L, D), mask (B, L) → (B, D). */
  forward(h: Tensor, c: Tensor, text: Tensor, mask: Tensor): Tensor {
    return T.tidy(() => {
      let x = h;
      if (this.crossAttn && this.normCross) {
        x = x.add(this.crossAttn.forward(this.normCross.forward(x).unsqueeze(1), text, mask).squeezeDim(1)); // (B, D)
      }
      const [shift, scale, gate] = this.ada.forward(c) as [Tensor, Tensor, Tensor]; // 3 × (B, D)
      return x.add(gated(this.mlp.forward(modulate(this.norm.forward(x), shift, scale)), gate)); // (B, D)
    });
  }
}

export class MLPDenoiser extends Module implements Denoiser {
  readonly arch = 'mlp' as const;
  readonly config: MLPDenoiserConfig;
  readonly latentShape: readonly number[];
  readonly condDim: number;
  readonly features: number;
  readonly projIn: Linear;
  readonly cond: ConditionEmbedder;
  readonly blocks: ModuleList<MLPBlock>;
  readonly normOut: LayerNorm;
  readonly adaOut: AdaLNModulation;
  readonly projOut: Linear;

  /** latentShape: any shape (flattened), typically [d_z]; condDim: the text encoder's width. */
  constructor(latentShape: readonly number[], condDim: number, config: Record<string, unknown> = {}) {
    super();
    const cfg = resolveConfig(MLP_DEFAULTS, config, 'MLPDenoiser');
    this.config = cfg;
    if (latentShape.length === 0 || !latentShape.every((d) => Number.isInteger(d) && d > 0)) throw new Error(`MLPDenoiser: latentShape must be positive integers, got [${latentShape.join(', ')}]`);
    this.latentShape = [...latentShape];
    this.condDim = positiveInt(condDim, 'MLPDenoiser: condDim');
    for (const [k, v] of Object.entries({ hidden: cfg.hidden, depth: cfg.depth, heads: cfg.heads })) positiveInt(v, `MLPDenoiser: model.${k}`);
    if (cfg.hidden % cfg.heads !== 0) throw new Error(`MLPDenoiser: model.hidden (${cfg.hidden}) must be divisible by model.heads (${cfg.heads})`);
    this.features = latentShape.reduce((a, b) => a * b, 1);
    const D = cfg.hidden;
    this.projIn = this.registerModule('proj_in', new Linear(this.features, D));
    this.cond = this.registerModule('cond', new ConditionEmbedder(D, condDim, cfg.freqDim));
    this.blocks = this.registerModule('blocks', new ModuleList(Array.from({ length: cfg.depth }, () => new MLPBlock(D, cfg.heads, cfg.mlpRatio, cfg.crossAttention))));
    this.normOut = this.registerModule('norm_out', new LayerNorm(D, { elementwiseAffine: false, eps: 1e-6 }));
    this.adaOut = this.registerModule('ada_out', new AdaLNModulation(D, D, 2));
    this.projOut = this.registerModule('proj_out', new Linear(D, this.features));
    for (const b of this.blocks) {
      const lins = [b.mlp.fc1, b.mlp.fc2, ...(b.crossAttn ? [b.crossAttn.toQ, b.crossAttn.toK, b.crossAttn.toV, b.crossAttn.toOut] : [])];
      for (const lin of lins) (xavierUniform_(lin.weight), zeros_(lin.bias!));
    }
    zeros_(this.projOut.weight);
    zeros_(this.projOut.bias!);
  }

  forward(x: Tensor, t: Tensor, cond: TextTokens | null, opts: DenoiserForwardOptions = {}): Tensor {
    checkLatent(x, this.latentShape, 'MLPDenoiser');
    return T.tidy(() => {
      const B = x.size(0);
      // 1. Conditioning: c (B, D), projected text (B, L, D), mask (B, L).
      const { c, text, mask } = this.cond.forward(t, cond, opts.dropCondition ?? null, x);
      // 2. Flatten the latent and embed it.
      let h = this.projIn.forward(x.reshape([B, this.features])); // (B, D)
      // 3. Residual blocks.
      for (const b of this.blocks) h = b.forward(h, c, text, mask); // (B, D)
      // 4. Final adaLN and projection back to the latent.
      const [shift, scale] = this.adaOut.forward(c) as [Tensor, Tensor]; // 2 × (B, D)
      return this.projOut.forward(modulate(this.normOut.forward(h), shift, scale)).reshape([B, ...this.latentShape]); // (B, ...latentShape)
    });
  }
}
