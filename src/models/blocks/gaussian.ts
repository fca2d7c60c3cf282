/**
 * The diagonal Gaussian posterior q(z|x) = N(μ, diag(σ²)) of a probabilistic encoder
 * (Kingma & Welling 2014, https://arxiv.org/abs/1312.6114; LDM's `DiagonalGaussianDistribution`):
 *
 *   sample   z = μ + σ ⊙ ε,  ε ~ N(0, I),  σ = exp(½·log σ²)          (reparameterisation, §2.4)
 *   KL       KL(q ‖ N(0, I)) = ½ Σ_d (μ_d² + σ_d² − 1 − log σ_d²)     (Appendix B), per sample
 *
 * log σ² is clamped to [−30, 20] as LDM does, so exp() cannot overflow early in training.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';

export interface Posterior {
  /** μ (B, ...latent). */
  mean: Tensor;
  /** log σ² (B, ...latent), clamped to [−30, 20]. */
  logvar: Tensor;
}

/** Split (B, 2·D, ...) moments along dim 1 into μ and clamped log σ² (B, D, ...). */
export function posteriorFromMoments(moments: Tensor): Posterior {
  return T.tidy(() => {
    const [mean, logvar] = T.chunk(moments, 2, { dim: 1 }) as [Tensor, Tensor]; // each (B, D, ...)
    return { mean: mean.contiguous(), logvar: logvar.clamp({ min: -30, max: 20 }) };
  });
}

/** z = μ + exp(½ log σ²) ⊙ ε (B, ...latent). */
export function samplePosterior(p: Posterior): Tensor {
  return T.tidy(() => p.mean.add(p.logvar.mulScalar(0.5).exp().mul(T.randnLike(p.mean)))); // (B, ...latent)
}

/** Mean over the batch of KL(q(z|x) ‖ N(0, I)) summed over latent elements: a scalar (). */
export function klStdNormal(p: Posterior): Tensor {
  return T.tidy(() => {
    const b = p.mean.size(0);
    const terms = p.mean.square().add(p.logvar.exp()).subScalar(1).sub(p.logvar); // (B, ...latent)
    return terms.sum().mulScalar(0.5 / b); // ()
  });
}
