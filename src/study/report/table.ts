/**
 * The comparison tables: one row per method grouped by family, one column per metric (mean with
 * its 95% interval over seeds, the best per column marked), the real-video ceiling as a
 * reference row, and the matched budgets (steps, training and sampling seconds) as columns.
 * Primary metrics go in the main table, secondary ones in a smaller one below it.
 *
 * A mean beyond the real-video ceiling in the better direction is marked † (ours): a generator
 * that "beats" real test videos is a warning, not a win. Measured on the 64×64 SyncDraw study:
 * collapsed joint methods scored B-PSNR 19.7 dB where the real videos score 16.8 dB against their
 * own buckets, because the PSNR-optimal answer for a bucket is its blurred mean video.
 */
import type { StudyMethod, StudyMetric, StudyResults } from '../results.js';
import { FAMILY_COLOUR, FAMILY_NAME, NONE, decimalsFor, esc, formatInterval, formatNumber, formatSeconds } from './format.js';
import { aggregateOf, bestInColumn, direction, mean, methodsByFamily, runsOf } from './view.js';

/** A column's display decimals: from every mean, ceiling and interval half-width in it. */
export function columnDecimals(r: StudyResults, metric: StudyMetric): number {
  const ivs = r.methods.map((m) => aggregateOf(r, m.id, metric.name)).filter((iv) => iv !== null);
  const ceiling = r.ceilings[metric.name];
  return decimalsFor([...ivs.map((iv) => iv.mean), ...(ceiling == null ? [] : [ceiling])], ivs.filter((iv) => iv.n > 1).map((iv) => (iv.high - iv.low) / 2));
}

/** Why a cell is empty, for its tooltip: the run notes that mention the metric, else a general reason. */
function nullReason(r: StudyResults, method: StudyMethod, metric: StudyMetric): string {
  const notes = runsOf(r, method.id).flatMap((run) => run.notes.filter((n) => n.includes(metric.name)).map((n) => `seed ${run.seed}: ${n}`));
  const base = `No value: ${metric.label} is undefined for ${method.label} in this study (e.g. the metric does not apply to it, or every seed's evaluation left it out).`;
  return notes.length > 0 ? `${base} Run notes: ${notes.join('; ')}` : base;
}

function headerCell(metric: StudyMetric, col: number): string {
  const d = direction(metric);
  const tip = `${metric.summary} (${d.words}; extractor: ${metric.extractor ?? 'none'})`;
  return `<th scope="col" class="num" data-metric="${esc(metric.name)}" title="${esc(tip)}">` +
    `<button type="button" class="sort" data-col="${col}">${esc(metric.label)} <span class="dir" aria-label="${esc(d.words)}">${d.arrow}</span></button>` +
    `${metric.extractor ? `<span class="extractor">${esc(metric.extractor)}</span>` : ''}</th>`;
}

/**
 * Whether `value` is beyond the real-video `ceiling` in the metric's better direction, as
 * displayed at `decimals` (equal-looking numbers are not beyond). False without a ceiling.
 */
export function beyondCeiling(value: number, ceiling: number | null | undefined, higherIsBetter: boolean, decimals: number): boolean {
  if (ceiling == null) return false;
  const [v, c] = [Number(value.toFixed(decimals)), Number(ceiling.toFixed(decimals))];
  return higherIsBetter ? v > c : v < c;
}

const BEYOND_TIP = 'beyond the real test videos\' own value ({c}): a generator should not beat real data here. ' +
  'For the bucket metrics (B-PSNR, B-SSIM) it is what a bucket-average, blurred video scores (collapse); ' +
  'for smoothness or consistency, a static video.';

function metricCell(r: StudyResults, method: StudyMethod, metric: StudyMetric, decimals: number, best: boolean): string {
  const iv = aggregateOf(r, method.id, metric.name);
  if (!iv) return `<td class="num none" data-value="" title="${esc(nullReason(r, method, metric))}">${NONE}</td>`;
  const text = formatInterval(iv, decimals);
  const [m, ci] = [text.split(' [')[0]!, text.includes(' [') ? `[${text.split(' [')[1]}` : ''];
  const ceiling = r.ceilings[metric.name];
  const beyond = beyondCeiling(iv.mean, ceiling, metric.higherIsBetter, decimals);
  const tip = (iv.n > 1 ? `mean over ${iv.n} seeds with its 95% interval` : 'one seed: no interval') + (best ? '; best in this column' : '') +
    (beyond ? `; ${BEYOND_TIP.replace('{c}', formatNumber(ceiling!, decimals))}` : '');
  return `<td class="num${best ? ' best' : ''}${beyond ? ' beyond' : ''}" data-value="${iv.mean}" title="${esc(tip)}">` +
    `${best ? '<span class="mark" aria-label="best in column">★</span>' : ''}` +
    `${beyond ? '<span class="mark beyond" aria-label="beyond the real-video ceiling">†</span>' : ''}<span class="mean">${m}</span>` +
    `${ci ? `<span class="ci">${ci}</span>` : ''}</td>`;
}

