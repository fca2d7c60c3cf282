/**
 * Fréchet distance between two feature sets seen as Gaussians (Dowson & Landau 1982; FID, Heusel
 * et al. 2017; FVD, Unterthiner et al. 2018; metrics.md §3):
 *
 *   FD = |μ_x − μ_y|² + Tr(S_x') + Tr(S_y') − 2 Tr( (S_x' S_y')^{1/2} ),   S' = S + eps·Id
 *
 * computed in float64. The trace of the matrix square root follows the symmetric route pinned in
 * metrics.md: with A = S_x', B = S_y' (symmetric positive semi-definite),
 * A B = A^{1/2} (A^{1/2} B A^{1/2}) A^{-1/2} is similar to the symmetric M = A^{1/2} B A^{1/2}, so
 * Tr (AB)^{1/2} = Σ sqrt(λ_i(M)). The square roots A^{1/2}, B^{1/2} come from eigendecompositions
 * (tiny negative eigenvalues clamped to 0); Σ sqrt(λ_i(M)) is evaluated as the sum of the
 * singular values of B^{1/2} A^{1/2} (the same number, accurate also for near-zero λ_i).
 * `eps` regularises both covariances everywhere they appear, S' = S + eps·Id in the traces as
 * well as under the square root. FVMD's `calculate_frechet_distance` adds it only under the root,
 * which biases every value by −2·eps·D (identical sets would give −0.0205 at D = 1024, eps = 1e-5);
 * with eps on both sides identical sets give exactly 0, as the metric's definition requires.
 *
 * When N + M < D (few samples of long features, as in tests) the same number is computed in the
 * subspace the samples span (exact; see `reducedCrossTerm`).
 *
 * Covariance of a single point: 'biased' gives the zero matrix (so one-point sets give |Δμ|²);
 * 'unbiased' (divide by N−1) is undefined there and throws.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';

export interface FrechetOptions {
  /** 'biased' divides by N (StyleGAN-V FVD); 'unbiased' by N-1 (FVMD). */
  covariance: 'biased' | 'unbiased';
  /** Added to the diagonal before the matrix square root (FVMD: 1e-5); default 0. */
  eps?: number;
}

/** Mean (D) and covariance (D, D) of x (N, D) float64. */
export function meanAndCovariance(x: Tensor, covariance: 'biased' | 'unbiased'): { mean: Tensor; cov: Tensor } {
  return T.tidy(() => {
    const n = x.size(0);
    const mean = x.meanDim(0); // (D)
    const c = x.sub(mean); // (N, D)
    const cov = c.t().matmul(c).divScalar(covariance === 'biased' ? n : n - 1); // (D, D)
    return { mean, cov };
  });
}

/** A^{1/2} of a symmetric PSD matrix (D, D) float64 by eigendecomposition (negative rounding clamped). */
export function psdSqrt(a: Tensor): Tensor {
  return T.tidy(() => {
    const [l, v] = T.linalgEigh(a); // (D), (D, D)
    return v.mul(l.clampMin(0).sqrt()).matmul(v.t()); // (D, D)
  });
}

/**
 * Tr (AB)^{1/2} = Σ sqrt(λ(A^{1/2} B A^{1/2})) for symmetric PSD A, B (D, D) float64. Since
 * A^{1/2} B A^{1/2} = XᵀX with X = B^{1/2} A^{1/2}, the square roots of its eigenvalues are the
 * singular values of X; summing those avoids taking square roots of eigenvalues that rounding
 * has moved by ~1e-16·|S| (which, for rank-deficient covariances with hundreds of near-zero
 * eigenvalues, would add errors of order 1e-2 to the distance).
 */
export function traceSqrtProduct(a: Tensor, b: Tensor): number {
  return T.tidy(() => {
    const x = psdSqrt(b).matmul(psdSqrt(a)); // (D, D)
    const [, sv] = T.linalgSvd(x, { fullMatrices: false }); // (D)
    return sv.sum().item();
  });
}

function check(x: Tensor, y: Tensor, opts: FrechetOptions): void {
  if (x.ndim !== 2 || y.ndim !== 2 || x.size(1) !== y.size(1)) {
    throw new Error(`frechetDistance: expected feature sets (N, D) and (M, D), got [${x.shape.join(', ')}] and [${y.shape.join(', ')}]`);
  }
  const min = opts.covariance === 'unbiased' ? 2 : 1;
  if (x.size(0) < min || y.size(0) < min) {
    throw new Error(`frechetDistance: the ${opts.covariance} covariance needs at least ${min} feature vectors per set, ` +
      `got ${x.size(0)} and ${y.size(0)} (use more videos${min === 2 ? " or covariance 'biased'" : ''})`);
  }
  if (opts.eps !== undefined && !(opts.eps >= 0)) throw new Error(`frechetDistance: eps must be ≥ 0, got ${opts.eps}`);
}

/**
 * Tr((S_x + eps)(S_y + eps))^{1/2} when the N + M centred samples span fewer than D dimensions:
 * with Q (D, r) an orthonormal basis containing both sets' centred rows, both covariances vanish
 * on Q⊥, where each factor is eps·Id, so the trace splits exactly into the r×r problem in the
 * basis Q plus eps·(D − r). Q comes from the SVD of the stacked centred samples.
 */
function reducedCrossTerm(xc: Tensor, yc: Tensor, dx: number, dy: number, eps: number): number {
  return T.tidy(() => {
    const d = xc.size(1);
    const [, , vh] = T.linalgSvd(T.cat([xc, yc], { dim: 0 }), { fullMatrices: false }); // (r, D)
    const r = vh.size(0);
    const px = xc.matmul(vh.t()); // (N, r): samples in the basis
    const py = yc.matmul(vh.t()); // (M, r)
    const offset = T.eye(r, { dtype: 'float64' }).mulScalar(eps); // (r, r)
    const a = px.t().matmul(px).divScalar(dx).add(offset); // (r, r)
    const b = py.t().matmul(py).divScalar(dy).add(offset); // (r, r)
    return traceSqrtProduct(a, b) + eps * (d - r);
  });
}

/** Fréchet distance between feature sets x (N, D) and y (M, D), computed in float64. */
export function frechetDistance(x: Tensor, y: Tensor, opts: FrechetOptions): number {
  check(x, y, opts);
  const eps = opts.eps ?? 0;
  return T.noGrad(() =>
    T.tidy(() => {
      const [n, m, d] = [x.size(0), y.size(0), x.size(1)];
      const [dx, dy] = opts.covariance === 'biased' ? [n, m] : [n - 1, m - 1];
      const xd = x.double(); // (N, D)
      const yd = y.double(); // (M, D)
      const mx = xd.meanDim(0); // (D)
      const my = yd.meanDim(0); // (D)
      const xc = xd.sub(mx); // (N, D)
      const yc = yd.sub(my); // (M, D)
      const meanTerm = mx.sub(my).square().sum().item();
      // Tr S_x' + Tr S_y' (eps on both sides, so that identical sets give exactly 0)
      const traces = xc.square().sum().item() / dx + yc.square().sum().item() / dy + 2 * eps * d;
      let cross: number;
      if (n + m < d) {
        cross = reducedCrossTerm(xc, yc, dx, dy, eps);
      } else {
        const offset = T.eye(d, { dtype: 'float64' }).mulScalar(eps); // (D, D)
        const sx = xc.t().matmul(xc).divScalar(dx); // (D, D)
        const sy = yc.t().matmul(yc).divScalar(dy); // (D, D)
        cross = traceSqrtProduct(sx.add(offset), sy.add(offset));
      }
      return meanTerm + traces - 2 * cross;
    }),
  );
}
