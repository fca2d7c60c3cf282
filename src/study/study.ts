/**
 * `t2v study` as a function (issue 9): resolve the preset, the data set and the metric suite,
 * build the plan (plan.ts), record it in `study.json`, run its steps (run.ts; finished steps are
 * skipped on re-run), then gather `results.json` / `results.csv` (aggregate.ts) and render
 * `report.html` (report/).
 *
 * @example
 *   const out = await runStudy({ out: 'runs/demo', preset: 'quick', seeds: 1 });
 *   out.files?.report;   // 'runs/demo/report.html'
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '../io/atomic.js';
import { SYNCDRAW_NAME } from '../data/syncdraw/generator.js';
import { buildPlan, sharedDir, type StudyPlan } from './plan.js';
import { studyPreset, TEXT_SEED_OFFSET, type StudyPresetName } from './presets.js';
import { DONE_FILE, runPlan, type Executors, type RunSummary } from './run.js';
import { chooseMetrics } from './suite.js';
import { buildResults, collectRuns, studyAssets, writeStudyFiles } from './aggregate.js';
import { finishedRun, inputOf, readManifest } from './steps/trainer.js';
import { RUN_FILES, readTaskFile } from '../train/run-dir.js';
import type { AeArch } from '../models/ae/types.js';
import type { StudyResults } from './results.js';

export const STUDY_FILE = 'study.json';

export interface StudyOptions {
  /** The study folder (created; an existing one is resumed). */
  out: string;
  preset: StudyPresetName;
  /** Number of seeds (0..N-1); default the preset's. */
  seeds?: number;
  /** A t2vlab data set; absent (or preset micro): the study generates its own `single` set. */
  data?: string;
  /** Real CLIP folder: adds `clipsim`. */
  clip?: string;
  /** Method ids (default the preset's); the reference is always included. */
  methods?: string[];
  /** Optimizer steps of every method (matched); default the preset's. */
  budgetSteps?: number;
  /** Trained autoencoder run folders to use instead of training the preset's (every seed shares them). */
  aeRuns?: Partial<Record<AeArch, string>>;
  log?: (message: string) => void;
  /** Stop at the first failed step. */
  failFast?: boolean;
  /** Replaces the step executors (tests). */
  executors?: Executors;
  /** Replaces the metric registry's names (tests); default every registered metric. */
  registered?: readonly string[];
}

export interface StudyOutcome {
  studyDir: string;
  plan: StudyPlan;
  summary: RunSummary;
  /** Written files, or null when no evaluation finished. */
  files: { results: string; csv: string; report: string } | null;
  results: StudyResults | null;
  notes: string[];
}

/** The fields of study.json that must match for a folder to be resumed (the --ae runs apart: checkAeRuns). */
function identity(plan: StudyPlan, dataDir: string): Record<string, unknown> {
  return { preset: plan.preset.name, data: dataDir, generatesData: plan.generatesData, budgetSteps: plan.budget.steps, batchSize: plan.budget.batchSize, clip: plan.clip };
}

/**
 * A resumed study keeps every autoencoder run it was given (--ae); a new one may be added (with
 * the methods that use it) unless the study already trained its own autoencoder of that
 * architecture, whose finished steps would otherwise mix with the given one's.
 */
function checkAeRuns(studyDir: string, plan: StudyPlan, old: Partial<Record<AeArch, string>>): string[] {
  const problems: string[] = [];
  for (const [arch, dir] of Object.entries(old) as [AeArch, string][]) {
    if (plan.aeRuns[arch] !== dir) problems.push(`--ae ${arch}: ${dir} → ${plan.aeRuns[arch] ?? 'trained by the study'}`);
  }
  for (const arch of Object.keys(plan.aeRuns) as AeArch[]) {
    if (old[arch] !== undefined) continue;
    const trained = plan.seeds.filter((s) => existsSync(join(studyDir, sharedDir(s, `ae-${arch}`), DONE_FILE)));
    if (trained.length > 0) problems.push(`--ae ${arch}: the study already trained its own ${arch} autoencoder (seed ${trained.join(', ')})`);
  }
  return problems;
}

