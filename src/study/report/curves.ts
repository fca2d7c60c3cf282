/**
 * Training curves from each run's `log.jsonl` (written by src/train/run-dir.ts): one inline-SVG
 * line chart per method, loss against optimizer step, its seeds overlaid.
 *
 * What is read from `<study>/<run.files.run>/log.jsonl`, one JSON object per line:
 *   step   number, required: the optimizer step (the x axis);
 *   type   optional: lines whose type is present and not "train" (e.g. "val") are skipped;
 *   loss   number: the plotted figure. When no line has `loss`, the first numeric field of the
 *          first train line that is not bookkeeping (step, epoch, time, lr, lr_*, videos_per_s)
 *          is plotted instead and named on the axis.
 * Blank lines are ignored; malformed lines and lines without a finite step/figure are counted
 * and reported under the chart. Nothing else (time, lr, ...) is needed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StudyMethod, StudyResults } from '../results.js';
import { assetElement, loadAsset, type Asset } from './assets.js';
import { FAMILY_COLOUR, esc, formatNumber } from './format.js';
import { logTicks, niceTicks, px, scale, tickDecimals, xAxis, yAxis } from './svg.js';
import { orderedMethods, runsOf } from './view.js';

/** One seed's curve: (step, value) points in log order. */
export interface CurveSeries {
  seed: number;
  figure: string;
  points: [number, number][];
  /** Lines that could not be used (malformed JSON, no finite step or figure). */
  skipped: number;
}

const BOOKKEEPING = new Set(['step', 'epoch', 'time', 'type', 'lr', 'videos_per_s']);
const MAX_POINTS = 300;
const DASHES = ['', '6 3', '2 3', '9 3 2 3', '4 4'];

/** The figure a log's curve shows: `loss` when present, else the first non-bookkeeping number. */
export function pickFigure(records: readonly Record<string, unknown>[]): string | null {
  if (records.some((r) => typeof r.loss === 'number')) return 'loss';
  for (const r of records) {
    for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && !BOOKKEEPING.has(k) && !k.startsWith('lr_')) return k;
  }
  return null;
}

/** Parse a log.jsonl text into train records; counts lines that are not JSON objects. */
export function parseTrainLog(text: string): { records: Record<string, unknown>[]; bad: number } {
  const records: Record<string, unknown>[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      bad++;
      continue;
    }
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) { bad++; continue; }
    const type = (rec as Record<string, unknown>).type;
    if (type === undefined || type === 'train') records.push(rec as Record<string, unknown>);
  }
  return { records, bad };
}

/** A curve from a log text (null when it has no plottable figure); long curves are thinned to at most 300 points. */
export function curveFromLog(text: string, seed: number, figure?: string): CurveSeries | null {
  const { records, bad } = parseTrainLog(text);
  const fig = figure ?? pickFigure(records);
  if (!fig) return null;
  const pts: [number, number][] = [];
  let skipped = bad;
  for (const r of records) {
    const [s, v] = [r.step, r[fig]];
    if (typeof s === 'number' && Number.isFinite(s) && typeof v === 'number' && Number.isFinite(v)) pts.push([s, v]);
    else skipped++;
  }
  const stride = Math.ceil(pts.length / MAX_POINTS);
  const thin = stride <= 1 ? pts : pts.filter((_, i) => i % stride === 0 || i === pts.length - 1);
  return { seed, figure: fig, points: thin, skipped };
}

