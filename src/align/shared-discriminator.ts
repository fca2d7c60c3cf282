/**
 * D_s, the shared-space discriminator of the progressive alignment (paper eq. 3, "L_{D_z^s}";
 * Table A.2: "Discriminator D_s or D_z with d_z = 64: 133K"), and its two losses.
 *
 * Architecture (ours; the paper gives only "fully connected" and the count): hidden layers of
 * 256, 256 and 192 units with LeakyReLU(0.2), then one logit. For d = 64 that is
 * (64·256 + 256) + (256·256 + 256) + (256·192 + 192) + (192 + 1) = 131,969 parameters (≈ 133k).
 * The last hidden activation is f_Ds, the features used for feature matching.
 *
 * Losses, with z1 = E_s(z_v) the "real" shared codes and z2 = M(E_t(t̂)) the generated ones:
 *   D_s's own objective, eq. A.5:   L_D  = −E log D(z1) − E log(1 − D(z2))       (BCE on logits)
 *   generator side (ours, after eq. A.4 and Salimans et al. 2016 §3.1):
 *                                   L_fm = mean_k ( E_batch f(z1)_k − E_batch f(z2)_k )²
 *   i.e. the squared distance of the batch-mean features, averaged over feature units.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Linear, Module, ModuleList } from '../nn/index.js';

/** Hidden widths of D_s. */
export const SHARED_DISC_WIDTHS: readonly number[] = [256, 256, 192];

export class SharedDiscriminator extends Module {
  readonly hidden: ModuleList<Linear>;
  readonly out: Linear;

  constructor(readonly dim: number, widths: readonly number[] = SHARED_DISC_WIDTHS) {
    super();
    if (widths.length === 0) throw new RangeError('SharedDiscriminator: give at least one hidden width');
    this.hidden = this.registerModule('hidden', new ModuleList(widths.map((w, j) => new Linear(j === 0 ? dim : widths[j - 1]!, w))));
    this.out = this.registerModule('out', new Linear(widths[widths.length - 1]!, 1));
  }

  /** z (B, d) → logit (B, 1) and features f_Ds (B, last width). */
  forward(z: Tensor): { logit: Tensor; feature: Tensor } {
    return T.tidy(() => {
      let h = z; // (B, d)
      for (const l of this.hidden) h = T.leakyRelu(l.forward(h), { negativeSlope: 0.2 }); // (B, w_j)
      return { logit: this.out.forward(h), feature: h }; // (B, 1), (B, w_last)
    });
  }
}

/** Eq. A.5 on logits: real (B, 1) → label 1, fake (B, 1) → label 0. → () */
export function discriminatorLoss(realLogit: Tensor, fakeLogit: Tensor): Tensor {
  return T.tidy(() => {
    const real = T.binaryCrossEntropyWithLogits(realLogit, T.onesLike(realLogit)); // ()
    const fake = T.binaryCrossEntropyWithLogits(fakeLogit, T.zerosLike(fakeLogit)); // ()
    return real.add(fake); // ()
  });
}

/** Feature matching between batch-mean features: real (B, F), fake (B', F) → (). */
export function featureMatching(realFeature: Tensor, fakeFeature: Tensor): Tensor {
  return T.tidy(() => realFeature.meanDim(0).sub(fakeFeature.meanDim(0)).square().mean()); // ()
}
