/**
 * CLIP's text tower (Radford et al. 2021, §2.4: "a 63M-parameter 12-layer 512-wide model with 8
 * attention heads … masked self-attention … the activations of the highest layer of the
 * transformer at the [EOS] token are treated as the feature representation of the text";
 * openai/CLIP `model.py` `encode_text`; HF `modeling_clip.py` `CLIPTextTransformer`).
 *
 *   1. x = token_embedding(ids) + position_embedding(0 … L-1)          (N, L, D)
 *   2. x = encoder(x) with a causal mask                                (N, L, D)
 *   3. x = final_layer_norm(x)                                          (N, L, D)
 *   4. pooled = x[n, eos(n)]: legacy configs (eos_token_id == 2) use argmax(ids[n]) (the EOS id
 *      49407 is the largest id), others the first position with ids[n] == eos_token_id   (N, D)
 *
 * Because attention is causal and pooling reads the EOS row, tokens after EOS (padding, 0 or
 * 49407) never influence the result, and ids may be cut to the longest row before the forward.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Embedding, LayerNorm, Module } from '../nn/index.js';
import type { ClipTextConfig } from './config.js';
import { ClipLayerStack } from './transformer.js';

/** HF `CLIPTextEmbeddings`: `token_embedding`, `position_embedding`. */
export class ClipTextEmbeddings extends Module {
  readonly tokenEmbedding: Embedding;
  readonly positionEmbedding: Embedding;

  constructor(cfg: ClipTextConfig) {
    super();
    this.tokenEmbedding = this.registerModule('token_embedding', new Embedding(cfg.vocabSize, cfg.hiddenSize));
    this.positionEmbedding = this.registerModule('position_embedding', new Embedding(cfg.maxPositionEmbeddings, cfg.hiddenSize));
  }

  /** ids (N, L) int64 → (N, L, D). */
  forward(ids: Tensor): Tensor {
    return T.tidy(() => {
      const L = ids.size(1);
      const pos = this.positionEmbedding.weight.narrow(0, 0, L); // (L, D)
      return this.tokenEmbedding.forward(ids).add(pos); // (N, L, D)
    });
  }
}

export interface ClipTextOutput {
  /** After `final_layer_norm`: (N, L, D). */
  lastHiddenState: Tensor;
  /** The EOS rows: (N, D). */
  pooledOutput: Tensor;
}

/** HF `CLIPTextTransformer`: `embeddings`, `encoder`, `final_layer_norm`. */
export class ClipTextTransformer extends Module {
  readonly embeddings: ClipTextEmbeddings;
  readonly encoder: ClipLayerStack;
  readonly finalLayerNorm: LayerNorm;

  constructor(readonly config: ClipTextConfig) {
    super();
    this.embeddings = this.registerModule('embeddings', new ClipTextEmbeddings(config));
    this.encoder = this.registerModule('encoder', new ClipLayerStack(config));
    this.finalLayerNorm = this.registerModule('final_layer_norm', new LayerNorm(config.hiddenSize, { eps: config.layerNormEps }));
  }

  /** Steps 1–4: ids (N, L) int64 → both outputs (owned by the caller). */
  forward(ids: Tensor): ClipTextOutput {
    return T.tidy(() => {
      const h = this.finalLayerNorm.forward(this.#encode(ids)); // (N, L, D)
      return { lastHiddenState: h, pooledOutput: this.#pool(h, ids) };
    });
  }

  /** Steps 1–4, pooling before the (per-row) final LayerNorm: ids (N, L) int64 → (N, D). */
  pooled(ids: Tensor): Tensor {
    return T.tidy(() => this.finalLayerNorm.forward(this.#pool(this.#encode(ids), ids))); // (N, D)
  }

  /** Steps 1–2. */
  #encode(ids: Tensor): Tensor {
    this.#checkIds(ids);
    const vocab = this.config.vocabSize;
    const [lo, hi] = T.tidy(() => (ids.numel === 0 ? [0, 0] : [ids.min().item(), ids.max().item()]));
    if (lo < 0 || hi >= vocab) {
      throw new Error(`CLIP text tower: input_ids hold ${lo < 0 ? lo : hi}, outside the vocabulary 0 … ${vocab - 1}; were the ids made by this model's tokenizer?`);
    }
    return T.tidy(() => this.encoder.forward(this.embeddings.forward(ids), true)); // (N, L, D)
  }

  /** Step 4: h (N, L, D) → the row of each sequence's EOS token (N, D). */
  #pool(h: Tensor, ids: Tensor): Tensor {
    return T.tidy(() => {
      const N = ids.size(0);
      const cfg = this.config;
      let pos: Tensor; // (N) int64
      if (cfg.legacyEosPooling) {
        pos = ids.argmax({ dim: -1 }); // (N)
      } else {
        const isEos = ids.eqScalar(cfg.eosTokenId); // (N, L) bool
        const missing = isEos.anyDim(-1).logicalNot(); // (N)
        if (missing.any().item() !== 0) {
          const rows = missing.nonzero().flatten().toArray();
          throw new Error(
            `CLIP text tower: row(s) ${rows.join(', ')} of input_ids contain no eos_token_id ${cfg.eosTokenId}; ` +
              'end every sequence with the tokenizer\'s <|endoftext|> (ClipTokenizer.encodeBatch does)',
          );
        }
        pos = isEos.toDType('int32').argmax({ dim: -1 }); // (N) first EOS position
      }
      return T.index(h, [T.arange(0, N, { dtype: 'int64', device: h.device }), pos]); // (N, D)
    });
  }

  #checkIds(ids: Tensor): void {
    const max = this.config.maxPositionEmbeddings;
    if (ids.ndim !== 2 || (ids.dtype !== 'int64' && ids.dtype !== 'int32')) {
      throw new Error(`CLIP text tower: input_ids must be (N, L) int64, got ${ids.dtype} [${ids.shape.join(', ')}]`);
    }
    if (ids.size(1) < 1 || ids.size(1) > max) {
      throw new Error(`CLIP text tower: sequence length ${ids.size(1)} must be between 1 and max_position_embeddings (${max}); truncate the text`);
    }
  }
}
