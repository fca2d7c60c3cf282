/**
 * Transformer feed-forward block: Linear(D, r·D) → GELU (tanh approximation, as DiT) → Linear(r·D, D).
 * Parameters: fc1, fc2 (timm's Mlp names, as DiT).
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Linear, Module } from '../../nn/index.js';

export class FeedForward extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(dim: number, ratio = 4) {
    super();
    const hidden = Math.round(dim * ratio);
    this.fc1 = this.registerModule('fc1', new Linear(dim, hidden));
    this.fc2 = this.registerModule('fc2', new Linear(hidden, dim));
  }

  /** x (…, D) → (…, D). */
  forward(x: Tensor): Tensor {
    return T.tidy(() => this.fc2.forward(T.gelu(this.fc1.forward(x), { approximate: 'tanh' }))); // (…, D)
  }
}
