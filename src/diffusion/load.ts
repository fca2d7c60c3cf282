/**
 * Reloading a trained diffusion run for generation (what `t2v generate` does with a
 * `t2v train diffusion` run):
 *
 *   1. read RUN/model/task.json (kind 'diffusion/<arch>', the task's description plus the run
 *      record of run-config.ts);
 *   2. find the frozen pieces at the recorded paths — the autoencoder run (`ae.run`) and the
 *      text encoder (`conditionerSpec`) — or at the paths given instead (`--ae RUN`,
 *      `--text DIR` / `--clip DIR`); a folder that is gone is an error naming it and the flag;
 *   3. load them and check they are the ones trained with (autoencoder arch, config and latent
 *      shape; text-encoder width);
 *   4. rebuild the denoiser from the description and load RUN/model/denoiser.safetensors (the
 *      EMA weights when the run kept an EMA) strictly.
 *
 * @example
 *   const run = await loadDiffusionRun('runs/dit-quick');
 *   const out = generate({ denoiser: run.denoiser, scheduler: samplerFor(run.scheduler, 'ddim'),
 *                          conditioner: run.conditioner, ae: run.ae, prompts, steps: 50, guidance: 3,
 *                          seed: 0, latentScale: run.latentScale, latentShift: run.latentShift });
 *   run.dispose();
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { VideoAutoencoder } from '../models/ae/types.js';
import type { TextConditioner } from '../models/conditioning.js';
import { loadAutoencoder } from '../models/ae/index.js';
import { loadConditionerSpec, type ConditionerSpec } from '../align/text-encoder.js';
import type { JointLoaders } from '../align/generate.js';
import { loadTensors } from '../io/tensors.js';
import { configDifferences } from '../train/config.js';
import { readTaskFile, type TaskFile } from '../train/run-dir.js';
import type { Denoiser } from './denoisers/types.js';
import { denoiserFromDescription } from './task.js';
import type { SampleOptions } from './presets.js';

/** How the frozen autoencoder and text encoder are loaded (tests inject stand-ins). */
export type FrozenLoaders = JointLoaders;

const DEFAULT_LOADERS: FrozenLoaders = { loadAutoencoder, loadConditioner: loadConditionerSpec };

/** A run that cannot be loaded as asked; the message says what to pass or do. */
export class RunLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunLoadError';
  }
}

/** A run folder's model/task.json. */
export type RunTask = TaskFile;

/** Read RUN/model/task.json (any kind); errors say what the folder is missing. */
export function readRunTask(runDir: string): RunTask {
  return readTaskFile(runDir, 'pass --run with the folder of a finished `t2v train diffusion` or `t2v train align` run', { fail: (m) => new RunLoadError(m) });
}

/** The flag that points at a conditioner of this kind. */
export function conditionerFlag(spec: ConditionerSpec): string {
  return spec.kind === 'clip' ? '--clip DIR' : '--text DIR';
}

/**
 * The autoencoder run and conditioner a run's task.json records (`ae.run`, and
 * `conditionerSpec` or `conditioner.spec`), replaced by `override` where given, each checked to
 * exist. Used for both families.
 */
export function frozenPaths(rt: RunTask, override: { ae?: string; conditioner?: ConditionerSpec } = {}): { ae: string; conditioner: ConditionerSpec } {
  const t = rt.task;
  const recordedAe = (t['ae'] as { run?: unknown } | undefined)?.run;
  const recordedSpec = (t['conditionerSpec'] ?? (t['conditioner'] as { spec?: unknown } | undefined)?.spec) as ConditionerSpec | undefined;
  const ae = override.ae ?? (typeof recordedAe === 'string' ? recordedAe : undefined);
  if (ae === undefined) throw new RunLoadError(`'${rt.path}' does not record its autoencoder run (ae.run); pass --ae RUN with the autoencoder it was trained on`);
  if (!existsSync(ae)) {
    throw new RunLoadError(override.ae !== undefined
      ? `the autoencoder run '${ae}' given with --ae does not exist; check the path`
      : `the autoencoder run '${ae}' recorded in '${rt.path}' does not exist (moved or deleted?); pass --ae RUN with its current location`);
  }
  const spec = override.conditioner ?? (recordedSpec && typeof recordedSpec.dir === 'string' ? recordedSpec : undefined);
  if (spec === undefined) throw new RunLoadError(`'${rt.path}' does not record its text encoder (conditionerSpec); pass --text DIR or --clip DIR with the one it was trained with`);
  if (!existsSync(spec.dir)) {
    throw new RunLoadError(override.conditioner !== undefined
      ? `the text encoder folder '${spec.dir}' given with ${conditionerFlag(spec).split(' ')[0]} does not exist; check the path`
      : `the ${spec.kind === 'clip' ? 'CLIP' : 'conditioning text encoder'} folder '${spec.dir}' recorded in '${rt.path}' does not exist (moved or deleted?); pass ${conditionerFlag(spec)} with its current location`);
  }
  return { ae, conditioner: spec };
}

export interface LoadDiffusionOptions {
  loaders?: FrozenLoaders;
  /** Use this autoencoder run instead of the recorded one (`--ae RUN`). */
  ae?: string;
  /** Use this text encoder instead of the recorded one (`--text DIR` / `--clip DIR`). */
  conditioner?: ConditionerSpec;
  /** Warnings (default: none shown). */
  warn?: (message: string) => void;
}

