/**
 * `MultiheadAttention` (Vaswani et al. 2017, https://arxiv.org/abs/1706.03762, §3.2.2), as
 * `torch.nn.MultiheadAttention`:
 *   MultiHead(Q, K, V) = Concat(head_1, …, head_h) W^O,  head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
 *
 * Parameters, with PyTorch's names and order:
 *   in_proj_weight (3E, E)  — W^Q, W^K, W^V stacked (xavier_uniform); when kdim or vdim differ
 *                             from E: q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim)
 *   in_proj_bias (3E)       — zeros
 *   out_proj.weight (E, E), out_proj.bias (E) — W^O (Linear's default init), bias zeros
 *
 * Masks follow PyTorch's MultiheadAttention convention, the opposite of `T.scaledDotProductAttention`'s
 * boolean masks: `true` means "may NOT attend". Float masks are added to the attention scores.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { xavierUniform_, zeros_ } from './init.js';
import { checkInt, checkProbability, pyBool } from './args.js';

export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training (default 0). */
  dropout?: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Inputs and output are (N, L, E) instead of PyTorch's default (L, N, E). */
  batchFirst?: boolean;
  /** Feature size of the keys (default E). */
  kdim?: number;
  /** Feature size of the values (default E). */
  vdim?: number;
}

export interface MultiheadAttentionForwardOptions {
  /** (N, S): true (or −∞) at keys to ignore, e.g. padding. */
  keyPaddingMask?: Tensor | null;
  /** (L, S) or (N·num_heads, L, S): true (or −∞) where query i may not attend to key j. */
  attnMask?: Tensor | null;
  /** Apply a causal mask (query i attends to keys j ≤ i), alone or on top of `attnMask`. */
  causal?: boolean;
}

