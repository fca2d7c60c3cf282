/**
 * Elementwise activations as modules, so they can sit in a `Sequential`. Definitions follow
 * PyTorch's (https://pytorch.org/docs/stable/nn.html#non-linear-activations-weighted-sum-nonlinearity).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';

/** SiLU / Swish (Elfwing et al. 2017, Ramachandran et al. 2017): x·σ(x), as `torch.nn.SiLU`. */
export class SiLU extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return T.silu(x); // (*)
  }
}

export type GELUApproximate = 'none' | 'tanh';

/**
 * GELU (Hendrycks & Gimpel 2016, https://arxiv.org/abs/1606.08415), as `torch.nn.GELU`:
 * 'none': x·Φ(x); 'tanh': 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 */
export class GELU extends Module implements Layer {
  readonly approximate: GELUApproximate;
  constructor(opts: { approximate?: GELUApproximate } = {}) {
    super();
    this.approximate = opts.approximate ?? 'none';
    if (this.approximate !== 'none' && this.approximate !== 'tanh') {
      throw new Error(`GELU: approximate must be 'none' or 'tanh', got '${String(this.approximate)}'`);
    }
  }
  forward(x: Tensor): Tensor {
    return T.gelu(x, { approximate: this.approximate }); // (*)
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/**
 * QuickGELU: x·σ(1.702·x), the sigmoid approximation of GELU (Hendrycks & Gimpel 2016, §2) used
 * by OpenAI CLIP's text and image towers (openai/CLIP clip/model.py `QuickGELU`).
 */
export class QuickGELU extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return T.tidy(() => x.mul(T.sigmoid(x.mulScalar(1.702)))); // (*)
  }
}

/** LeakyReLU: max(0, x) + negative_slope·min(0, x), as `torch.nn.LeakyReLU` (default slope 0.01). */
export class LeakyReLU extends Module implements Layer {
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = negativeSlope;
  }
  forward(x: Tensor): Tensor {
    return T.leakyRelu(x, { negativeSlope: this.negativeSlope }); // (*)
  }
  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

/** ReLU: max(0, x). */
export class ReLU extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return T.relu(x); // (*)
  }
}

/** Tanh. */
export class Tanh extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return T.tanh(x); // (*)
  }
}

/** Sigmoid: 1 / (1 + e^(−x)). */
export class Sigmoid extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return T.sigmoid(x); // (*)
  }
}
