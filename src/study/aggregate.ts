/**
 * The study's results (issue 9 part 2; contract in results.ts, schema in
 * schemas/study-results.schema.json): every finished evaluation's numbers gathered into
 * `results.json` (per method × seed × metric, aggregates over seeds as stats.ts computes them,
 * ceilings = the reference pseudo-method's means) and `results.csv`, validated before writing,
 * then `report.html` rendered from them.
 *
 * results.csv: one header `method,family,seed,metric,value`, then one row per run and metric
 * (plus the run's `train_seconds` and `sample_seconds`), then per method and metric the aggregate
 * rows with seed `mean`, `low95`, `high95` and `n`. An undefined value is an empty field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import type { Interval, StudyAssets, StudyMetric, StudyResults, StudyRun } from './results.js';
import { validateStudyResults, writeReport, StudyResultsError, REPORT_FILES } from './report/index.js';
import { runDir, type StudyPlan } from './plan.js';
import { trains } from './methods.js';
import { readDone } from './run.js';
import { interval } from './stats.js';
import { metricLabel } from './suite.js';
import { SAMPLES_GRID, SAMPLES_INDEX, type SamplesIndex } from './steps/samples.js';

export const CSV_FILE = 'results.csv';
export const CSV_HEADER = 'method,family,seed,metric,value';

/** A run as read from its files, with each metric's extractor. */
export interface CollectedRun extends StudyRun {
  extractors: Record<string, string | null>;
}

/** What the registry says of a metric. */
export interface MetricInfo {
  summary: string;
  higherIsBetter: boolean;
  secondary: boolean;
}

export interface BuildInput {
  plan: Pick<StudyPlan, 'methods' | 'metrics' | 'seeds' | 'budget' | 'preset'>;
  runs: CollectedRun[];
  info: (metric: string) => MetricInfo;
  data: StudyResults['data'];
  assets: StudyAssets;
  config: Record<string, unknown>;
  versions: Record<string, string>;
  createdAt?: string;
}

/** results.json's content from the collected runs (pure; validate before writing). */
export function buildResults(b: BuildInput): StudyResults {
  const runs: StudyRun[] = b.runs.map(({ extractors: _e, ...run }) => run);
  const metrics: StudyMetric[] = b.plan.metrics.map((name) => {
    const i = b.info(name);
    const extractor = b.runs.map((r) => r.extractors[name]).find((e) => e !== undefined && e !== null) ?? null;
    return { name, label: metricLabel(name), higherIsBetter: i.higherIsBetter, extractor, secondary: i.secondary, summary: i.summary };
  });
  const aggregates: Record<string, Record<string, Interval | null>> = {};
  for (const m of b.plan.methods) {
    const mine = runs.filter((r) => r.method === m.id);
    aggregates[m.id] = Object.fromEntries(metrics.map((x) => [x.name, interval(mine.map((r) => r.metrics[x.name] ?? null))]));
  }
  const reference = b.plan.methods.find((m) => m.kind === 'reference');
  const ceilings = Object.fromEntries(metrics.map((x) => [x.name, reference ? aggregates[reference.id]?.[x.name]?.mean ?? null : null]));
  const methods = b.plan.methods.map((m) => {
    const secs = runs.filter((r) => r.method === m.id).map((r) => r.trainSeconds);
    return {
      id: m.id, family: m.family, label: m.label, description: m.description, latent: m.latent,
      budget: { steps: trains(m) ? b.plan.budget.steps : 0, seconds: secs.length ? round(secs.reduce((s, x) => s + x, 0) / secs.length) : 0 },
    };
  });
  return {
    format: 't2vlab-study', version: 1, createdAt: b.createdAt ?? new Date().toISOString(),
    data: b.data, preset: b.plan.preset.name, seeds: [...b.plan.seeds], methods, metrics, runs, aggregates, ceilings,
    assets: b.assets, config: b.config, versions: b.versions,
  };
}

