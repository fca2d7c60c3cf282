/**
 * Kernel distance: the unbiased squared maximum mean discrepancy with the cubic polynomial
 * kernel, as TATS `polynomial_mmd` (Ge et al. 2022, after KID, Bińkowski et al. 2018;
 * metrics.md §3):
 *
 *   k(a, b) = (a·b / d + 1)³
 *   MMD² = (ΣK_xx − tr K_xx) / (m(m−1)) + (ΣK_yy − tr K_yy) / (n(n−1)) − 2 ΣK_xy / (mn)
 *
 * for x (m, d) and y (n, d), in float64. It can be slightly negative. TATS assumes m = n; the
 * formula above is its generalisation to unequal sizes.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';

/** Polynomial kernel matrix (a·b/d + 1)³ of a (m, d) and b (n, d) → (m, n). */
function polynomialKernel(a: Tensor, b: Tensor): Tensor {
  const d = a.size(1);
  return a.matmul(b.t()).divScalar(d).addScalar(1).powScalar(3); // (m, n)
}

/** Unbiased polynomial-kernel MMD² between feature sets x (m, d) and y (n, d); m, n ≥ 2. */
export function kernelDistance(x: Tensor, y: Tensor): number {
  if (x.ndim !== 2 || y.ndim !== 2 || x.size(1) !== y.size(1)) {
    throw new Error(`kernelDistance: expected feature sets (m, d) and (n, d), got [${x.shape.join(', ')}] and [${y.shape.join(', ')}]`);
  }
  const [m, n] = [x.size(0), y.size(0)];
  if (m < 2 || n < 2) throw new Error(`kernelDistance: the unbiased estimate needs at least 2 feature vectors per set, got ${m} and ${n}`);
  return T.noGrad(() =>
    T.tidy(() => {
      const xd = x.double(); // (m, d)
      const yd = y.double(); // (n, d)
      const kxx = polynomialKernel(xd, xd); // (m, m)
      const kyy = polynomialKernel(yd, yd); // (n, n)
      const kxy = polynomialKernel(xd, yd); // (m, n)
      const offX = kxx.sum().item() - T.trace(kxx).item();
      const offY = kyy.sum().item() - T.trace(kyy).item();
      return offX / (m * (m - 1)) + offY / (n * (n - 1)) - (2 * kxy.sum().item()) / (m * n);
    }),
  );
}