/** Check an existing study.json against this run's settings, then (re)write it. */
function recordStudy(studyDir: string, plan: StudyPlan, dataDir: string, notes: string[]): void {
  const file = join(studyDir, STUDY_FILE);
  const id = identity(plan, dataDir);
  let created = new Date().toISOString();
  if (existsSync(file)) {
    const old = JSON.parse(readFileSync(file, 'utf8')) as { identity?: Record<string, unknown>; aeRuns?: Partial<Record<AeArch, string>>; created?: string };
    const diff = Object.keys(id).filter((k) => JSON.stringify(old.identity?.[k]) !== JSON.stringify(id[k]))
      .map((k) => `${k}: ${JSON.stringify(old.identity?.[k])} → ${JSON.stringify(id[k])}`)
      .concat(checkAeRuns(studyDir, plan, old.aeRuns ?? {}));
    if (diff.length > 0) {
      throw new Error(`${studyDir} holds a study started with other settings (${diff.join('; ')}); rerun with the same options to resume it, or choose another --out`);
    }
    created = old.created ?? created;
  }
  writeJsonAtomic(file, {
    format: 't2vlab-study-config', version: 1, created, updated: new Date().toISOString(), identity: id, aeRuns: plan.aeRuns,
    seeds: plan.seeds, methods: plan.methods.map((m) => m.id), metrics: plan.metrics, metricsLeft: plan.metricsLeft,
    budget: plan.budget, textSeedOffset: TEXT_SEED_OFFSET, preset: plan.preset, notes,
    steps: plan.steps.map((s) => ({ id: s.id, kind: s.kind, dir: s.dir, deps: s.deps })),
  });
}

export async function runStudy(o: StudyOptions): Promise<StudyOutcome> {
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const preset = studyPreset(o.preset);
  const studyDir = resolve(o.out);
  const notes: string[] = [];
  let data: string | null = null;
  if (o.data !== undefined && preset.ownData) notes.push(`preset ${preset.name} generates its own tiny data set; --data ${o.data} is not used`);
  else if (o.data !== undefined) data = resolve(o.data);
  const synthetic = data === null || readManifest(data).generator?.name === SYNCDRAW_NAME;
  const registered = o.registered ?? (await import('../metrics/registry.js')).listMetrics().map((m) => m.name);
  const choice = chooseMetrics({ registered, clip: o.clip !== undefined, probe: synthetic });
  for (const l of choice.left) notes.push(`metric ${l.name} not computed: ${l.reason}`);
  const plan = buildPlan({
    preset, seeds: Array.from({ length: o.seeds ?? preset.seeds }, (_, i) => i), data,
    metrics: choice.metrics, metricsLeft: choice.left, probe: synthetic, clip: o.clip !== undefined ? resolve(o.clip) : null,
    ...(o.methods ? { methods: o.methods } : {}), ...(o.budgetSteps !== undefined ? { budgetSteps: o.budgetSteps } : {}),
    aeRuns: givenAeRuns(o.aeRuns ?? {}, data === null ? [1, preset.data.frames, preset.data.size, preset.data.size] : inputOf(readManifest(data)), notes),
  });
  mkdirSync(studyDir, { recursive: true });
  const dataDir = resolve(studyDir, plan.dataDir);
  recordStudy(studyDir, plan, dataDir, notes);
  for (const n of notes) log(`note: ${n}`);
  log(`study ${studyDir}: preset ${preset.name}, ${plan.seeds.length} seed(s), ${plan.methods.length} methods, ${plan.metrics.length} metrics, ${plan.steps.length} steps; each method trains ${plan.budget.steps} steps at batch ${plan.budget.batchSize}`);
  const executors = o.executors ?? (await import('./steps/index.js')).STUDY_EXECUTORS;
  const summary = await runPlan(plan, studyDir, executors, { log, ...(o.failFast ? { failFast: true } : {}) });
  const runs = collectRuns(plan, studyDir);
  if (runs.length === 0) {
    log('no evaluation finished, so there are no results yet; fix the failures above and run the study again (finished steps are skipped)');
    return { studyDir, plan, summary, files: null, results: null, notes };
  }
  const results = buildResults({
    plan, runs, info: await metricInfo(o.registered !== undefined), data: dataInfo(dataDir), assets: studyAssets(plan, studyDir),
    config: {
      preset: preset.name, seeds: plan.seeds.length, methods: plan.methods.map((m) => m.id), budget: plan.budget, clip: plan.clip,
      data: { dir: dataDir, generated: plan.generatesData, ...(plan.generatesData ? { spec: preset.data } : {}) },
      metrics: { computed: plan.metrics, left: plan.metricsLeft },
      conditioning: `the text tower of a domain model trained with seed s + ${TEXT_SEED_OFFSET} (shared/seed-<s>/text); the evaluation domain model (shared/seed-<s>/domain, seed s) never conditions`,
      failures: summary.failed.map((f) => ({ step: f.id, message: f.message ?? '' })), notes,
      presetDetails: preset,
    },
    versions: await versions(),
  });
  const files = await writeStudyFiles(studyDir, results);
  return { studyDir, plan, summary, files, results, notes };
}

