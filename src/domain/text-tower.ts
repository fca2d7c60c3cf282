/**
 * The domain text tower (issue 4, part 5): a small pre-LN transformer over word tokens, after
 * the text encoder of CLIP (Radford et al. 2021, https://arxiv.org/abs/2103.00020, §2.4; openai/CLIP
 * `model.py`) and the pre-LN block of Xiong et al. 2020 (https://arxiv.org/abs/2002.04745, Fig. 1b):
 *
 *   h⁰ = E[ids] + P[0:L]                          token + learned position embeddings
 *   hˡ = hˡ⁻¹ + MHA(LN₁(hˡ⁻¹), mask)              bidirectional attention; padding keys masked
 *   hˡ = hˡ + MLP(LN₂(hˡ)),  MLP = W₂ GELU(W₁ ·)
 *   states = LN_final(h^N)                        (B, L, D)
 *   pooled = Σ_t mask_t · states_t / Σ_t mask_t   masked mean over the real tokens (words + [EOS])
 *
 * Pooling choice: the masked mean rather than CLIP's EOS row. With bidirectional attention every
 * row sees the whole caption, and the mean gives every word's state a gradient from the
 * contrastive loss, which makes `states` useful as cross-attention conditioning as well.
 * Unlike CLIP the attention is not causal (nothing here is generated left to right).
 *
 * The tower implements {@link TextConditioner}: `encode` tokenizes with its {@link Vocab}
 * (texts longer than `maxTokens` keep their first `maxTokens − 1` words, then `[EOS]`), pads to the
 * longest text of the call and runs without grad. Padding rows of `states` are not meaningful.
 *
 * State-dict keys (PyTorch-style): `token_embedding.weight`, `positional_embedding`,
 * `layers.<i>.{ln_1,attn,ln_2,mlp.c_fc,mlp.c_proj}.*`, `ln_final.*`.
 *
 * @example
 *   const tower = new TextTower(Vocab.fromCaptions(captions), { width: 128, layers: 2, heads: 4, maxTokens: 32 });
 *   const { states, mask, pooled } = tower.encode(['digit 3 is moving up and down']);
 *   states.shape; // [1, 8, 128]   mask.shape; // [1, 8]   pooled.shape; // [1, 128]
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Embedding, LayerNorm, Linear, Module, ModuleList, MultiheadAttention, init } from '../nn/index.js';
import type { TextConditioner, TextTokens } from '../models/conditioning.js';
import { PAD_ID, type Vocab } from './vocab.js';

export interface TextTowerConfig {
  /** Model width D. */
  width: number;
  layers: number;
  heads: number;
  /** Longest token sequence (words + [EOS]). */
  maxTokens: number;
  /** Hidden width of the MLP = mlpRatio · D (default 4). */
  mlpRatio?: number;
}

/** The MLP of a block: c_proj(GELU(c_fc(x))), CLIP's names. */
class Mlp extends Module {
  readonly cFc: Linear;
  readonly cProj: Linear;
  constructor(width: number, hidden: number) {
    super();
    this.cFc = this.registerModule('c_fc', new Linear(width, hidden));
    this.cProj = this.registerModule('c_proj', new Linear(hidden, width));
  }
  forward(x: Tensor): Tensor {
    return T.tidy(() => this.cProj.forward(T.gelu(this.cFc.forward(x)))); // (B, L, D)
  }
}

/** One pre-LN transformer block (Xiong et al. 2020, Fig. 1b). */
class Block extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiheadAttention;
  readonly ln2: LayerNorm;
  readonly mlp: Mlp;
  constructor(width: number, heads: number, hidden: number) {
    super();
    this.ln1 = this.registerModule('ln_1', new LayerNorm(width));
    this.attn = this.registerModule('attn', new MultiheadAttention(width, heads, { batchFirst: true }));
    this.ln2 = this.registerModule('ln_2', new LayerNorm(width));
    this.mlp = this.registerModule('mlp', new Mlp(width, hidden));
  }
  /** x (B, L, D), padding (B, L) bool true = padding → (B, L, D). */
  forward(x: Tensor, padding: Tensor): Tensor {
    return T.tidy(() => {
      const a = this.ln1.forward(x); // (B, L, D)
      const h = x.add(this.attn.forward(a, a, a, { keyPaddingMask: padding })); // (B, L, D)
      return h.add(this.mlp.forward(this.ln2.forward(h))); // (B, L, D)
    });
  }
}

