// Shared pieces of the diffusion tests: analytic ("oracle") denoisers whose optimal predictions
// are closed forms, and a seeded normal generator independent of libtorch's.
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { Rng } from '../../src/data/syncdraw/rng.js';

/** n standard normals from a seeded stream (float64 values). */
export function normals(n: number, seed: number): number[] {
  const rng = Rng.fromSeed(seed);
  return Array.from({ length: n }, () => rng.normal());
}

/** A float64 tensor of standard normals. */
export function randn64(shape: number[], seed: number): Tensor {
  return T.tensor(Float64Array.from(normals(shape.reduce((a, b) => a * b, 1), seed)), { shape });
}

/**
 * Data that is a single point x*: the exact E[ε | x_t] = (x_t − √ᾱ_t x*)/√(1 − ᾱ_t), and the
 * matching v = √ᾱ ε − √(1−ᾱ) x*. `abar(t)` is the closed-form ᾱ of the schedule under test.
 */
export function pointOracle(xStar: Tensor, abar: (t: number) => number, type: 'epsilon' | 'v_prediction') {
  return (x: Tensor, t: number): Tensor =>
    T.tidy(() => {
      const a = abar(t);
      const eps = x.sub(xStar.mulScalar(Math.sqrt(a))).divScalar(Math.sqrt(1 - a)); // (B, …)
      return type === 'epsilon' ? eps : eps.mulScalar(Math.sqrt(a)).sub(xStar.mulScalar(Math.sqrt(1 - a))); // (B, …)
    });
}

/**
 * Gaussian data x0 ~ N(μ, s² I): x_t ~ N(√ᾱ μ, (ᾱ s² + 1 − ᾱ) I), so
 * E[ε | x_t] = √(1−ᾱ)(x_t − √ᾱ μ)/(ᾱ s² + 1 − ᾱ).
 */
export function gaussianOracle(mu: number, s: number, abar: (t: number) => number) {
  return (x: Tensor, t: number): Tensor =>
    T.tidy(() => {
      const a = abar(t);
      return x.subScalar(Math.sqrt(a) * mu).mulScalar(Math.sqrt(1 - a) / (a * s * s + 1 - a)); // (B, …)
    });
}

/** Max |a − b| over two arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** A text condition (B, L, D) whose row b has lengths[b] real tokens (the rest padding, mask false). */
export function makeCond(lengths: number[], L: number, D: number, seed: number, dtype: 'float32' | 'float64' = 'float32') {
  return T.tidy(() => {
    const B = lengths.length;
    const states = randn64([B, L, D], seed).toDType(dtype); // (B, L, D)
    const mask = T.tensor(lengths.flatMap((n) => Array.from({ length: L }, (_, l) => l < n)), { shape: [B, L], dtype: 'bool' }); // (B, L)
    const pooled = randn64([B, D], seed + 1).toDType(dtype); // (B, D)
    return { states, mask, pooled };
  });
}

/** Perturb every parameter by N(0, std²) (seeded) so zero-initialised outputs become non-trivial. */
export function perturb(params: Tensor[], seed: number, std = 0.05): void {
  T.noGrad(() => params.forEach((p, i) => T.tidy(() => void p.add_(randn64(p.shape, seed + i).toDType(p.dtype).mulScalar(std)))));
}
