/**
 * Exact t-SNE (van der Maaten & Hinton, JMLR 2008, Algorithm 1; the O(N²) gradient, no
 * Barnes–Hut), for the latent-space plots of up to ~2000 points (paper Appendix A.3.2).
 *
 *   p_{j|i} = exp(−β_i‖x_i − x_j‖²) / Σ_{k≠i} exp(−β_i‖x_i − x_k‖²), β_i by bisection so that
 *             H(P_i) = log(perplexity)                                              (eq. 1, 4)
 *   p_ij    = (p_{j|i} + p_{i|j}) / 2N
 *   q_ij    = (1 + ‖y_i − y_j‖²)⁻¹ / Σ_{k≠l} (1 + ‖y_k − y_l‖²)⁻¹                     (eq. 4)
 *   ∂C/∂y_i = 4 Σ_j (p_ij − q_ij)(y_i − y_j)(1 + ‖y_i − y_j‖²)⁻¹                     (eq. 5)
 *
 * Optimisation as the reference implementation and scikit-learn: early exaggeration 12 for the
 * first 250 iterations with momentum 0.5, then momentum 0.8; delta-bar-delta gains (+0.2 / ×0.8,
 * floor 0.01); learning rate max(N / 12 / 4, 50) (scikit-learn's 'auto'); initial Y ~ N(0, 10⁻⁴ I)
 * from a seeded generator; Y re-centred every iteration.
 */
import { Rng } from '../../data/syncdraw/rng.js';
import type { Matrix } from './pca.js';

export interface TsneOptions {
  perplexity?: number;
  iterations?: number;
  seed?: number;
  /** Default max(N / 12 / 4, 50). */
  learningRate?: number;
  earlyExaggeration?: number;
  exaggerationIterations?: number;
}

/** Squared Euclidean distances, (n, n) row-major. */
export function squaredDistances(x: Matrix): Float64Array {
  const { n, d, data } = x;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const t = data[i * d + k]! - data[j * d + k]!;
        s += t * t;
      }
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Symmetric joint probabilities P (n, n) for a perplexity (eq. 1 with bisection on β_i). */
export function jointProbabilities(dist2: Float64Array, n: number, perplexity: number): Float64Array {
  if (!(perplexity > 0 && perplexity < n)) throw new RangeError(`t-SNE: perplexity must be in (0, ${n}) for ${n} points, got ${perplexity}`);
  const target = Math.log(perplexity);
  const cond = new Float64Array(n * n);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    for (let it = 0; it < 100; it++) {
      // H = log Σ exp(−β d) + β Σ d p  (natural log), with distances shifted by the row minimum for stability
      let sum = 0;
      let dmin = Infinity;
      for (let j = 0; j < n; j++) if (j !== i && dist2[i * n + j]! < dmin) dmin = dist2[i * n + j]!;
      let sdp = 0;
      for (let j = 0; j < n; j++) {
        const p = j === i ? 0 : Math.exp(-beta * (dist2[i * n + j]! - dmin));
        row[j] = p;
        sum += p;
        sdp += p * (dist2[i * n + j]! - dmin);
      }
      const h = Math.log(sum) + (beta * sdp) / sum;
      for (let j = 0; j < n; j++) cond[i * n + j] = row[j]! / sum;
      const diff = h - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) p[i * n + j] = Math.max((cond[i * n + j]! + cond[j * n + i]!) / (2 * n), 1e-12);
  }
  return p;
}

/** 2-D t-SNE embedding of x: (n, 2) row-major. */
export function tsne(x: Matrix, opts: TsneOptions = {}): Float64Array {
  const n = x.n;
  const iterations = opts.iterations ?? 1000;
  const exIters = opts.exaggerationIterations ?? 250;
  const exaggeration = opts.earlyExaggeration ?? 12;
  const lr = opts.learningRate ?? Math.max(n / exaggeration / 4, 50);
  const P = jointProbabilities(squaredDistances(x), n, opts.perplexity ?? 30);
  const rng = Rng.fromSeed(opts.seed ?? 0).fork('tsne');
  const Y = Float64Array.from({ length: n * 2 }, () => 1e-4 * rng.normal());
  const update = new Float64Array(n * 2);
  const gains = new Float64Array(n * 2).fill(1);
  const num = new Float64Array(n * n);
  const grad = new Float64Array(n * 2);
  for (let it = 0; it < iterations; it++) {
    const ex = it < exIters ? exaggeration : 1;
    const momentum = it < exIters ? 0.5 : 0.8;
    // 1. Student-t kernel and its normaliser.
    let z = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = Y[2 * i]! - Y[2 * j]!;
        const dy = Y[2 * i + 1]! - Y[2 * j + 1]!;
        const q = 1 / (1 + dx * dx + dy * dy);
        num[i * n + j] = q;
        num[j * n + i] = q;
        z += 2 * q;
      }
    }
    // 2. Gradient (eq. 5).
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      let gx = 0;
      let gy = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const q = num[i * n + j]!;
        const m = (ex * P[i * n + j]! - q / z) * q;
        gx += m * (Y[2 * i]! - Y[2 * j]!);
        gy += m * (Y[2 * i + 1]! - Y[2 * j + 1]!);
      }
      grad[2 * i] = 4 * gx;
      grad[2 * i + 1] = 4 * gy;
    }
    // 3. Gains, momentum step, re-centre.
    let mx = 0;
    let my = 0;
    for (let k = 0; k < 2 * n; k++) {
      const g = grad[k]!;
      gains[k] = Math.max((g > 0) !== (update[k]! > 0) ? gains[k]! + 0.2 : gains[k]! * 0.8, 0.01);
      update[k] = momentum * update[k]! - lr * gains[k]! * g;
      Y[k] = Y[k]! + update[k]!;
      if (k % 2 === 0) mx += Y[k]!;
      else my += Y[k]!;
    }
    for (let i = 0; i < n; i++) {
      Y[2 * i] = Y[2 * i]! - mx / n;
      Y[2 * i + 1] = Y[2 * i + 1]! - my / n;
    }
  }
  return Y;
}
