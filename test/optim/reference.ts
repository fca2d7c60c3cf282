// Plain-JS float64 reimplementation of the documented torch.optim.Adam / AdamW updates (the
// pseudo-code in their docs pages), one number at a time. Used as the golden reference.

export interface AdamReferenceOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  /** AdamW: θ ← θ(1 − γλ) instead of g ← g + λθ. */
  decoupled: boolean;
}

export const REF_DEFAULTS: AdamReferenceOptions = {
  lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false, decoupled: false,
};

/** One parameter's Adam state. */
export class AdamReference {
  x: number[];
  m: number[];
  v: number[];
  vmax: number[];
  t = 0;

  constructor(x0: number[], readonly o: AdamReferenceOptions) {
    this.x = [...x0];
    this.m = x0.map(() => 0);
    this.v = x0.map(() => 0);
    this.vmax = x0.map(() => 0);
  }

  step(grad: number[]): number[] {
    const { lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled } = this.o;
    this.t += 1;
    const t = this.t;
    this.x = this.x.map((xi, i) => {
      let g = grad[i]!;
      let x = xi;
      if (decoupled) x = x * (1 - lr * weightDecay);
      else g = g + weightDecay * x;
      this.m[i] = beta1 * this.m[i]! + (1 - beta1) * g;
      this.v[i] = beta2 * this.v[i]! + (1 - beta2) * g * g;
      const mHat = this.m[i]! / (1 - beta1 ** t);
      let vHat = this.v[i]! / (1 - beta2 ** t);
      if (amsgrad) {
        this.vmax[i] = Math.max(this.vmax[i]!, this.v[i]!);
        vHat = this.vmax[i]! / (1 - beta2 ** t);
      }
      return x - (lr * mHat) / (Math.sqrt(vHat) + eps);
    });
    return this.x;
  }
}
