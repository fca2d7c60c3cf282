/**
 * Multi-head attention for the denoisers, self or cross (Vaswani et al. 2017, §3.2; text
 * cross-attention as in latent diffusion, Rombach et al. 2022, §3.3, https://arxiv.org/abs/2112.10752):
 *   Attention(Q, K, V) = softmax(Q Kᵀ/√d + M) V,   Q = x W_q,  K = ctx W_k,  V = ctx W_v
 * with ctx = x for self-attention and the text token states for cross-attention; M = −∞ at
 * padded text tokens (`mask` false). Parameters (diffusers' names): to_q, to_k, to_v, to_out.
 * A row whose mask is all false would attend to nothing (NaN): conditions always keep ≥ 1 token.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Linear, Module } from '../../nn/index.js';

export class Attention extends Module {
  readonly dim: number;
  readonly heads: number;
  readonly toQ: Linear;
  readonly toK: Linear;
  readonly toV: Linear;
  readonly toOut: Linear;

  /** `contextDim` = feature size of the keys/values' source (default `dim`: self-attention). */
  constructor(dim: number, heads: number, contextDim = dim) {
    super();
    if (dim % heads !== 0) throw new Error(`Attention: dim (${dim}) must be divisible by heads (${heads})`);
    this.dim = dim;
    this.heads = heads;
    this.toQ = this.registerModule('to_q', new Linear(dim, dim));
    this.toK = this.registerModule('to_k', new Linear(contextDim, dim));
    this.toV = this.registerModule('to_v', new Linear(contextDim, dim));
    this.toOut = this.registerModule('to_out', new Linear(dim, dim));
  }

  /**
   * x (N, L, dim); context (N, S, contextDim) or null (self-attention); mask (N, S) bool with
   * true = a real token (attend), or null → (N, L, dim).
   */
  forward(x: Tensor, context: Tensor | null = null, mask: Tensor | null = null): Tensor {
    return T.tidy(() => {
      const ctx = context ?? x; // (N, S, ·)
      const [N, L] = [x.size(0), x.size(1)];
      const S = ctx.size(1);
      const [H, d] = [this.heads, this.dim / this.heads];
      const q = this.toQ.forward(x).view([N, L, H, d]).transpose(1, 2); // (N, H, L, d)
      const k = this.toK.forward(ctx).view([N, S, H, d]).transpose(1, 2); // (N, H, S, d)
      const v = this.toV.forward(ctx).view([N, S, H, d]).transpose(1, 2); // (N, H, S, d)
      const m = mask ? mask.view([N, 1, 1, S]) : null; // (N, 1, 1, S) bool
      const out = T.scaledDotProductAttention(q, k, v, { mask: m }); // (N, H, L, d)
      return this.toOut.forward(out.transpose(1, 2).reshape([N, L, this.dim])); // (N, L, dim)
    });
  }
}