/**
 * The --ae runs as absolute folders, each checked to be a finished autoencoder run of its
 * architecture for videos of the study's (C, T, H, W); one note each.
 */
function givenAeRuns(runs: Partial<Record<AeArch, string>>, input: number[], notes: string[]): Partial<Record<AeArch, string>> {
  const out: Partial<Record<AeArch, string>> = {};
  for (const [arch, dir] of Object.entries(runs) as [AeArch, string][]) {
    const abs = resolve(dir);
    const fix = `train it with \`t2v train ae --arch ${arch}\` first`;
    if (finishedRun(abs) === null) throw new Error(`--ae ${arch}=${dir}: not a finished autoencoder run (no ${RUN_FILES.results} or ${RUN_FILES.model}/${RUN_FILES.task}); ${fix}`);
    const task = readTaskFile(abs, fix, { want: { kind: `ae/${arch}`, what: `ae/${arch}` }, fail: (m) => new Error(`--ae ${arch}=${dir}: ${m}`) }).task;
    if (JSON.stringify(task.input) !== JSON.stringify(input)) {
      throw new Error(`--ae ${arch}=${dir}: that autoencoder takes videos (C, T, H, W) = (${String(task.input)}), the study's data are (${input.join(', ')}); train one on this data set`);
    }
    out[arch] = abs;
    notes.push(`the ${arch} autoencoder is the given run ${abs} (shared by every seed; not trained by the study)`);
  }
  return out;
}

/** Metric facts from the registry (a fake one for tests that bring their own names). */
async function metricInfo(fake: boolean): Promise<(name: string) => { summary: string; higherIsBetter: boolean; secondary: boolean }> {
  if (fake) return (name) => ({ summary: name, higherIsBetter: true, secondary: false });
  const { getMetric } = await import('../metrics/registry.js');
  return (name) => {
    const d = getMetric(name);
    return { summary: d.summary, higherIsBetter: d.higherIsBetter, secondary: d.secondary ?? false };
  };
}

function dataInfo(dir: string): StudyResults['data'] {
  const m = readManifest(dir);
  return { dir, name: m.name, counts: { ...m.splits } };
}

/** Versions as flat strings (t2vlab, node, torch, ...). */
async function versions(): Promise<Record<string, string>> {
  try {
    const { collectVersions } = await import('../train/run-dir.js');
    const v = collectVersions();
    return { t2vlab: v.t2vlab, node: v.node, torch: v.engine.torch, parallel: v.engine.parallel, git: v.git ?? 'none', gitDirty: String(v.gitDirty) };
  } catch {
    return { node: process.version };
  }
}
