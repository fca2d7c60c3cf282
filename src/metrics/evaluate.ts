/**
 * Run metrics over a context and produce the evaluation report `t2v eval` writes:
 *
 *   { format: 't2vlab-eval', version: 1,
 *     videos: { count, skipped: [{file, error}], source },
 *     metrics: { [name]: MetricResult & { seconds } },      // in the order asked for
 *     failed: { [name]: message },                          // metrics that threw
 *     settings: {...}, versions: { node, engine }, notes: [...] }
 *
 * JSON has no NaN: {@link reportToJson} writes every non-finite number as null and adds a note
 * naming where (per-video ones are counted per metric; each record's own `note` says why).
 */
import { writeFileAtomic } from '../io/atomic.js';
import * as T from '../tensor/index.js';
import { getMetric } from './registry.js';
import type { MetricContext, MetricResult } from './types.js';
import type { SkippedFile } from './video-set.js';

export interface TimedResult extends MetricResult {
  /** Wall-clock seconds `compute` took (includes encoding the videos when it came first). */
  seconds: number;
}

export interface EvalReport {
  format: 't2vlab-eval';
  version: 1;
  videos: { count: number; skipped: SkippedFile[]; source?: string };
  metrics: Record<string, TimedResult>;
  failed: Record<string, string>;
  settings: Record<string, unknown>;
  versions: { node: string; engine: { torch: string; parallel: string } };
  notes: string[];
}

export interface EvaluateOptions {
  /** Files that could not be read (recorded in `videos.skipped`). */
  skipped?: SkippedFile[];
  /** Where the videos came from (folder or dataset:split). */
  source?: string;
  /** Run settings recorded as they are (flags, model folders). */
  settings?: Record<string, unknown>;
  /** Stop at the first metric that throws instead of recording it in `failed`. */
  failFast?: boolean;
}

/**
 * Compute `metricNames` (registry names; an unknown one throws listing the valid ones) in order,
 * timing each. A metric that throws is recorded in `failed` (and logged) unless `failFast`.
 */
export async function evaluate(ctx: MetricContext, metricNames: readonly string[], opts: EvaluateOptions = {}): Promise<EvalReport> {
  const defs = metricNames.map(getMetric);
  const engine = T.engineVersion();
  const report: EvalReport = {
    format: 't2vlab-eval', version: 1,
    videos: { count: ctx.videos.length, skipped: opts.skipped ?? [], ...(opts.source !== undefined ? { source: opts.source } : {}) },
    metrics: {}, failed: {},
    settings: { fps: ctx.fps, ...opts.settings },
    versions: { node: process.version, engine: { torch: engine.torch, parallel: engine.parallel } },
    notes: [],
  };
  for (const def of defs) {
    ctx.log?.(`${def.name}: computing over ${ctx.videos.length} videos`);
    const t0 = performance.now();
    let result: MetricResult;
    try {
      result = await def.compute(ctx);
    } catch (err) {
      if (opts.failFast) throw err;
      report.failed[def.name] = (err as Error).message;
      ctx.log?.(`${def.name} failed: ${(err as Error).message}`);
      continue;
    }
    const seconds = (performance.now() - t0) / 1000;
    // A metric may name its result after the extractor it fell back to (fvd → fvd_<domain model>); it is filed under its own name.
    if (result.metric !== def.name && !result.metric.startsWith(`${def.name}_`)) throw new Error(`metric '${def.name}' returned a result named '${result.metric}'`);
    report.metrics[def.name] = { ...result, seconds };
    ctx.log?.(`${def.name} = ${formatValue(result.aggregate)} (${seconds.toFixed(2)} s)`);
  }
  return report;
}

/** A JSON-safe copy: non-finite numbers become null; `found` collects their paths and values. */
function finiteCopy(v: unknown, path: string, found: { path: string; value: number }[]): unknown {
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return v;
    found.push({ path, value: v });
    return null;
  }
  if (Array.isArray(v)) return v.map((x, i) => finiteCopy(x, `${path}[${i}]`, found));
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, finiteCopy(x, path ? `${path}.${k}` : k, found)]));
  }
  return v;
}

/** The report as JSON text; NaN/±Infinity are written as null and each gets a note. */
export function reportToJson(report: EvalReport): string {
  const found: { path: string; value: number }[] = [];
  const safe = finiteCopy(report, '', found) as EvalReport;
  // Per-video values are counted per array (metrics.x.perVideo[*].value), everything else by path.
  const groups = new Map<string, number[]>();
  for (const f of found) {
    const key = f.path.replace(/\.perVideo\[\d+\]/, '.perVideo[*]');
    groups.set(key, [...(groups.get(key) ?? []), f.value]);
  }
  const notes = [...groups].map(([path, vals]) => {
    const kinds = [...new Set(vals.map(String))].join('/');
    return path.includes('[*]')
      ? `${path}: ${vals.length} ${kinds} value(s) written as null (each record's note says why)`
      : `${path} was ${kinds}; written as null`;
  });
  safe.notes = [...report.notes, ...notes];
  return JSON.stringify(safe, null, 2) + '\n';
}

/** Write the report atomically (temp file + rename) as {@link reportToJson}. */
export function writeReport(path: string, report: EvalReport): void {
  writeFileAtomic(path, reportToJson(report));
}

/** A value for the table: 4 decimals, 'n/a' for NaN. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'n/a' : String(v);
  return Math.abs(v) >= 1e5 ? v.toExponential(3) : v.toFixed(4);
}

/** Columns padded to their widest cell. */
function aligned(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

/**
 * A plain aligned table: metric, value, ↑/↓ (higher/lower is better), extractor; secondary
 * diagnostics in their own block below, failed metrics last.
 */
export function formatTable(report: EvalReport): string {
  const skipped = report.videos.skipped.length;
  const lines = [`${report.videos.count} videos${report.videos.source ? ` from ${report.videos.source}` : ''}` +
    `${skipped ? ` (${skipped} file${skipped > 1 ? 's' : ''} skipped)` : ''}`];
  const results = Object.entries(report.metrics);
  const block = (title: string | null, rs: [string, TimedResult][]): void => {
    if (rs.length === 0) return;
    lines.push('');
    if (title) lines.push(title);
    const rows = [['metric', 'value', '', 'extractor']];
    for (const [name, r] of rs) rows.push([name, formatValue(r.aggregate), r.higherIsBetter ? '↑' : '↓', r.extractor ?? '-']);
    lines.push(...aligned(rows));
  };
  block(null, results.filter(([, r]) => !r.secondary));
  block('secondary diagnostics', results.filter(([, r]) => r.secondary));
  const failed = Object.entries(report.failed);
  if (failed.length > 0) lines.push('', 'failed', ...failed.map(([n, m]) => `  ${n}: ${m.split('\n')[0]}`));
  return lines.join('\n') + '\n';
}