export interface DiffusionRun {
  runDir: string;
  kind: string;
  /** task.json: the task's description and the run record. */
  describe: Record<string, unknown>;
  /** In eval mode, trained weights loaded. */
  denoiser: Denoiser;
  /** The training scheduler's config (the input of `samplerFor`). */
  scheduler: Record<string, unknown>;
  /** The run's recorded generation defaults (null for runs that recorded none). */
  sample: SampleOptions | null;
  conditioner: TextConditioner;
  ae: VideoAutoencoder;
  latentScale: number;
  latentShift: number;
  /** Where the frozen pieces were loaded from. */
  aeRun: string;
  conditionerSpec: ConditionerSpec;
  /** Frees the denoiser, the autoencoder and the conditioner (when it has a dispose). */
  dispose(): void;
}

/** Load a `t2v train diffusion` run (steps in the file comment). */
export async function loadDiffusionRun(runDir: string, opts: LoadDiffusionOptions = {}): Promise<DiffusionRun> {
  // 1. The description.
  const rt = readRunTask(runDir);
  if (!rt.kind.startsWith('diffusion/')) throw new RunLoadError(`'${rt.path}' describes a '${rt.kind}' run, not a diffusion run (kind diffusion/<denoiser>)`);
  const d = rt.task;
  const { latentScale, latentShift, scheduler } = d;
  if (typeof latentScale !== 'number' || typeof latentShift !== 'number' || typeof scheduler !== 'object' || scheduler === null) {
    throw new RunLoadError(`'${rt.path}' lacks a calibrated latentScale / latentShift or the scheduler config; it was not written by \`t2v train diffusion\`, train the run again`);
  }
  const weights = join(runDir, 'model', 'denoiser.safetensors');
  if (!existsSync(weights)) throw new RunLoadError(`'${weights}' is missing: the run folder is incomplete; train it again`);
  // 2.–3. The frozen pieces.
  const paths = frozenPaths(rt, opts);
  const loaders = opts.loaders ?? DEFAULT_LOADERS;
  const ae = await loaders.loadAutoencoder(paths.ae);
  let conditioner: TextConditioner | undefined;
  let denoiser: Denoiser | undefined;
  const disposeAll = (): void => {
    denoiser?.dispose();
    ae.dispose();
    (conditioner as Partial<{ dispose(): void }> | undefined)?.dispose?.();
  };
  try {
    conditioner = await loaders.loadConditioner(paths.conditioner);
    checkFrozen(rt, ae, conditioner, paths, opts);
    // 4. The denoiser.
    denoiser = denoiserFromDescription(d);
    const { tensors } = loadTensors(weights);
    try {
      denoiser.loadStateDict(tensors, { strict: true });
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
    denoiser.eval();
  } catch (err) {
    disposeAll();
    throw err;
  }
  ae.eval();
  return {
    runDir, kind: rt.kind, describe: d, denoiser, scheduler: scheduler as Record<string, unknown>,
    sample: (d['sample'] as SampleOptions | undefined) ?? null, conditioner, ae, latentScale, latentShift,
    aeRun: paths.ae, conditionerSpec: paths.conditioner, dispose: disposeAll,
  };
}

/** Step 3: the loaded pieces are the ones the run was trained with. */
function checkFrozen(rt: RunTask, ae: VideoAutoencoder, cond: TextConditioner, paths: { ae: string; conditioner: ConditionerSpec }, opts: LoadDiffusionOptions): void {
  const d = rt.task;
  const rec = (d['ae'] ?? {}) as { arch?: unknown; config?: unknown };
  const aeHint = opts.ae !== undefined ? 'the --ae run is not the autoencoder this run was trained on' : 'the recorded autoencoder run was replaced; pass --ae RUN with the one trained on';
  if (rec.arch !== undefined && rec.arch !== String(ae.arch)) {
    throw new RunLoadError(`the autoencoder at '${paths.ae}' is a ${String(ae.arch)}, but '${rt.path}' was trained on a ${String(rec.arch)}: ${aeHint}`);
  }
  const diffs = rec.config !== undefined ? configDifferences(rec.config, ae.config) : [];
  if (diffs.length > 0) {
    throw new RunLoadError(`the autoencoder at '${paths.ae}' differs from the one '${rt.path}' was trained on in ${diffs.join(', ')}: ${aeHint}`);
  }
  const input = d['input'];
  const latentShape = d['latentShape'];
  if (Array.isArray(input) && input.length === 4 && Array.isArray(latentShape)) {
    const got = ae.latentShape(input as [number, number, number, number]);
    if (got.join(',') !== latentShape.join(',')) {
      throw new RunLoadError(`the autoencoder at '${paths.ae}' gives latents [${got.join(', ')}] for videos [${input.join(', ')}], but the denoiser was trained on [${latentShape.join(', ')}]: ${aeHint}`);
    }
  }
  if (cond.dim !== d['condDim']) {
    throw new RunLoadError(`the text encoder at '${paths.conditioner.dir}' is ${cond.dim} wide but the denoiser of '${rt.path}' expects ${String(d['condDim'])}; pass ${conditionerFlag(paths.conditioner)} with the text encoder it was trained with`);
  }
  if (typeof d['conditioner'] === 'string' && d['conditioner'] !== cond.name) {
    opts.warn?.(`the text encoder at '${paths.conditioner.dir}' is named '${cond.name}' but the run was trained with '${d['conditioner']}'`);
  }
}