/** Token ids and the real-token mask of a batch of texts. */
export interface TokenBatch {
  ids: Tensor; // (B, L) int64, PAD_ID after each text's [EOS]
  mask: Tensor; // (B, L) bool, true = real token
}

export class TextTower extends Module implements TextConditioner {
  readonly dim: number;
  readonly maxTokens: number;
  readonly tokenEmbedding: Embedding;
  readonly blocks: ModuleList<Block>;
  readonly lnFinal: LayerNorm;

  constructor(
    readonly vocab: Vocab,
    readonly config: TextTowerConfig,
    /** Recorded in results when used as a conditioner, e.g. 'domain-text:cond-seed1'. */
    public name = 'domain-text',
  ) {
    super();
    const { width, layers, heads, maxTokens } = config;
    for (const [k, v] of Object.entries({ width, layers, heads, maxTokens })) {
      if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`TextTower: ${k} must be an integer >= 1, got ${v}`);
    }
    this.dim = width;
    this.maxTokens = maxTokens;
    this.tokenEmbedding = this.registerModule('token_embedding', new Embedding(vocab.size, width, { paddingIdx: PAD_ID }));
    this.registerParameter('positional_embedding', T.empty([maxTokens, width])); // (Lmax, D)
    const hidden = Math.round((config.mlpRatio ?? 4) * width);
    this.blocks = this.registerModule('layers', new ModuleList(Array.from({ length: layers }, () => new Block(width, heads, hidden))));
    this.lnFinal = this.registerModule('ln_final', new LayerNorm(width));
    // CLIP's initialisation: token std 0.02, positions std 0.01 (openai/CLIP model.py initialize_parameters).
    init.normal_(this.tokenEmbedding.weight, 0, 0.02);
    T.noGrad(() => T.tidy(() => void this.tokenEmbedding.weight.select(0, PAD_ID).zero_())); // (D) padding row
    init.normal_(this.param('positional_embedding'), 0, 0.01);
  }

  /** Token ids padded to the longest text (≤ maxTokens), and the mask of real tokens. */
  tokenize(texts: string[]): TokenBatch {
    if (texts.length === 0) throw new RangeError('TextTower.tokenize: no texts');
    const seqs = texts.map((t) => this.vocab.encode(t, this.maxTokens));
    const L = Math.max(...seqs.map((s) => s.length));
    const ids = new BigInt64Array(texts.length * L); // (B, L), zeros = PAD_ID
    const mask = new Uint8Array(texts.length * L); // (B, L)
    seqs.forEach((s, b) => s.forEach((id, t) => {
      ids[b * L + t] = BigInt(id);
      mask[b * L + t] = 1;
    }));
    return {
      ids: T.tensor(ids, { shape: [texts.length, L] }), // (B, L) int64
      mask: T.tensor(mask, { shape: [texts.length, L], dtype: 'bool' }), // (B, L) bool
    };
  }

  /** ids (B, L) int64, mask (B, L) bool → token states (B, L, D) and the masked-mean pooled (B, D). */
  forward(ids: Tensor, mask: Tensor): { states: Tensor; pooled: Tensor } {
    return T.tidy(() => {
      const L = ids.size(1);
      if (L > this.maxTokens) throw new RangeError(`TextTower: ${L} tokens exceed maxTokens ${this.maxTokens}`);
      const pos = this.param('positional_embedding').narrow(0, 0, L); // (L, D)
      let h = this.tokenEmbedding.forward(ids).add(pos); // (B, L, D)
      const padding = mask.logicalNot(); // (B, L) true = padding
      for (const block of this.blocks) h = block.forward(h, padding); // (B, L, D)
      const states = this.lnFinal.forward(h); // (B, L, D)
      const m = mask.unsqueeze(-1).toDType(states.dtype); // (B, L, 1)
      const pooled = states.mul(m).sumDim(1).div(m.sumDim(1)); // (B, D)
      return { states, pooled };
    });
  }

  /** {@link TextConditioner.encode}: no grad; the caller owns the three tensors. */
  encode(texts: string[]): TextTokens {
    return T.tidy(() =>
      T.noGrad(() => {
        const { ids, mask } = this.tokenize(texts);
        const { states, pooled } = this.forward(ids, mask);
        return { states, mask, pooled };
      }),
    );
  }

  override extraRepr(): string {
    return `vocab=${this.vocab.size}, width=${this.dim}, max_tokens=${this.maxTokens}`;
  }
}
