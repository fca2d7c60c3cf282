/**
 * The importer registry: format name -> planner, and {@link importDataset}, which plans (checking
 * every input file before any decoding) and runs the shared pipeline.
 *
 * @example
 * const s = await importDataset('kth', { src: 'raw/kth', out: 'data/kth', params: { ...DEFAULT_PARAMS, channels: 1 } });
 * s.clips; s.splits; s.failed // clips written, per split, and files that could not be decoded
 */
import { ffmpegTools } from '../../media/ffmpeg.js';
import { ImportInputError, type ImportParams, type ImportPlan, type PlanOptions } from './common.js';
import { planFolder } from './folder.js';
import { planKth } from './kth.js';
import { planMsrVtt } from './msrvtt.js';
import { runImport, type ImportSummary } from './pipeline.js';
import type { ProgressSink } from './progress.js';
import { planTacos } from './tacos.js';

/** Every import format and its planner. */
export const IMPORTERS = {
  kth: planKth,
  tacos: planTacos,
  msrvtt: planMsrVtt,
  folder: planFolder,
} as const satisfies Record<string, (o: PlanOptions) => ImportPlan>;

/** A format name `t2v data import --format` accepts. */
export type ImportFormat = keyof typeof IMPORTERS;

/** The paper's clip format (16 frames, 64x64), every 2nd frame, non-overlapping clips. */
export const DEFAULT_PARAMS: ImportParams = { frames: 16, size: 64, stride: 2, hop: 16, channels: 3, filter: 'area' };

/** The planner for a format; unknown names list the valid ones. */
export function importerFor(format: string): (o: PlanOptions) => ImportPlan {
  if (!Object.hasOwn(IMPORTERS, format)) {
    throw new ImportInputError(`unknown import format '${format}'; valid formats: ${Object.keys(IMPORTERS).join(', ')}`);
  }
  return IMPORTERS[format as ImportFormat];
}

/** Options of {@link importDataset}: the planner's plus where to write and how to run. */
export interface ImportOptions extends Omit<PlanOptions, 'splitSeed'> {
  out: string;
  splitSeed?: number;
  /** Concurrent decodes. Default 2. */
  jobs?: number;
  /** Progress bar and warnings; undefined = silent. */
  progress?: ProgressSink;
  /** Data set name in the manifest; default the format name. */
  name?: string;
}

/** Check the params a user can get wrong, with messages naming the flag. */
function checkParams(p: ImportParams): void {
  const positive = { '--frames': p.frames, '--size': p.size, '--stride': p.stride, '--hop': p.hop };
  for (const [flag, v] of Object.entries(positive)) {
    if (!Number.isInteger(v) || v < 1) throw new ImportInputError(`${flag} must be a positive integer, got ${v}`);
  }
  if (p.channels !== 1 && p.channels !== 3) throw new ImportInputError(`--channels must be 1 or 3, got ${String(p.channels)}`);
}

/** Import a data set: plan (validating inputs), decode/cache/cut in parallel, pack into `out`. */
export async function importDataset(format: string, opts: ImportOptions): Promise<ImportSummary> {
  checkParams(opts.params);
  try {
    ffmpegTools();
  } catch (e) {
    throw new ImportInputError((e as Error).message);
  }
  const plan = importerFor(format)({ ...opts, splitSeed: opts.splitSeed ?? 0 });
  if (opts.name) plan.name = opts.name;
  plan.generator.params = { src: opts.src, ...plan.generator.params };
  return runImport(plan, { out: opts.out, params: opts.params, jobs: opts.jobs ?? 2, ...(opts.progress ? { progress: opts.progress } : {}) });
}

// Re-exported so callers need one import.
export { ImportInputError, type ImportParams, type ImportPlan, type PlanOptions } from './common.js';
export type { ImportSummary } from './pipeline.js';
