/**
 * Aggregates over seeds (issue 9 part 2): the mean and the 95% Student-t interval
 *   mean ± t_{0.975, n−1} · s / √n,   s² = Σ (x_i − mean)² / (n − 1)
 * of the non-null values; n = 1 gives low = high = mean; no value gives null.
 * t_{0.975, ν} is tabulated for ν ≤ 30 (standard tables, 6 significant digits) and beyond that
 * taken from the Cornish–Fisher expansion around z = 1.959964 (Abramowitz & Stegun 26.7.5),
 * accurate to better than 1e-4 for ν > 30.
 */
import type { Interval } from './results.js';

const T975: readonly number[] = [
  NaN, 12.7062, 4.30265, 3.18245, 2.77645, 2.57058, 2.44691, 2.36462, 2.30600, 2.26216, 2.22814,
  2.20099, 2.17881, 2.16037, 2.14479, 2.13145, 2.11991, 2.10982, 2.10092, 2.09302, 2.08596,
  2.07961, 2.07387, 2.06866, 2.06390, 2.05954, 2.05553, 2.05183, 2.04841, 2.04523, 2.04227,
];

/** The 0.975 quantile of Student's t with `df` ≥ 1 degrees of freedom. */
export function tQuantile975(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) throw new RangeError(`tQuantile975: degrees of freedom must be an integer ≥ 1, got ${df}`);
  if (df < T975.length) return T975[df]!;
  const z = 1.959964;
  const [z3, z5, z7] = [z ** 3, z ** 5, z ** 7];
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

/** Mean and 95% Student-t interval of the non-null, finite values; null when there are none. */
export function interval(values: readonly (number | null)[]): Interval | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return null;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n === 1) return { mean, low: mean, high: mean, n };
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  // Guard low ≤ mean ≤ high against rounding when every value is the same.
  return { mean, low: Math.min(mean, mean - half), high: Math.max(mean, mean + half), n };
}
