/**
 * A compact UMAP (McInnes, Healy & Melville 2018, arXiv:1802.03426 §3; umap-learn 0.5's
 * `fuzzy_simplicial_set` and `optimize_layout_euclidean`) for the latent-space plots (paper
 * Appendix A.3.2, Figure A.1).
 *
 * 1. Exact k nearest neighbours (Euclidean; k = nNeighbors − 1 others, umap-learn counting the
 *    point itself among its nNeighbors).
 * 2. Smooth kNN distances: ρ_i = distance to the nearest neighbour; σ_i by bisection so that
 *    Σ_j exp(−max(0, d_ij − ρ_i)/σ_i) = log2(nNeighbors); w_ij = exp(−max(0, d_ij − ρ_i)/σ_i).
 * 3. Fuzzy union: w = w + wᵀ − w ∘ wᵀ; edges below max(w)/epochs dropped.
 * 4. Curve Φ(d) = 1/(1 + a d^{2b}) fitted (Levenberg–Marquardt) to the min-dist target
 *    (1 for d < minDist, exp(−(d − minDist)) beyond, spread 1): a ≈ 1.577, b ≈ 0.895 at 0.1.
 * 5. SGD as umap-learn: each edge sampled every max(w)/w_ij epochs, attractive step
 *    −2ab d^{2(b−1)}/(1 + a d^{2b})·(y_i − y_j) on both ends, `negativeRate` repulsive samples per
 *    positive one 2b/((0.001 + d²)(1 + a d^{2b}))·(y_i − y_k), every coordinate step clipped to
 *    ±4, learning rate 1 decaying linearly to 0.
 *
 * Simplifications (ours): exact kNN instead of NN-descent; the initial layout is the 2-D PCA of
 * the data scaled to a largest coordinate of 10 (umap-learn: a spectral embedding scaled the same
 * way); one thread, a seeded generator for the negative samples (deterministic).
 */
import { Rng } from '../../data/syncdraw/rng.js';
import { pca, type Matrix } from './pca.js';
import { squaredDistances } from './tsne.js';

export interface UmapOptions {
  nNeighbors?: number;
  minDist?: number;
  epochs?: number;
  negativeRate?: number;
  seed?: number;
}

/** Fit Φ(d) = 1/(1 + a d^{2b}) to umap-learn's target curve for `minDist` (spread 1). */
export function fitAB(minDist: number, spread = 1): { a: number; b: number } {
  const xs = Array.from({ length: 300 }, (_, i) => (3 * spread * i) / 299);
  const ys = xs.map((x) => (x < minDist ? 1 : Math.exp(-(x - minDist) / spread)));
  const sse = (a: number, b: number): number => xs.reduce((s, x, i) => s + (1 / (1 + a * x ** (2 * b)) - ys[i]!) ** 2, 0);
  let a = 1;
  let b = 1;
  let lambda = 1e-3;
  let err = sse(a, b);
  for (let it = 0; it < 200; it++) {
    // J^T J and J^T r for the residuals r_k = Φ(x_k) − y_k.
    let jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
    xs.forEach((x, i) => {
      if (x === 0) return;
      const p = x ** (2 * b);
      const den = (1 + a * p) ** 2;
      const da = -p / den;
      const db = (-a * p * 2 * Math.log(x)) / den;
      const r = 1 / (1 + a * p) - ys[i]!;
      jaa += da * da; jab += da * db; jbb += db * db; ga += da * r; gb += db * r;
    });
    const m00 = jaa * (1 + lambda);
    const m11 = jbb * (1 + lambda);
    const det = m00 * m11 - jab * jab;
    const stepA = -(m11 * ga - jab * gb) / det;
    const stepB = -(m00 * gb - jab * ga) / det;
    const e2 = sse(a + stepA, b + stepB);
    if (e2 < err) {
      a += stepA;
      b += stepB;
      lambda /= 10;
      if (err - e2 < 1e-14) break;
      err = e2;
    } else lambda *= 10;
  }
  return { a, b };
}

interface Graph {
  heads: Int32Array;
  tails: Int32Array;
  weights: Float64Array;
}

