/**
 * Per-metric charts across methods: an inline-SVG dot plot per metric (Cleveland & McGill 1984:
 * position on a common scale reads best), a row per method grouped by family, the mean as a
 * family-shaped marker with its 95% interval as a whisker, and the real-video ceiling as a dashed
 * line. The x axis is labelled with the metric, its direction and the extractor that computed it.
 */
import type { StudyMetric, StudyResults } from '../results.js';
import { FAMILY_COLOUR, FAMILY_NAME, esc, formatInterval } from './format.js';
import { marker, niceTicks, px, scale, tickDecimals, xAxis } from './svg.js';
import { columnDecimals } from './table.js';
import { aggregateOf, bestInColumn, direction, methodsByFamily } from './view.js';

const W = 560;
const LEFT = 190;
const RIGHT = 24;
const TOP = 22;
const ROW = 22;
const GAP = 10;
const BOTTOM = 46;

/** The HTML legend of family colours and marker shapes. */
export function familyLegend(r: StudyResults): string {
  return `<ul class="legend">${methodsByFamily(r).map((g) => `<li><svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">` +
    `${marker(g.family, 7, 7, 5, FAMILY_COLOUR[g.family])}</svg> ${esc(FAMILY_NAME[g.family])}</li>`).join('')}` +
    `<li><svg width="22" height="14" viewBox="0 0 22 14" aria-hidden="true"><line x1="0" x2="22" y1="7" y2="7" class="ceiling-line"/></svg> real videos (ceiling)</li></ul>`;
}

/** One metric's dot plot as an SVG figure. */
export function metricChart(r: StudyResults, metric: StudyMetric, index: number): string {
  const groups = methodsByFamily(r);
  const rows = groups.flatMap((g, gi) => g.methods.map((m) => ({ m, gi })));
  const H = TOP + rows.length * ROW + (groups.length - 1) * GAP + BOTTOM;
  const ivs = rows.map(({ m }) => aggregateOf(r, m.id, metric.name));
  const ceiling = r.ceilings[metric.name] ?? null;
  const span = [...ivs.flatMap((iv) => (iv ? [iv.low, iv.high, iv.mean] : [])), ...(ceiling === null ? [] : [ceiling])].filter(Number.isFinite);
  const d = direction(metric);
  const titleId = `chart-${index}-title`;
  const label = `${metric.label} (${d.arrow} ${d.words})`;
  const caption = `<figcaption><strong>${esc(metric.label)}</strong> <span class="dir">${d.arrow}</span> · extractor: ` +
    `<code>${esc(metric.extractor ?? 'none')}</code>${metric.secondary ? ' · secondary' : ''}<br><span class="summary">${esc(metric.summary)}</span></figcaption>`;
  const head = `<figure class="chart">${caption}<svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${titleId}">` +
    `<title id="${titleId}">${esc(`${metric.label} by method: mean and 95% interval over seeds`)}</title>`;
  const foot = '</svg></figure>';
  if (span.length === 0) {
    return `${head}<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="empty">no method has a value for this metric</text>${foot}`;
  }
  const t = niceTicks(Math.min(...span), Math.max(...span), 5);
  const x = scale(t.lo, t.hi, LEFT, W - RIGHT);
  const y0 = TOP + rows.length * ROW + (groups.length - 1) * GAP;
  const competing = rows.map(({ m }, i) => ({ id: m.id, family: m.family, value: ivs[i]?.mean ?? null })).filter((c) => c.family !== 'reference');
  const best = bestInColumn(competing, metric.higherIsBetter, columnDecimals(r, metric));
  const body = rows.map(({ m, gi }, i) => {
    const cy = TOP + i * ROW + gi * GAP + ROW / 2;
    const colour = FAMILY_COLOUR[m.family];
    const iv = ivs[i];
    const isBest = best.has(m.id);
    const name = `<text x="${LEFT - 10}" y="${px(cy + 4)}" text-anchor="end" class="row-label${isBest ? ' best' : ''}">${isBest ? '★ ' : ''}${esc(m.label)}</text>`;
    if (!iv) return `${name}<text x="${LEFT + 4}" y="${px(cy + 4)}" class="empty"><title>${esc(`${m.label}: no value for ${metric.label}`)}</title>— no value</text>`;
    return `${name}<g><title>${esc(`${m.label}: ${formatInterval(iv)}${iv.n > 1 ? ` (n = ${iv.n})` : ' (one seed)'}`)}</title>` +
      `<line x1="${px(x(iv.low))}" x2="${px(x(iv.high))}" y1="${px(cy)}" y2="${px(cy)}" stroke="${colour}" class="whisker"/>` +
      `<line x1="${px(x(iv.low))}" x2="${px(x(iv.low))}" y1="${px(cy - 4)}" y2="${px(cy + 4)}" stroke="${colour}" class="whisker"/>` +
      `<line x1="${px(x(iv.high))}" x2="${px(x(iv.high))}" y1="${px(cy - 4)}" y2="${px(cy + 4)}" stroke="${colour}" class="whisker"/>` +
      `${marker(m.family, x(iv.mean), cy, 5, colour)}</g>`;
  }).join('');
  const ceil = ceiling === null ? '' : `<g><title>${esc(`real videos: ${formatInterval({ mean: ceiling, low: ceiling, high: ceiling, n: 1 })}`)}</title>` +
    `<line x1="${px(x(ceiling))}" x2="${px(x(ceiling))}" y1="${TOP - 6}" y2="${y0}" class="ceiling-line"/>` +
    `<text x="${px(x(ceiling))}" y="${TOP - 9}" text-anchor="middle" class="tick">real</text></g>`;
  const axis = xAxis(t.ticks, x, y0, TOP - 4, `${label} · extractor: ${metric.extractor ?? 'none'}`, tickDecimals(t.step));
  return head + axis + ceil + body + foot;
}

/** Every metric's chart, primary first, with the family legend. */
export function renderCharts(r: StudyResults, primary: StudyMetric[], secondary: StudyMetric[]): string {
  const grid = (ms: StudyMetric[], offset: number) => `<div class="charts">${ms.map((m, i) => metricChart(r, m, offset + i)).join('')}</div>`;
  return familyLegend(r) + grid(primary, 0) +
    (secondary.length ? `<h3>Secondary metrics</h3>${grid(secondary, primary.length)}` : '');
}