/** One CSV field: quoted when it holds a comma, quote or line break. */
function field(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** results.csv's text (see the module comment). */
export function resultsCsv(r: StudyResults): string {
  const family = new Map(r.methods.map((m) => [m.id, m.family]));
  const rows: (string | number | null)[][] = [];
  for (const run of r.runs) {
    const f = family.get(run.method) ?? '';
    for (const x of r.metrics) rows.push([run.method, f, run.seed, x.name, run.metrics[x.name] ?? null]);
    rows.push([run.method, f, run.seed, 'train_seconds', run.trainSeconds], [run.method, f, run.seed, 'sample_seconds', run.sampleSeconds]);
  }
  for (const m of r.methods) {
    for (const x of r.metrics) {
      const iv = r.aggregates[m.id]?.[x.name] ?? null;
      rows.push([m.id, m.family, 'mean', x.name, iv?.mean ?? null], [m.id, m.family, 'low95', x.name, iv?.low ?? null],
        [m.id, m.family, 'high95', x.name, iv?.high ?? null], [m.id, m.family, 'n', x.name, iv?.n ?? 0]);
    }
  }
  return [CSV_HEADER, ...rows.map((row) => row.map(field).join(','))].join('\n') + '\n';
}

// ---- reading a study folder ------------------------------------------------------------------

interface StoredMetric {
  aggregate: number | null;
  extractor: string | null;
  perVideo?: { note?: string }[];
}
interface StoredEval {
  metrics: Record<string, StoredMetric>;
  failed: Record<string, string>;
}

/** Seconds recorded in a step's done.json `info` under `key`, else its wall-clock. */
function doneSeconds(studyDir: string, plan: StudyPlan, id: string, key: string): number {
  const step = plan.steps.find((s) => s.id === id);
  const done = step ? readDone(studyDir, step) : null;
  if (!done) return 0;
  const v = done.info[key];
  return typeof v === 'number' && Number.isFinite(v) ? round(v) : done.seconds;
}

/** Every evaluation that finished, as runs (in plan order). */
export function collectRuns(plan: StudyPlan, studyDir: string): CollectedRun[] {
  const out: CollectedRun[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'eval' || !readDone(studyDir, step)) continue;
    const seed = step.seed!;
    const m = step.method;
    const file = join(step.dir, 'eval.json');
    const ev = JSON.parse(readFileSync(join(studyDir, file), 'utf8')) as StoredEval;
    const notes: string[] = [];
    const metrics: Record<string, number | null> = {};
    const extractors: Record<string, string | null> = {};
    for (const name of plan.metrics) {
      const r = ev.metrics[name];
      metrics[name] = r && typeof r.aggregate === 'number' && Number.isFinite(r.aggregate) ? r.aggregate : null;
      if (r) extractors[name] = r.extractor;
      if (ev.failed[name] !== undefined) notes.push(`${name}: failed: ${ev.failed[name]!.split('\n')[0]}`);
      else if (!r) notes.push(`${name}: not in eval.json`);
      else if (metrics[name] === null) notes.push(`${name}: undefined for this run${firstNote(r)}`);
    }
    const base = runDir(m.id, seed);
    out.push({
      method: m.id, seed, metrics, extractors, notes,
      trainSeconds: trains(m) ? doneSeconds(studyDir, plan, `seed-${seed}/${m.id}/train`, 'trainSeconds') : 0,
      sampleSeconds: doneSeconds(studyDir, plan, `seed-${seed}/${m.id}/samples`, 'sampleSeconds'),
      files: { run: base, eval: file, samples: `${base}/samples` },
    });
  }
  return out;
}

function firstNote(r: StoredMetric): string {
  const n = r.perVideo?.find((p) => p.note)?.note;
  return n ? ` (${n})` : '';
}

/** Sample grids (first seed with samples), their prompts, and the joint runs' latent plots. */
export function studyAssets(plan: StudyPlan, studyDir: string): StudyAssets {
  const assets: StudyAssets = { samples: {}, samplePrompts: [], latentPlots: [], curves: [] };
  for (const m of plan.methods) {
    for (const seed of plan.seeds) {
      const dir = `${runDir(m.id, seed)}/samples`;
      if (!existsSync(join(studyDir, dir, SAMPLES_GRID))) continue;
      assets.samples[m.id] = `${dir}/${SAMPLES_GRID}`;
      if (assets.samplePrompts.length === 0) {
        assets.samplePrompts = (JSON.parse(readFileSync(join(studyDir, dir, SAMPLES_INDEX), 'utf8')) as SamplesIndex).gridPrompts;
      }
      break;
    }
  }
  const seed = plan.seeds[0]!;
  for (const m of plan.methods.filter((x) => x.kind === 'align')) {
    const d = `${runDir(m.id, seed)}/diagnostics`;
    const shared = existsSync(join(studyDir, d, 'shared-tsne.png'));
    const plots: [string, string][] = shared ? [['shared-tsne.png', 'Shared space, t-SNE']] : [['video-latent-tsne.png', 'Video latent, t-SNE']];
    if (m.id === 'progressive-bucket') plots.push(['video-latent-pca.png', 'Video latent, PCA'], ['shared-umap.png', 'Shared space, UMAP']);
    for (const [f, title] of plots) {
      if (existsSync(join(studyDir, d, f))) assets.latentPlots.push({ title: `${title}: real test videos (●) and codes generated from their captions (×), coloured by caption (seed ${seed})`, method: m.id, file: `${d}/${f}` });
    }
  }
  return assets;
}

/** Validate, then write results.json and results.csv, then report.html; returns the paths. */
export async function writeStudyFiles(studyDir: string, results: StudyResults): Promise<{ results: string; csv: string; report: string }> {
  const problems = validateStudyResults(results);
  if (problems.length > 0) throw new StudyResultsError(join(studyDir, REPORT_FILES.results), problems);
  const file = join(studyDir, REPORT_FILES.results);
  writeJsonAtomic(file, results);
  const csv = join(studyDir, CSV_FILE);
  writeFileAtomic(csv, resultsCsv(results));
  const report = await writeReport(studyDir);
  return { results: file, csv, report };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