/**
 * @example
 *   const mha = new MultiheadAttention(64, 4, { batchFirst: true });
 *   [...mha.namedParameters().keys()];  // ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']
 *   T.tidy(() => { const x = T.randn([2, 10, 64]); return mha.forward(x, x, x); }).shape;  // [2, 10, 64]
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly outProj: Linear;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    checkInt(embedDim, 'MultiheadAttention: embed_dim');
    checkInt(numHeads, 'MultiheadAttention: num_heads');
    if (embedDim % numHeads !== 0) throw new Error(`MultiheadAttention: embed_dim (${embedDim}) must be divisible by num_heads (${numHeads})`);
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    this.dropout = opts.dropout ?? 0;
    checkProbability(this.dropout, 'MultiheadAttention: dropout');
    this.batchFirst = opts.batchFirst ?? false;
    const E = embedDim;
    if (this.sameEmbedDim) {
      this.registerParameter('in_proj_weight', T.empty([3 * E, E])); // (3E, E)
    } else {
      this.registerParameter('q_proj_weight', T.empty([E, E])); // (E, E)
      this.registerParameter('k_proj_weight', T.empty([E, this.kdim])); // (E, kdim)
      this.registerParameter('v_proj_weight', T.empty([E, this.vdim])); // (E, vdim)
    }
    this.registerParameter('in_proj_bias', (opts.bias ?? true) ? T.empty([3 * E]) : null); // (3E)
    this.outProj = this.registerModule('out_proj', new Linear(E, E, { bias: opts.bias ?? true }));
    this.resetParameters();
  }

  /** Whether q, k, v share one stacked projection (PyTorch `_qkv_same_embed_dim`). */
  get sameEmbedDim(): boolean {
    return this.kdim === this.embedDim && this.vdim === this.embedDim;
  }

  /** PyTorch `_reset_parameters`: xavier_uniform input projections, zero biases. */
  resetParameters(): void {
    if (this.sameEmbedDim) xavierUniform_(this.param('in_proj_weight'));
    else for (const n of ['q_proj_weight', 'k_proj_weight', 'v_proj_weight']) xavierUniform_(this.param(n));
    const inBias = this.paramOrNull('in_proj_bias');
    if (inBias) zeros_(inBias);
    if (this.outProj.bias) zeros_(this.outProj.bias);
  }

  /** The (weight, bias) of the q, k and v projections, slicing the stacked ones. */
  #projections(): [Tensor, Tensor | null][] {
    const bias = this.paramOrNull('in_proj_bias');
    const biases = bias ? bias.chunk(3) : [null, null, null]; // 3 × (E)
    const weights = this.sameEmbedDim
      ? this.param('in_proj_weight').chunk(3) // 3 × (E, E)
      : [this.param('q_proj_weight'), this.param('k_proj_weight'), this.param('v_proj_weight')]; // (E, E), (E, kdim), (E, vdim)
    return weights.map((w, i) => [w, biases[i] ?? null]);
  }

  /**
   * query (L, N, E), key (S, N, kdim), value (S, N, vdim) — or (N, ·, ·) with `batchFirst`, or
   * unbatched (L, E), (S, kdim), (S, vdim) — → attention output with the query's layout, (…, L, E).
   */
  forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): Tensor {
    return T.tidy(() => {
      const unbatched = query.ndim === 2;
      // 1. Bring inputs to (N, L, ·).
      const toNLE = (x: Tensor): Tensor => (unbatched ? x.unsqueeze(0) : this.batchFirst ? x : x.transpose(0, 1)); // (N, len, ·)
      const [q, k, v] = [toNLE(query), toNLE(key), toNLE(value)]; // (N, L, E), (N, S, kdim), (N, S, vdim)
      const [N, L] = [q.size(0), q.size(1)];
      const S = k.size(1);
      const [H, D] = [this.numHeads, this.headDim];
      // 2. Project and split heads.
      const heads = (x: Tensor, [w, b]: [Tensor, Tensor | null], len: number): Tensor =>
        T.linear(x, w, { bias: b }).view([N, len, H, D]).transpose(1, 2); // (N, H, len, D)
      const [pq, pk, pv] = this.#projections();
      const qh = heads(q, pq, L); // (N, H, L, D)
      const kh = heads(k, pk, S); // (N, H, S, D)
      const vh = heads(v, pv, S); // (N, H, S, D)
      // 3. Merge the masks into one additive mask.
      const mask = this.#additiveMask(opts, N, L, S, qh); // (N | 1, H | 1, L | 1, S) or null
      // 4. Scaled dot-product attention per head, then concatenate heads and project out.
      const dropoutP = this.training ? this.dropout : 0;
      const attn = T.scaledDotProductAttention(qh, kh, vh, { mask, causal: opts.causal ?? false, dropoutP, training: this.training }); // (N, H, L, D)
      const merged = attn.transpose(1, 2).reshape([N, L, this.embedDim]); // (N, L, E)
      const out = this.outProj.forward(merged); // (N, L, E)
      return unbatched ? out.squeezeDim(0) : this.batchFirst ? out : out.transpose(0, 1); // query's layout
    });
  }

  /** attn_mask and key_padding_mask as one float mask (0 = attend, −∞ = not), as PyTorch merges them. */
  #additiveMask(opts: MultiheadAttentionForwardOptions, N: number, L: number, S: number, like: Tensor): Tensor | null {
    const asFloat = (m: Tensor): Tensor => // m's shape, like's dtype: 0 or −∞ for a bool mask
      m.dtype === 'bool' ? T.zeros(m.shape, { dtype: like.dtype }).maskedFill(m, Number.NEGATIVE_INFINITY) : m.toDType(like.dtype);
    let mask: Tensor | null = null;
    const a = opts.attnMask;
    if (a) {
      if (a.ndim === 2) mask = asFloat(a).reshape([1, 1, L, S]); // (1, 1, L, S)
      else if (a.ndim === 3) mask = asFloat(a).reshape([N, this.numHeads, L, S]); // (N, H, L, S)
      else throw new Error(`MultiheadAttention: attn_mask must be (L, S) or (N·num_heads, L, S), got [${a.shape.join(', ')}]`);
    }
    const kp = opts.keyPaddingMask;
    if (kp) {
      if (kp.ndim !== 2 && !(kp.ndim === 1 && N === 1)) throw new Error(`MultiheadAttention: key_padding_mask must be (N, S), got [${kp.shape.join(', ')}]`);
      const pad = asFloat(kp).reshape([N, 1, 1, S]); // (N, 1, 1, S)
      mask = mask ? mask.add(pad) : pad; // (N | 1, H | 1, L | 1, S)
    }
    return mask;
  }

  override extraRepr(): string {
    return `embed_dim=${this.embedDim}, num_heads=${this.numHeads}, batch_first=${pyBool(this.batchFirst)}`;
  }
}