/** One method's chart from its seeds' curves. */
export function curveChart(method: StudyMethod, series: CurveSeries[], index: number): string {
  const W = 380, H = 230, L = 62, R = 12, T = 12, B = 44;
  const all = series.flatMap((s) => s.points);
  const [xs, ys] = [all.map((p) => p[0]), all.map((p) => p[1])];
  const log = Math.min(...ys) > 0 && Math.max(...ys) / Math.min(...ys) > 20;
  const tx = niceTicks(Math.min(...xs), Math.max(...xs), 5);
  const x = scale(tx.lo, tx.hi, L, W - R);
  const yt = log ? logTicks(Math.min(...ys), Math.max(...ys)) : niceTicks(Math.min(...ys), Math.max(...ys), 5).ticks;
  const [ylo, yhi] = log ? [Math.min(...ys, ...yt), Math.max(...ys, ...yt)] : [yt[0]!, yt[yt.length - 1]!];
  const y = scale(ylo, yhi, H - B, T, log);
  const figure = series[0]!.figure;
  const yfmt = (v: number) => (!log ? formatNumber(v, tickDecimals(yt.length > 1 ? yt[1]! - yt[0]! : 1))
    : v >= 1e-3 && v < 1e4 ? String(Number(v.toPrecision(1))) : v.toExponential(0).replace('+', ''));
  const colour = FAMILY_COLOUR[method.family];
  const lines = series.map((s, i) => `<polyline fill="none" stroke="${colour}" stroke-width="1.6" stroke-opacity="${i === 0 ? 1 : 0.75}"` +
    `${DASHES[i % DASHES.length] ? ` stroke-dasharray="${DASHES[i % DASHES.length]}"` : ''} points="${s.points.map(([a, b]) => `${px(x(a))},${px(y(b))}`).join(' ')}">` +
    `<title>seed ${s.seed}</title></polyline>`).join('');
  const titleId = `curve-${index}-title`;
  const legend = series.map((s, i) => `<span class="seed"><svg width="24" height="8" aria-hidden="true"><line x1="0" x2="24" y1="4" y2="4" stroke="${colour}" stroke-width="2"` +
    `${DASHES[i % DASHES.length] ? ` stroke-dasharray="${DASHES[i % DASHES.length]}"` : ''}/></svg> seed ${s.seed}</span>`).join(' ');
  return `<figure class="curve"><svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${titleId}"><title id="${titleId}">${esc(`${method.label}: training ${figure} by step`)}</title>` +
    `${xAxis(tx.ticks, x, H - B, T, 'optimizer step', tickDecimals(tx.step))}${yAxis(yt, y, L, W - R, `${figure}${log ? ' (log scale)' : ''}`, yfmt)}${lines}</svg>` +
    `<figcaption><strong style="color:${colour}">${esc(method.label)}</strong> ${legend}</figcaption></figure>`;
}

/** Every method's training-curve chart, then any prerendered curve files from `assets.curves`. */
export function renderCurves(r: StudyResults, studyDir: string, missing: Asset[]): string {
  const notes: string[] = [];
  // Real videos (the reference family) are not trained: no curve to draw.
  const charts = orderedMethods(r).filter((m) => m.family !== 'reference').map((m, i) => {
    const series: CurveSeries[] = [];
    for (const run of runsOf(r, m.id)) {
      const file = join(studyDir, run.files.run, 'log.jsonl');
      if (!existsSync(file)) { notes.push(`${m.label}, seed ${run.seed}: no log at <code>${esc(join(run.files.run, 'log.jsonl'))}</code>`); continue; }
      const c = curveFromLog(readFileSync(file, 'utf8'), run.seed, series[0]?.figure);
      if (!c || c.points.length === 0) { notes.push(`${m.label}, seed ${run.seed}: the log has no step/loss lines`); continue; }
      if (c.skipped > 0) notes.push(`${m.label}, seed ${run.seed}: ${c.skipped} log line(s) skipped (not JSON or no finite step/${esc(c.figure)})`);
      series.push(c);
    }
    return series.length > 0 ? curveChart(m, series, i) : '';
  }).join('');
  const files = r.assets.curves.map((c) => {
    const a = loadAsset(studyDir, c.file);
    if (a.kind === 'missing') missing.push(a);
    return `<figure class="plot">${assetElement(a, c.title)}<figcaption><strong>${esc(c.title)}</strong> · ${esc(c.method)}</figcaption></figure>`;
  }).join('');
  return (charts ? `<div class="curves">${charts}</div>` : '<p class="note">No training logs were found for any run.</p>') +
    (notes.length ? `<ul class="note">${notes.map((n) => `<li>${n}</li>`).join('')}</ul>` : '') +
    (files ? `<div class="figures">${files}</div>` : '');
}
