/**
 * Read-only views of a StudyResults the report's parts share: methods grouped by family, a
 * method's aggregate on a metric, its runs and mean costs, and the best method(s) of a column.
 * Nothing here recomputes a score: aggregates and ceilings are taken as written.
 */
import type { Family, Interval, StudyMethod, StudyMetric, StudyResults, StudyRun } from '../results.js';
import { FAMILIES } from './format.js';

export interface FamilyGroup {
  family: Family;
  methods: StudyMethod[];
}

/** Methods grouped by family (joint, specialised, reference), each group in results order; empty groups dropped. */
export function methodsByFamily(r: StudyResults): FamilyGroup[] {
  return FAMILIES.map((family) => ({ family, methods: r.methods.filter((m) => m.family === family) })).filter((g) => g.methods.length > 0);
}

/** Methods in display order (grouped by family). */
export function orderedMethods(r: StudyResults): StudyMethod[] {
  return methodsByFamily(r).flatMap((g) => g.methods);
}

/** The aggregate interval of `method` on `metric`, or null when absent or undefined. */
export function aggregateOf(r: StudyResults, method: string, metric: string): Interval | null {
  return r.aggregates[method]?.[metric] ?? null;
}

/** The runs of one method, by seed. */
export function runsOf(r: StudyResults, method: string): StudyRun[] {
  return r.runs.filter((x) => x.method === method).sort((a, b) => a.seed - b.seed);
}

/** Arithmetic mean, null for an empty list. */
export function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Primary metrics (the comparison table) and secondary ones (the smaller table), in results order. */
export function splitMetrics(r: StudyResults): { primary: StudyMetric[]; secondary: StudyMetric[] } {
  return { primary: r.metrics.filter((m) => !m.secondary), secondary: r.metrics.filter((m) => m.secondary) };
}

/** The metric's direction as an arrow and words. */
export function direction(m: StudyMetric): { arrow: string; words: string } {
  return m.higherIsBetter ? { arrow: '↑', words: 'higher is better' } : { arrow: '↓', words: 'lower is better' };
}

/**
 * The ids whose value is best in a column, respecting `higherIsBetter`; every id tied with the
 * best is included. Nulls never win. With `decimals`, values are compared as displayed (rounded),
 * so two cells that read the same are both marked.
 * @example bestInColumn([{ id: 'a', value: 1 }, { id: 'b', value: 2 }], false) // Set {'a'}
 */
export function bestInColumn(values: readonly { id: string; value: number | null }[], higherIsBetter: boolean, decimals?: number): Set<string> {
  const key = (v: number) => (decimals === undefined ? v : Number(v.toFixed(decimals)));
  const finite = values.filter((v): v is { id: string; value: number } => v.value !== null && Number.isFinite(v.value));
  if (finite.length === 0) return new Set();
  const keys = finite.map((v) => key(v.value));
  const best = higherIsBetter ? Math.max(...keys) : Math.min(...keys);
  const tol = decimals === undefined ? 1e-12 * Math.max(1, Math.abs(best)) : 0;
  return new Set(finite.filter((_, i) => Math.abs(keys[i]! - best) <= tol).map((v) => v.id));
}

/** The best method of a family on a metric (by mean; first in results order on a tie), or null. */
export function familyBest(r: StudyResults, family: Family, metric: StudyMetric): { method: StudyMethod; iv: Interval } | null {
  let out: { method: StudyMethod; iv: Interval } | null = null;
  for (const m of r.methods.filter((x) => x.family === family)) {
    const iv = aggregateOf(r, m.id, metric.name);
    if (!iv || !Number.isFinite(iv.mean)) continue;
    if (!out || (metric.higherIsBetter ? iv.mean > out.iv.mean : iv.mean < out.iv.mean)) out = { method: m, iv };
  }
  return out;
}