function budgetCells(r: StudyResults, method: StudyMethod): string {
  const runs = runsOf(r, method.id);
  const train = mean(runs.map((x) => x.trainSeconds)) ?? method.budget.seconds;
  const sample = mean(runs.map((x) => x.sampleSeconds));
  const cell = (v: number | null, text: string, tip: string) => `<td class="num budget" data-value="${v ?? ''}" title="${esc(tip)}">${text}</td>`;
  return cell(method.budget.steps, formatNumber(method.budget.steps, 0), 'optimizer steps of its own training') +
    cell(train, formatSeconds(train), `training wall-clock, mean over ${runs.length || 'the recorded'} run(s)`) +
    cell(sample, formatSeconds(sample), `sampling wall-clock, mean over ${runs.length} run(s)`);
}

/** A table of `metrics` over every method; `budgets` adds the steps / train / sample columns. */
function comparisonTable(r: StudyResults, metrics: StudyMetric[], opts: { id: string; caption: string; budgets: boolean; small?: boolean }): string {
  const decimals = new Map(metrics.map((m) => [m.name, columnDecimals(r, m)]));
  const competing = r.methods.filter((m) => m.family !== 'reference');
  const best = new Map(metrics.map((m) => [m.name, bestInColumn(
    competing.map((x) => ({ id: x.id, value: aggregateOf(r, x.id, m.name)?.mean ?? null })), m.higherIsBetter, decimals.get(m.name))]));
  const ncol = 1 + metrics.length + (opts.budgets ? 3 : 0);
  const head = `<tr><th scope="col" class="method">Method</th>${metrics.map((m, i) => headerCell(m, i + 1)).join('')}` +
    (opts.budgets ? ['Steps', 'Train', 'Sample'].map((h, i) => `<th scope="col" class="num budget"><button type="button" class="sort" data-col="${metrics.length + 1 + i}">${h}</button></th>`).join('') : '') + '</tr>';
  const groups = methodsByFamily(r).map((g) => `<tbody class="family" data-family="${g.family}">` +
    `<tr class="group"><th colspan="${ncol}" scope="colgroup" style="--fam:${FAMILY_COLOUR[g.family]}">${esc(FAMILY_NAME[g.family])}</th></tr>` +
    g.methods.map((m) => `<tr data-method="${esc(m.id)}" style="--fam:${FAMILY_COLOUR[m.family]}">` +
      `<th scope="row" class="method" title="${esc(m.description)}">${esc(m.label)}<span class="latent">${esc(m.latent)}</span></th>` +
      metrics.map((x) => metricCell(r, m, x, decimals.get(x.name)!, best.get(x.name)!.has(m.id))).join('') +
      (opts.budgets ? budgetCells(r, m) : '') + '</tr>').join('') + '</tbody>').join('');
  const ceiling = `<tbody class="ceiling-group"><tr class="ceiling" data-ceiling="real"><th scope="row" class="method" title="the metric suite on real test videos, mean over seeds">Real videos<span class="latent">ceiling (test split)</span></th>` +
    metrics.map((m) => {
      const v = r.ceilings[m.name];
      return v == null ? `<td class="num none" title="No ceiling: ${esc(m.label)} was not computed on real videos (it needs generated samples or is undefined for them).">${NONE}</td>`
        : `<td class="num" title="real test videos, mean over seeds">${formatNumber(v, decimals.get(m.name))}</td>`;
    }).join('') + (opts.budgets ? `<td class="num budget">${NONE}</td>`.repeat(3) : '') + '</tr></tbody>';
  return `<div class="table-wrap"><table id="${opts.id}" class="results sortable${opts.small ? ' small' : ''}">` +
    `<caption>${opts.caption}</caption><thead>${head}</thead>${groups}${ceiling}</table></div>`;
}

/** The main comparison table (primary metrics and budgets) and the secondary-metrics table. */
export function renderTables(r: StudyResults, primary: StudyMetric[], secondary: StudyMetric[]): string {
  const spread = r.seeds.length > 1 ? `Mean over ${r.seeds.length} seeds with the 95% interval in brackets below it.` : 'One seed: values without intervals.';
  const main = comparisonTable(r, primary, {
    id: 'comparison', budgets: true,
    caption: `${spread} <span class="mark">★</span> best in its column among the generating methods (ties all marked). ` +
      `<span class="mark beyond">†</span> better than the real videos themselves: a warning (e.g. a blurred bucket average), not a win. ↑/↓: which way is better. Hover a header for what the metric means.`,
  });
  const second = secondary.length === 0 ? '' : `<h3>Secondary metrics</h3>` + comparisonTable(r, secondary, {
    id: 'secondary', budgets: false, small: true,
    caption: `Secondary metrics: diagnostic, not part of the headline. ${spread}`,
  });
  return main + second;
}
