/**
 * VICReg (Bardes, Ponce & LeCun, ICLR 2022, eqs. 1–6) between text and video shared codes, the
 * paper's "progressive with VicReg" ablation in place of the bucket loss.
 *
 *   s(Z, Z')  = 1/(n·d) Σ_i ‖z_i − z'_i‖²                               invariance      (eq. 5)
 *   v(Z)      = 1/d Σ_j max(0, γ − √(Var(z^j) + ε)),  γ = 1, ε = 1e-4     variance        (eq. 1)
 *   c(Z)      = 1/d Σ_{i≠j} C(Z)_ij²,  C = cov with n − 1                 covariance      (eq. 4)
 *   L = λ s + μ (v(Z) + v(Z'))/2 + ν (c(Z) + c(Z')),  λ = μ = 25, ν = 1                   (eq. 6)
 *
 * Normalisation as the authors' released training code, for which λ = μ = 25 were tuned: the
 * invariance is a mean squared error over the n·d entries (eq. 5 prints 1/n, i.e. d times
 * larger) and each branch's variance hinge is halved. With eq. 5's 1/n and d = 64, the
 * invariance term outweighed the variance hinge 64-fold and shrank both branches to a point:
 * every caption generated the same video (attribute accuracy at chance on SyncDraw).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

export interface VicRegOptions {
  lambda?: number;
  mu?: number;
  nu?: number;
  gamma?: number;
  eps?: number;
}

function varianceTerm(z: Tensor, gamma: number, eps: number): Tensor {
  return T.tidy(() => T.relu(T.scalar(gamma).sub(z.variance(0).add(T.scalar(eps)).sqrt())).mean()); // ()
}

function covarianceTerm(z: Tensor): Tensor {
  const [n, d] = z.shape as [number, number];
  return T.tidy(() => {
    const zc = z.sub(z.meanDim(0, { keepdim: true })); // (n, d)
    const cov = zc.t().matmul(zc).mul(T.scalar(1 / (n - 1))); // (d, d)
    const off = cov.pow(T.scalar(2)).sum().sub(cov.diagonal().pow(T.scalar(2)).sum()); // ()
    return off.mul(T.scalar(1 / d)); // ()
  });
}

/** z (n, d), z2 (n, d) row-paired → () (eq. 6). */
export function vicReg(z: Tensor, z2: Tensor, opts: VicRegOptions = {}): Tensor {
  const { lambda = 25, mu = 25, nu = 1, gamma = 1, eps = 1e-4 } = opts;
  return T.tidy(() => {
    const inv = z.sub(z2).pow(T.scalar(2)).mean(); // ()
    const v = varianceTerm(z, gamma, eps).add(varianceTerm(z2, gamma, eps)).mul(T.scalar(0.5)); // ()
    const c = covarianceTerm(z).add(covarianceTerm(z2)); // ()
    return inv.mul(T.scalar(lambda)).add(v.mul(T.scalar(mu))).add(c.mul(T.scalar(nu))); // ()
  });
}
