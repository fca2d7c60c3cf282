/**
 * The frozen text encoder that conditions generation in both families (issue 7: never the
 * evaluation model). Generators cross-attend to `states` or use `pooled`.
 */
import type { Tensor } from '../tensor/index.js';

export interface TextTokens {
  states: Tensor; // (B, L, D) float32
  /** (B, L) bool, true = a real token (attend), false = padding. */
  mask: Tensor;
  pooled: Tensor; // (B, D) float32, the sentence embedding
}

export interface TextConditioner {
  /** Recorded in results, e.g. 'clip-vit-b32-text' or 'domain-text:cond-seed1'. */
  readonly name: string;
  /** D of `states` and `pooled`. */
  readonly dim: number;
  /** Maximum L. */
  readonly maxTokens: number;
  /** Runs without grad; the caller owns the returned tensors. */
  encode(texts: string[]): TextTokens;
}
