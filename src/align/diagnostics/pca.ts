/**
 * Principal component analysis for the latent-space plots (paper Appendix A.3.2, Figures 3–5:
 * PCA plots, and PCA to 32 components before t-SNE), on the engine in float64:
 *
 *   X_c = X − mean(X);  X_c = U S Vᵀ (thin SVD);  components = rows of Vᵀ;
 *   explained variance_k = S_k² / (n − 1);  ratio_k = variance_k / Σ_j variance_j
 *
 * Signs follow scikit-learn's `svd_flip` (u-based): each component is flipped so that the entry
 * of largest magnitude in its column of U is positive, making results deterministic.
 */
import * as T from '../../tensor/index.js';

/** n points of dimension d, row-major. */
export interface Matrix {
  n: number;
  d: number;
  data: Float64Array; // (n, d)
}

export function matrix(n: number, d: number, data?: ArrayLike<number>): Matrix {
  const m: Matrix = { n, d, data: data ? Float64Array.from(data) : new Float64Array(n * d) };
  if (m.data.length !== n * d) throw new RangeError(`matrix: ${m.data.length} values for (${n}, ${d})`);
  return m;
}

/** Row-wise concatenation of matrices with the same d. */
export function stackRows(ms: readonly Matrix[]): Matrix {
  const d = ms[0]?.d ?? 0;
  if (ms.some((m) => m.d !== d)) throw new RangeError('stackRows: matrices have different widths');
  const out = matrix(ms.reduce((a, m) => a + m.n, 0), d);
  let at = 0;
  for (const m of ms) {
    out.data.set(m.data, at);
    at += m.data.length;
  }
  return out;
}

export interface PcaModel {
  mean: Float64Array; // (d)
  /** Principal axes, (k, d) row-major. */
  components: Matrix;
  explainedVariance: number[];
  explainedVarianceRatio: number[];
}

/** Fit k components to x (n ≥ 2 points). */
export function fitPca(x: Matrix, k: number): PcaModel {
  if (x.n < 2) throw new RangeError(`fitPca: need at least 2 points, got ${x.n}`);
  const kk = Math.min(k, x.n, x.d);
  return T.tidy(() => {
    const X = T.tensor(x.data, { shape: [x.n, x.d] }); // (n, d) float64
    const mu = X.meanDim(0, { keepdim: true }); // (1, d)
    const [U, S, Vh] = T.linalgSvd(X.sub(mu), { fullMatrices: false }); // (n, r), (r), (r, d)
    const variance = S.square().divScalar(x.n - 1); // (r)
    // svd_flip: sign of the largest-|·| entry of each column of U.
    const maxIdx = U.abs().argmax({ dim: 0, keepdim: true }); // (1, r)
    const signs = T.sign(U.gather(0, maxIdx)).squeezeDim(0); // (r)
    const safe = T.where(signs.eqScalar(0), T.onesLike(signs), signs); // (r)
    const comps = Vh.mul(safe.unsqueeze(1)).narrow(0, 0, kk); // (k, d)
    const all = Array.from(variance.toTypedArray() as Float64Array);
    const total = all.reduce((a, b) => a + b, 0);
    const ev = all.slice(0, kk);
    return {
      mean: Float64Array.from(mu.toTypedArray() as Float64Array),
      components: matrix(kk, x.d, comps.contiguous().toTypedArray() as Float64Array),
      explainedVariance: ev,
      explainedVarianceRatio: ev.map((v) => (total > 0 ? v / total : 0)),
    };
  });
}

/** Project x onto the model's components: (n, k). */
export function transformPca(model: PcaModel, x: Matrix): Matrix {
  const { components: c, mean } = model;
  if (x.d !== c.d) throw new RangeError(`transformPca: points have d = ${x.d}, the model d = ${c.d}`);
  const out = matrix(x.n, c.n);
  for (let i = 0; i < x.n; i++) {
    for (let j = 0; j < c.n; j++) {
      let s = 0;
      for (let q = 0; q < x.d; q++) s += (x.data[i * x.d + q]! - mean[q]!) * c.data[j * c.d + q]!;
      out.data[i * c.n + j] = s;
    }
  }
  return out;
}

/** Fit and project in one call. */
export function pca(x: Matrix, k: number): { model: PcaModel; projected: Matrix } {
  const model = fitPca(x, k);
  return { model, projected: transformPca(model, x) };
}
