/**
 * The study's results file (`<study>/results.json`), the one thing `report.html` renders from.
 * Its JSON Schema is `schemas/study-results.schema.json` (tests validate written files against it).
 *
 * Layout of a study folder (every step writes its own files; re-runs skip finished steps):
 *   study.json                       resolved config, seeds, budgets, the step list
 *   data/single/                     the generated data set (when the study makes its own)
 *   shared/seed-<s>/<piece>/         per-seed shared pieces: ae-conv3d-base, ae-causal-vae,
 *                                    ae-unet3d (CoDi), domain (evaluation), probe (evaluation),
 *                                    text (conditioning)
 *   methods/<method>/seed-<s>/       run folder of one method and seed: run files (log.jsonl,
 *                                    model/, diagnostics/ for the joint family), samples/
 *                                    (.npy, prompts.json, samples.json, grid.gif) and
 *                                    eval/eval.json (the t2v eval report of its samples)
 *   real/seed-<s>/samples/, real/seed-<s>/eval/eval.json   the `reference` pseudo-method: the
 *                                    metric suite on real videos (ceilings)
 *   every step's folder ends with done.json (src/study/run.ts)
 *   results.json, results.csv, report.html
 */

export type Family = 'joint' | 'specialised' | 'reference';

export interface StudyMethod {
  /** e.g. 'progressive-bucket', 'dit-conv3d-base'. */
  id: string;
  family: Family;
  label: string;
  description: string;
  /** The latent it generates into / decodes through, e.g. 'conv3d-base (d_z=64)'. */
  latent: string;
  /** Matched budget as recorded: optimizer steps and wall-clock seconds of its own training. */
  budget: { steps: number; seconds: number };
}

export interface StudyMetric {
  name: string;
  label: string;
  higherIsBetter: boolean;
  /** Extractor / backbone named in the eval results (e.g. 'domain:seed0', 'farneback-tensor-v1'). */
  extractor: string | null;
  secondary: boolean;
  /** What the number means, one line (from the metric registry). */
  summary: string;
}

export interface StudyRun {
  method: string;
  seed: number;
  /** metric name → value (null when undefined for this run, see notes). */
  metrics: Record<string, number | null>;
  trainSeconds: number;
  sampleSeconds: number;
  /** Paths relative to the study folder. */
  files: { run: string; eval: string; samples: string };
  notes: string[];
}

export interface Interval {
  mean: number;
  /** 95% interval over seeds (Student t); equal to mean when n = 1. */
  low: number;
  high: number;
  n: number;
}

export interface StudyAssets {
  /** method → sample grid (GIF/MP4) relative path; rows = prompts. */
  samples: Record<string, string>;
  /** Prompts shown in the sample grids, in row order. */
  samplePrompts: string[];
  /** Latent-space plots: { title, method, file }. */
  latentPlots: { title: string; method: string; file: string }[];
  /** Training curves: { title, method, file } (SVG/PNG). */
  curves: { title: string; method: string; file: string }[];
}

export interface StudyResults {
  format: 't2vlab-study';
  version: 1;
  createdAt: string;
  data: { dir: string; name: string; counts: Record<string, number> };
  preset: 'micro' | 'quick' | 'paper';
  seeds: number[];
  methods: StudyMethod[];
  metrics: StudyMetric[];
  runs: StudyRun[];
  /** method → metric → interval over seeds. */
  aggregates: Record<string, Record<string, Interval | null>>;
  /** metric → value on real test videos (mean over seeds), the ceiling beside generated scores. */
  ceilings: Record<string, number | null>;
  assets: StudyAssets;
  config: Record<string, unknown>;
  versions: Record<string, string>;
}
