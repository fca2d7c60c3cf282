/**
 * `Embedding`: a lookup table of `num_embeddings` vectors, as `torch.nn.Embedding`
 * (https://pytorch.org/docs/stable/generated/torch.nn.Embedding.html). Parameter `weight`
 * (num_embeddings, embedding_dim) ~ N(0, 1); the `padding_idx` row starts at zero and gets no
 * gradient.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';
import { normal_ } from './init.js';
import { checkInt } from './args.js';

export interface EmbeddingOptions {
  /** This index maps to a zero vector that is not trained (negative counts from the end). */
  paddingIdx?: number;
}

/**
 * @example
 *   const emb = new Embedding(10, 4, { paddingIdx: 0 });
 *   T.tidy(() => emb.forward(T.tensor([[1, 2, 0]], { dtype: 'int64' }))).shape;  // [1, 3, 4]
 */
export class Embedding extends Module implements Layer {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    checkInt(numEmbeddings, 'Embedding: num_embeddings');
    checkInt(embeddingDim, 'Embedding: embedding_dim');
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    const p = opts.paddingIdx;
    if (p !== undefined && !(Number.isInteger(p) && p < numEmbeddings && p >= -numEmbeddings)) {
      throw new Error(`Embedding: padding_idx must be an integer within num_embeddings (${numEmbeddings}), got ${p}`);
    }
    this.paddingIdx = p === undefined ? null : p < 0 ? p + numEmbeddings : p;
    this.registerParameter('weight', T.empty([numEmbeddings, embeddingDim])); // (V, D)
    this.resetParameters();
  }

  get weight(): Tensor {
    return this.param('weight');
  }

  /** weight ~ N(0, 1), padding row zeroed. */
  resetParameters(): void {
    normal_(this.weight);
    const idx = this.paddingIdx;
    if (idx !== null) T.noGrad(() => T.tidy(() => void this.weight.select(0, idx).zero_())); // (D) view of row idx
  }

  /** indices (…) int64/int32 → (…, embedding_dim). */
  forward(indices: Tensor): Tensor {
    return T.embedding(this.weight, indices, { paddingIdx: this.paddingIdx ?? -1 }); // (…, D)
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`}`;
  }
}
