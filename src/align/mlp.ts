/**
 * The MLP of the progressive alignment (paper Appendix A.3, "progressive decoupling
 * architecture"; `../shared/docs/method.md`): four linear layers, the first three of width 512
 * followed by LayerNorm and Swish, dropout 0.1 after the second and third:
 *
 *   Linear(in,512)-LN-Swish, Linear(512,512)-LN-Swish-Dropout(0.1),
 *   Linear(512,512)-LN-Swish-Dropout(0.1), Linear(512,out)
 *
 * Used for M (z_t → shared), E_s (z_v → shared) and G_s (shared → z_v). With in = 512 and
 * out = 64 it has 824k parameters, as Table A.2 counts for M.
 *
 * State-dict keys follow `nn.Sequential` numbering: `net.0.weight` (Linear), `net.1.*` (LN), ...
 */
import type { Tensor } from '../tensor/index.js';
import { Module, Sequential, Linear, LayerNorm, SiLU, Dropout, type Layer } from '../nn/index.js';

export interface AlignMlpOptions {
  /** Hidden width; the paper's 512. */
  hidden?: number;
  /** Dropout after the second and third blocks; the paper's 0.1. */
  dropout?: number;
}

export class AlignMlp extends Module implements Layer {
  readonly net: Sequential;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: AlignMlpOptions = {}) {
    super();
    const h = opts.hidden ?? 512;
    const p = opts.dropout ?? 0.1;
    this.net = this.registerModule(
      'net',
      new Sequential(
        new Linear(inFeatures, h), new LayerNorm([h]), new SiLU(),
        new Linear(h, h), new LayerNorm([h]), new SiLU(), new Dropout(p),
        new Linear(h, h), new LayerNorm([h]), new SiLU(), new Dropout(p),
        new Linear(h, outFeatures),
      ),
    );
  }

  /** x (B, in) → (B, out). */
  forward(x: Tensor): Tensor {
    return this.net.forward(x); // (B, out)
  }
}
