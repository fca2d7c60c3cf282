/**
 * Timestep embedding: sinusoidal features of t (Vaswani et al. 2017 §3.5, as used by DDPM/ADM
 * and DiT's `TimestepEmbedder`, Peebles & Xie 2023, https://arxiv.org/abs/2212.09748) followed
 * by an MLP.
 *   freqs_k = exp(−ln(maxPeriod)·k/half), k = 0 … half−1;  emb(t) = [cos(t·freqs), sin(t·freqs)]
 * Parameters (DiT's names): mlp.0 Linear(freqDim, D), mlp.2 Linear(D, D), SiLU between.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Linear, Module, Sequential, SiLU } from '../../nn/index.js';
import { normal_ } from '../../nn/init.js';

/** t (B) any numeric dtype → (B, dim) sinusoidal features on t's device (float64 for float64 t, else float32). */
export function sinusoidalEmbedding(t: Tensor, dim: number, maxPeriod = 10000): Tensor {
  if (dim % 2 !== 0) throw new Error(`sinusoidalEmbedding: dim must be even, got ${dim}`);
  return T.tidy(() => {
    const half = dim / 2;
    const dtype = t.dtype === 'float64' ? 'float64' : 'float32';
    const k = T.arange(0, half, { dtype, device: t.device }); // (half)
    const freqs = k.mulScalar(-Math.log(maxPeriod) / half).exp(); // (half)
    const args = t.toDType(dtype).unsqueeze(1).mul(freqs.unsqueeze(0)); // (B, half)
    return T.cat([args.cos(), args.sin()], { dim: 1 }); // (B, dim)
  });
}

export class TimestepEmbedder extends Module {
  readonly freqDim: number;
  readonly mlp: Sequential;

  constructor(hidden: number, freqDim = 256) {
    super();
    this.freqDim = freqDim;
    this.mlp = this.registerModule('mlp', new Sequential(new Linear(freqDim, hidden), new SiLU(), new Linear(hidden, hidden)));
    // DiT's initialize_weights: N(0, 0.02) on the timestep MLP.
    for (const i of [0, 2]) normal_((this.mlp.at(i) as Linear).weight, 0, 0.02);
  }

  /** t (B) in model time → (B, hidden). */
  forward(t: Tensor): Tensor {
    return T.tidy(() => this.mlp.forward(sinusoidalEmbedding(t, this.freqDim))); // (B, hidden)
  }
}
