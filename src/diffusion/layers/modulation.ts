/**
 * Adaptive LayerNorm conditioning, "adaLN-Zero" (Peebles & Xie 2023, "Scalable Diffusion Models
 * with Transformers", §3.2, https://arxiv.org/abs/2212.09748): a conditioning vector c (timestep
 * embedding + pooled text) regresses per-channel shift γ… and scale β… for LayerNorms without
 * their own affine, and gates α that scale each residual branch; the regression Linear starts
 * at zero, so every block starts as the identity.
 *   modulate(x, shift, scale) = x·(1 + scale) + shift
 * Parameters (DiT's names): adaLN_modulation.1 Linear(cond, n·D) after a SiLU, zero-initialised.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Linear, Module, Sequential, SiLU } from '../../nn/index.js';
import { zeros_ } from '../../nn/init.js';

/** x (B, …, D) · (1 + scale) + shift, with shift/scale (B, D) broadcast over x's middle dims. */
export function modulate(x: Tensor, shift: Tensor, scale: Tensor): Tensor {
  return T.tidy(() => {
    const view = (m: Tensor): Tensor => m.reshape([m.size(0), ...x.shape.slice(1, -1).map(() => 1), m.size(1)]); // (B, 1…, D)
    return x.mul(view(scale).addScalar(1)).add(view(shift)); // x's shape
  });
}

/** y (B, …, D) · gate, with gate (B, D) broadcast over y's middle dims. */
export function gated(y: Tensor, gate: Tensor): Tensor {
  return T.tidy(() => y.mul(gate.reshape([gate.size(0), ...y.shape.slice(1, -1).map(() => 1), gate.size(1)]))); // y's shape
}

/** SiLU → Linear(condDim, n·dim), zero-initialised; `forward(c)` returns n chunks of (B, dim). */
export class AdaLNModulation extends Module {
  readonly chunks: number;
  readonly seq: Sequential;

  constructor(condDim: number, dim: number, chunks: number) {
    super();
    this.chunks = chunks;
    const linear = new Linear(condDim, chunks * dim);
    zeros_(linear.weight);
    zeros_(linear.bias!);
    this.seq = this.registerModule('adaLN_modulation', new Sequential(new SiLU(), linear));
  }

  /** c (B, condDim) → `chunks` tensors of (B, dim). */
  forward(c: Tensor): Tensor[] {
    return T.tidy(() => this.seq.forward(c).chunk(this.chunks, { dim: 1 })); // n × (B, dim)
  }
}
