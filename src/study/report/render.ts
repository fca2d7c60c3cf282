/**
 * report.html of a study folder, rendered only from its files: results.json (validated against
 * schemas/study-results.schema.json first), the assets it names, and each run's log.jsonl. It
 * never recomputes a score. The page is self-contained: inline CSS and SVG, images and small
 * videos as data URIs (larger ones linked relatively), no external fonts, scripts or URLs.
 *
 * Sections, top to bottom:
 *   1. the answer (joint vs specialised, from the aggregates) with the preset/seed caveat;
 *   2. the comparison table (and the secondary-metrics table);
 *   3. per-metric dot plots with intervals;
 *   4. sample grids (rows = prompts, columns = methods);
 *   5. latent-space plots;  6. training curves;  7. methods, runs, seeds, versions, config.
 */
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import type { StudyResults } from '../results.js';
import type { Asset } from './assets.js';
import { renderCharts } from './charts.js';
import { renderCurves } from './curves.js';
import { renderDetails } from './details.js';
import { esc } from './format.js';
import { renderHeadline } from './headline.js';
import { page, type Section } from './html.js';
import { renderLatentPlots, renderSamples } from './samples.js';
import { renderTables } from './table.js';
import { loadStudyResults } from './validate.js';
import { splitMetrics } from './view.js';

/** The file names inside a study folder that the report reads and writes. */
export const REPORT_FILES = { results: 'results.json', report: 'report.html' } as const;

/** The page for already-loaded results (no validation; use {@link renderReport} for a folder). */
export function renderResults(r: StudyResults, studyDir: string): string {
  const { primary, secondary } = splitMetrics(r);
  const missing: Asset[] = [];
  // Sections that read asset files first, so that missing files can be listed at the top.
  const samples = renderSamples(r, studyDir, missing);
  const latents = renderLatentPlots(r, studyDir, missing);
  const curves = renderCurves(r, studyDir, missing);
  const problems = missing.length === 0 ? '' : `<div class="problems" role="alert"><strong>${missing.length} file(s) named in results.json could not be shown:</strong><ul>` +
    missing.map((m) => `<li><code>${esc(m.file)}</code>${m.kind === 'missing' ? `: ${esc(m.reason)}` : ''}</li>`).join('') + '</ul></div>';
  const sections: Section[] = [
    { id: 'answer', title: 'Joint or specialised?', body: problems + renderHeadline(r) },
    { id: 'table', title: 'Comparison', body: renderTables(r, primary, secondary) },
    { id: 'charts', title: 'Metrics by method', body: renderCharts(r, primary, secondary) },
    { id: 'samples', title: 'Samples', body: samples },
    { id: 'latents', title: 'Latent spaces', body: latents },
    { id: 'curves', title: 'Training curves', body: curves },
    { id: 'details', title: 'Methods, runs and provenance', body: renderDetails(r, studyDir) },
  ];
  const seeds = `${r.seeds.length} seed${r.seeds.length === 1 ? '' : 's'}`;
  const subtitle = `Study on <strong>${esc(r.data.name)}</strong> · preset ${esc(r.preset)} · ${seeds} · ${r.methods.length} methods · ${r.metrics.length} metrics · ${esc(r.createdAt)}`;
  const version = r.versions.t2vlab ? ` ${esc(r.versions.t2vlab)}` : '';
  const footer = `Rendered by t2vlab${version} from <code>results.json</code>, the files it names and each run's <code>log.jsonl</code>; re-render with <code>t2v report --study DIR</code>.`;
  return page(`Text-to-video study: ${r.data.name}`, subtitle, sections, footer);
}

/**
 * Render `<studyDir>/report.html` as a string from the folder's files. Throws StudyResultsError
 * listing every problem when results.json is missing, unparsable or invalid.
 * @example renderReport('runs/study-quick').startsWith('<!doctype html>') // true
 */
export function renderReport(studyDir: string): string {
  const dir = resolve(studyDir);
  return renderResults(loadStudyResults(join(dir, REPORT_FILES.results)), dir);
}

/** Render and write `<studyDir>/report.html` atomically; returns its path. */
export async function writeReport(studyDir: string): Promise<string> {
  const html = renderReport(studyDir);
  const out = join(resolve(studyDir), REPORT_FILES.report);
  writeFileAtomic(out, html);
  return out;
}