/** Steps 1–3: the symmetric fuzzy kNN graph as directed edges (i, j) and (j, i). */
export function fuzzyGraph(x: Matrix, nNeighbors: number, epochs: number): Graph {
  const n = x.n;
  const k = Math.min(nNeighbors - 1, n - 1);
  if (k < 1) throw new RangeError(`UMAP: need nNeighbors ≥ 2 and at least 2 points, got ${nNeighbors} and ${n}`);
  const d2 = squaredDistances(x);
  const w = new Float64Array(n * n);
  const target = Math.log2(k + 1);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) order[j] = j;
    const nn = Array.from(order).filter((j) => j !== i).sort((p, q) => d2[i * n + p]! - d2[i * n + q]!).slice(0, k);
    const dist = nn.map((j) => Math.sqrt(d2[i * n + j]!));
    const rho = dist.find((v) => v > 0) ?? 0;
    let lo = 0;
    let hi = Infinity;
    let sigma = 1;
    for (let it = 0; it < 64; it++) {
      const s = dist.reduce((acc, v) => acc + Math.exp(-Math.max(0, v - rho) / sigma), 0);
      if (Math.abs(s - target) < 1e-5) break;
      if (s > target) {
        hi = sigma;
        sigma = (lo + hi) / 2;
      } else {
        lo = sigma;
        sigma = hi === Infinity ? sigma * 2 : (lo + hi) / 2;
      }
    }
    const meanDist = dist.reduce((a, v) => a + v, 0) / dist.length;
    sigma = Math.max(sigma, 1e-3 * meanDist);
    nn.forEach((j, m) => (w[i * n + j] = Math.exp(-Math.max(0, dist[m]! - rho) / sigma)));
  }
  const heads: number[] = [];
  const tails: number[] = [];
  const weights: number[] = [];
  let wmax = 0;
  const sym = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = w[i * n + j]!;
      const b = w[j * n + i]!;
      sym[i * n + j] = a + b - a * b;
      wmax = Math.max(wmax, sym[i * n + j]!);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = sym[i * n + j]!;
      if (v > 0 && v >= wmax / epochs) {
        heads.push(i);
        tails.push(j);
        weights.push(v);
      }
    }
  }
  return { heads: Int32Array.from(heads), tails: Int32Array.from(tails), weights: Float64Array.from(weights) };
}

/** Initial layout: 2-D PCA scaled to a largest |coordinate| of 10, plus 10⁻⁴ jitter. */
function initialLayout(x: Matrix, rng: Rng): Float64Array {
  const { projected } = pca(x, 2);
  const y = new Float64Array(x.n * 2);
  let amax = 0;
  for (let i = 0; i < x.n; i++) {
    for (let c = 0; c < 2; c++) {
      const v = c < projected.d ? projected.data[i * projected.d + c]! : 0;
      y[2 * i + c] = v;
      amax = Math.max(amax, Math.abs(v));
    }
  }
  const scale = amax > 0 ? 10 / amax : 1;
  for (let k = 0; k < y.length; k++) y[k] = y[k]! * scale + 1e-4 * rng.normal();
  return y;
}

const clip4 = (v: number): number => (v > 4 ? 4 : v < -4 ? -4 : v);

/** 2-D UMAP embedding of x: (n, 2) row-major. */
export function umap(x: Matrix, opts: UmapOptions = {}): Float64Array {
  const epochs = opts.epochs ?? 200;
  const negRate = opts.negativeRate ?? 5;
  const { a, b } = fitAB(opts.minDist ?? 0.1);
  const g = fuzzyGraph(x, opts.nNeighbors ?? 15, epochs);
  const rng = Rng.fromSeed(opts.seed ?? 0).fork('umap');
  const y = initialLayout(x, rng);
  const m = g.weights.length;
  const wmax = g.weights.reduce((s, v) => Math.max(s, v), 0);
  const eps = Float64Array.from(g.weights, (w) => wmax / w); // epochs per sample
  const epsNeg = Float64Array.from(eps, (e) => e / negRate);
  const nextSample = Float64Array.from(eps);
  const nextNeg = Float64Array.from(epsNeg);
  for (let ep = 0; ep < epochs; ep++) {
    const alpha = 1 - ep / epochs;
    for (let e = 0; e < m; e++) {
      if (nextSample[e]! > ep) continue;
      const i = g.heads[e]!;
      const j = g.tails[e]!;
      // attractive step on both ends
      const dx = y[2 * i]! - y[2 * j]!;
      const dy = y[2 * i + 1]! - y[2 * j + 1]!;
      const dd = dx * dx + dy * dy;
      const ca = dd > 0 ? (-2 * a * b * dd ** (b - 1)) / (a * dd ** b + 1) : 0;
      const gx = clip4(ca * dx) * alpha;
      const gy = clip4(ca * dy) * alpha;
      y[2 * i] = y[2 * i]! + gx;
      y[2 * i + 1] = y[2 * i + 1]! + gy;
      y[2 * j] = y[2 * j]! - gx;
      y[2 * j + 1] = y[2 * j + 1]! - gy;
      nextSample[e] = nextSample[e]! + eps[e]!;
      // repulsive steps against random points
      const nNeg = Math.floor((ep - nextNeg[e]!) / epsNeg[e]!);
      for (let p = 0; p < nNeg; p++) {
        const k = rng.int(0, x.n);
        if (k === i) continue;
        const rx = y[2 * i]! - y[2 * k]!;
        const ry = y[2 * i + 1]! - y[2 * k + 1]!;
        const rr = rx * rx + ry * ry;
        if (rr <= 0) continue;
        const cr = (2 * b) / ((0.001 + rr) * (a * rr ** b + 1));
        y[2 * i] = y[2 * i]! + clip4(cr * rx) * alpha;
        y[2 * i + 1] = y[2 * i + 1]! + clip4(cr * ry) * alpha;
      }
      nextNeg[e] = nextNeg[e]! + Math.max(0, nNeg) * epsNeg[e]!;
    }
  }
  return y;
}
