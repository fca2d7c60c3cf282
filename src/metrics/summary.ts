/**
 * Small statistics shared by the metrics: means, the population standard deviation, and the
 * mean over the videos whose value is defined (NaN per-video values carry a note and are left
 * out of the aggregate, never counted as 0).
 */
import { MetricInputError, type MetricContext, type PerVideoRecord } from './types.js';

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Population standard deviation (divide by N, numpy's default `ddof=0`); NaN for an empty list. */
export function populationStd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

/** Mean of the finite per-video values, and how many there were. */
export function meanOfDefined(records: readonly PerVideoRecord[]): { value: number; defined: number } {
  const vals = records.map((r) => r.value).filter((v) => Number.isFinite(v));
  return { value: mean(vals), defined: vals.length };
}

/** The context's CLIP model, or a MetricInputError naming the metric and the flag. */
export function requireClip(ctx: MetricContext, metric: string): NonNullable<MetricContext['clip']> {
  if (!ctx.clip) throw new MetricInputError(`metric '${metric}' needs a CLIP model: pass --clip DIR`);
  return ctx.clip;
}

/** The note for a per-video value that is NaN because a feature was the zero vector. */
export const ZERO_FEATURE_NOTE = 'a feature vector was zero, so a cosine is undefined';
