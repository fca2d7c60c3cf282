/**
 * The study's provenance in collapsible sections: what each method is, every run's numbers and
 * notes (the drill-down under the aggregates), the data, seeds and versions, and the resolved
 * config as written.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StudyResults } from '../results.js';
import { FAMILY_COLOUR, FAMILY_NAME, esc, formatNumber, formatSeconds } from './format.js';
import { columnDecimals } from './table.js';
import { orderedMethods, runsOf } from './view.js';

/** A link to a study file when it exists (relative, so it works from disk), else the path as text. */
function fileLink(studyDir: string, rel: string, text: string): string {
  if (!rel || !existsSync(join(studyDir, rel))) return `<code title="not found in the study folder">${esc(text)}</code>`;
  return `<a href="${esc(rel.split('/').map(encodeURIComponent).join('/'))}"><code>${esc(text)}</code></a>`;
}

function methodsTable(r: StudyResults): string {
  const rows = orderedMethods(r).map((m) => `<tr style="--fam:${FAMILY_COLOUR[m.family]}"><th scope="row" class="method">${esc(m.label)}<span class="latent">${esc(m.id)}</span></th>` +
    `<td>${esc(FAMILY_NAME[m.family])}</td><td>${esc(m.latent)}</td><td class="num">${formatNumber(m.budget.steps, 0)}</td>` +
    `<td class="num">${formatSeconds(m.budget.seconds)}</td><td>${esc(m.description)}</td></tr>`).join('');
  return `<div class="table-wrap"><table class="plain"><thead><tr><th scope="col">Method</th><th scope="col">Family</th><th scope="col">Latent</th>` +
    `<th scope="col" class="num">Steps</th><th scope="col" class="num">Budget</th><th scope="col">What it is</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function runsTable(r: StudyResults, studyDir: string): string {
  const dec = new Map(r.metrics.map((m) => [m.name, columnDecimals(r, m)]));
  const head = `<tr><th scope="col">Method</th><th scope="col" class="num">Seed</th>${r.metrics.map((m) => `<th scope="col" class="num" title="${esc(m.summary)}">${esc(m.label)}</th>`).join('')}` +
    `<th scope="col" class="num">Train</th><th scope="col" class="num">Sample</th><th scope="col">Files</th><th scope="col">Notes</th></tr>`;
  const rows = orderedMethods(r).flatMap((m) => runsOf(r, m.id).map((run) => `<tr><th scope="row" class="method" style="--fam:${FAMILY_COLOUR[m.family]}">${esc(m.label)}</th>` +
    `<td class="num">${run.seed}</td>${r.metrics.map((x) => `<td class="num">${formatNumber(run.metrics[x.name] ?? null, dec.get(x.name))}</td>`).join('')}` +
    `<td class="num">${formatSeconds(run.trainSeconds)}</td><td class="num">${formatSeconds(run.sampleSeconds)}</td>` +
    `<td class="files">${fileLink(studyDir, run.files.run, 'run')} ${fileLink(studyDir, run.files.eval, 'eval')} ${fileLink(studyDir, run.files.samples, 'samples')}</td>` +
    `<td class="notes">${run.notes.map(esc).join('<br>')}</td></tr>`)).join('');
  return `<div class="table-wrap"><table class="plain small"><thead>${head}</thead><tbody>${rows}</tbody></table></div>`;
}

function keyValues(obj: Record<string, string | number>): string {
  return `<dl class="kv">${Object.entries(obj).map(([k, v]) => `<dt>${esc(k)}</dt><dd><code>${esc(v)}</code></dd>`).join('')}</dl>`;
}

/** The collapsible provenance sections. */
export function renderDetails(r: StudyResults, studyDir: string): string {
  const data: Record<string, string | number> = { name: r.data.name, folder: r.data.dir, ...Object.fromEntries(Object.entries(r.data.counts).map(([k, v]) => [`${k} videos`, v])) };
  const study = { preset: r.preset, seeds: r.seeds.join(', '), created: r.createdAt, methods: r.methods.length, metrics: r.metrics.length, runs: r.runs.length };
  return `<details><summary>Methods</summary>${methodsTable(r)}</details>` +
    `<details><summary>Every run (method × seed)</summary>${runsTable(r, studyDir)}</details>` +
    `<details><summary>Study, data and seeds</summary>${keyValues(study)}${keyValues(data)}</details>` +
    `<details><summary>Versions</summary>${keyValues(r.versions)}</details>` +
    `<details><summary>Config (as resolved by the study)</summary><pre class="config">${esc(JSON.stringify(r.config, null, 2))}</pre></details>`;
}
