/**
 * `t2v train diffusion`: the specialised family's generator (issue 8): text-conditioned latent
 * video diffusion (src/diffusion) in the latent space of a frozen, trained video autoencoder,
 * conditioned by a frozen text encoder, trained with the shared trainer (src/train).
 *
 *   1. Config: trainer defaults <- the preset (diffusionPresetLayer) <- --config FILE <- flags,
 *      validated by the trainer's schema; the `model` section holds the denoiser's sizes and the
 *      run's `diffusion` / `sample` / `calibration` settings (run-config.ts).
 *   2. The frozen pieces: the autoencoder run (--latent) and the text encoder (--text / --clip).
 *   3. Latent calibration (μ, λ) on a fixed, seeded set of training videos, the same on every
 *      rank and on resume (calibration.ts), before the task exists, so task.json records numbers.
 *   4. The trainer runs the DiffusionTask; model/task.json gets the task's description plus the
 *      run record (autoencoder run, text encoder, video shape, sampling defaults, calibration).
 * Under `t2v launch` (WORLD_SIZE set) the ranks train data-parallel over c10d.
 */
import { withInterrupt } from '../interrupt.js';
import { resolve } from 'node:path';
import { distributedFromEnv } from '../../dist/context.js';
import { UsageError, parseFlags, type Command } from '../command.js';
import { DatasetError, DatasetReader } from '../../data/format.js';
import { readConfigFile, resolveTrainerConfig, type ConfigLayer, type TrainerConfig } from '../../train/config.js';
import { train, type TrainResult } from '../../train/trainer.js';
import { formatFigure } from '../../train/progress.js';
import { DENOISER_ARCHS, type DenoiserArch } from '../../diffusion/denoisers/types.js';
import { PRESETS, type Preset } from '../../diffusion/presets.js';
import { OBJECTIVES, createDiffusionTask, type DiffusionTask, type Objective } from '../../diffusion/task.js';
import { LatentsFileError, readLatentsFile, type LatentsFile } from '../../diffusion/latents-file.js';
import { calibrateLatents, type LatentCalibration } from '../../diffusion/calibration.js';
import { diffusionPresetLayer, diffusionSettings, recordingTask, type DiffusionRunRecord, type DiffusionRunSettings } from '../../diffusion/run-config.js';
import type { FrozenLoaders } from '../../diffusion/load.js';
import type { ConditionerSpec } from '../../align/text-encoder.js';

const USAGE = `usage: t2v train diffusion --latent AE_RUN --denoiser NAME --data DIR --out RUN (--text DIR | --clip DIR) [options]

Train a text-conditioned latent video diffusion model in a trained autoencoder's latent space;
the run folder gets config.json, run.json, log.jsonl, ckpt/, model/ (denoiser.safetensors and
task.json, which records the autoencoder run and the text encoder for \`t2v generate\`) and
results.json.

options:
  --latent AE_RUN     trained video autoencoder run folder (t2v train ae)        [required]
  --denoiser NAME     ${DENOISER_ARCHS.join(' | ')} (mlp for vector latents)               [required]
  --objective NAME    ${OBJECTIVES.join(' | ')}: ε / v prediction (DDPM, cosine) or rectified flow [v]
  --data DIR          t2vlab dataset folder; (C, T, H, W) from its manifest      [required]
  --out RUN           run folder (created; one that already holds a run needs --resume) [required]
  --text DIR          conditioning text encoder run folder (never the evaluation model)
  --clip DIR          or: CLIP folder; its text tower conditions (pooled only)
  --latents FILE      pre-encoded latents of the training split (t2v ae encode --split train with
                      the same autoencoder run): training starts on cached latents
  --preset NAME       ${PRESETS.join(' | ')}                                          [quick]
  --config FILE       JSON {train, data, model} merged over the preset; model holds the denoiser's
                      sizes and {diffusion, sample, calibration}; unknown keys are rejected
  --steps N           train.steps
  --seed S            train.seed (weights, noise, data order, calibration videos)
  --resume            continue RUN from its newest checkpoint (fresh start when it has none)
  --resume-from FILE  continue RUN from this checkpoint
  --quiet             no progress display

Ctrl-C stops after the current step with a checkpoint; resume with --resume.`;

export interface TrainDiffusionArgs {
  latent: string;
  arch: DenoiserArch;
  objective?: Objective;
  data: string;
  out: string;
  conditioner: ConditionerSpec;
  preset: Preset;
  configFile?: string;
  latentsFile?: string;
  steps?: number;
  seed?: number;
  resume: boolean | string;
  quiet: boolean;
}

function integerFlag(v: unknown, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

function oneOf<V extends string>(v: unknown, valid: readonly V[], name: string): V {
  if (!valid.includes(v as V)) throw new UsageError(`--${name} must be one of ${valid.join(', ')}, got '${String(v)}'`);
  return v as V;
}

/** The parsed command line. */
export function parseTrainDiffusion(argv: string[]): TrainDiffusionArgs {
  const { flags, positional } = parseFlags(argv, {
    latent: { type: 'string', required: true }, denoiser: { type: 'string', required: true }, objective: { type: 'string' },
    data: { type: 'string', required: true }, out: { type: 'string', required: true }, text: { type: 'string' }, clip: { type: 'string' }, latents: { type: 'string' },
    preset: { type: 'string', default: 'quick' }, config: { type: 'string' }, steps: { type: 'number' }, seed: { type: 'number' },
    resume: { type: 'boolean', default: false }, 'resume-from': { type: 'string' }, quiet: { type: 'boolean', default: false },
  });
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const text = flags.text as string | undefined;
  const clip = flags.clip as string | undefined;
  if ((text === undefined) === (clip === undefined)) throw new UsageError('give exactly one text encoder: --text DIR (conditioning text encoder run) or --clip DIR (CLIP text tower)');
  const a: TrainDiffusionArgs = {
    latent: resolve(flags.latent as string), arch: oneOf(flags.denoiser, DENOISER_ARCHS, 'denoiser'),
    data: resolve(flags.data as string), out: resolve(flags.out as string),
    conditioner: text !== undefined ? { kind: 'text', dir: resolve(text) } : { kind: 'clip', dir: resolve(clip!) },
    preset: oneOf(flags.preset, PRESETS, 'preset'),
    resume: (flags['resume-from'] as string | undefined) ?? (flags.resume as boolean), quiet: flags.quiet as boolean,
  };
  if (flags.objective !== undefined) a.objective = oneOf(flags.objective, OBJECTIVES, 'objective');
  if (flags.config !== undefined) a.configFile = flags.config as string;
  if (flags.latents !== undefined) a.latentsFile = resolve(flags.latents as string);
  const steps = integerFlag(flags.steps, 'steps', 1);
  const seed = integerFlag(flags.seed, 'seed', 0);
  if (steps !== undefined) a.steps = steps;
  if (seed !== undefined) a.seed = seed;
  return a;
}

/** Step 1: the resolved trainer config and the run's validated settings. */
export function resolveDiffusionConfig(a: TrainDiffusionArgs): { cfg: TrainerConfig; settings: DiffusionRunSettings } {
  const layers: ConfigLayer[] = [{ name: `preset '${a.preset}' of ${a.arch}`, value: diffusionPresetLayer(a.arch, a.preset) }];
  if (a.configFile !== undefined) layers.push({ name: a.configFile, value: readConfigFile(a.configFile) });
  const train: Record<string, number> = {};
  if (a.steps !== undefined) train['steps'] = a.steps;
  if (a.seed !== undefined) train['seed'] = a.seed;
  layers.push({ name: 'flags', value: { data: { dir: a.data }, train, ...(a.objective ? { model: { diffusion: { objective: a.objective } } } : {}) } });
  const cfg = resolveTrainerConfig(layers);
  return { cfg, settings: diffusionSettings(a.arch, cfg.model) };
}

/**
 * `t2v train diffusion`; `loaders` replaces how the frozen autoencoder and text encoder are
 * loaded (tests). Returns the exit code.
 */
export async function runTrainDiffusion(argv: string[], loaders?: FrozenLoaders): Promise<number> {
  const a = parseTrainDiffusion(argv);
  const { cfg, settings } = resolveDiffusionConfig(a);
  const load: FrozenLoaders = loaders ?? {
    loadAutoencoder: (await import('../../models/ae/index.js')).loadAutoencoder,
    loadConditioner: (await import('../../align/text-encoder.js')).loadConditionerSpec,
  };
  // 2. The frozen pieces.
  const ae = await load.loadAutoencoder(a.latent);
  let conditioner: Awaited<ReturnType<FrozenLoaders['loadConditioner']>> | undefined;
  const dist = distributedFromEnv();
  try {
    conditioner = await load.loadConditioner(a.conditioner);
    const frozen = conditioner;
    // 3. Calibration, then 4. training.
    const { input, calibration } = await calibrate(cfg, settings, ae);
    const { latentScale, latentShift } = settings.diffusion;
    const options = {
      ...settings.diffusion,
      latentScale: latentScale === 'auto' ? calibration!.scale : latentScale,
      latentShift: latentShift === 'auto' ? calibration!.shift : latentShift,
    };
    const pre = a.latentsFile !== undefined ? preEncoded(a.latentsFile, a.latent, ae.latentShape(input), cfg.data.dir, cfg.data.split) : null;
    const latentsFile = pre ? { path: pre.path, split: pre.split, videos: pre.latents.size } : null;
    const record: DiffusionRunRecord = { aeRun: a.latent, conditioner: a.conditioner, input, preset: a.preset, data: a.data, sample: settings.sample, calibration, latentsFile };
    const notMain = dist !== null && dist.context.rank !== 0;
    if (!notMain && !a.quiet) {
      process.stderr.write(`diffusion ${a.arch} (${options.objective}) on AE ${String(ae.arch)} latent [${ae.latentShape(input).join(', ')}], text '${frozen.name}' (${frozen.dim}-d); ` +
        `μ ${formatFigure(options.latentShift)}, λ ${formatFigure(options.latentScale)}${calibration ? ` from ${calibration.videos} videos` : ' (given)'}` +
        `${latentsFile ? `; ${latentsFile.videos} pre-encoded latents (${latentsFile.split}) from ${latentsFile.path}` : ''}\n`);
    }
    const makeTask = (): DiffusionTask => {
      const task = createDiffusionTask({ arch: a.arch, model: settings.denoiser, input, ae, conditioner: frozen, lr: cfg.train.lr, options });
      if (pre) task.preloadLatents(pre.latents, input);
      return task;
    };
    const result = await withInterrupt((signal) =>
      train(() => recordingTask(makeTask(), record), {
        config: cfg, runDir: a.out, resume: a.resume, signal,
        ...(dist ? { dist: dist.context } : {}),
        ...(a.quiet || notMain ? { progress: null } : {}),
      }),
    );
    if (!notMain) process.stdout.write(summary(a, result) + '\n');
    return result.completed ? 0 : 130;
  } finally {
    dist?.close();
    ae.dispose();
    (conditioner as Partial<{ dispose(): void }> | undefined)?.dispose?.();
  }
}

/** The checked `--latents` file; a file made for another run or split is a usage error. */
function preEncoded(path: string, aeRun: string, latentShape: number[], data: string, split: string): LatentsFile {
  let file: LatentsFile;
  try {
    file = readLatentsFile(path, { aeRun, latentShape });
  } catch (err) {
    if (err instanceof LatentsFileError) throw new UsageError(err.message);
    throw err;
  }
  if (file.data !== null && file.data !== resolve(data)) throw new UsageError(`latents file '${path}' encodes the videos of '${file.data}' but the run trains on '${resolve(data)}'; encode this dataset`);
  if (file.split !== split) throw new UsageError(`latents file '${path}' holds the '${file.split}' split but the run trains on '${split}'; encode that split (t2v ae encode --split ${split})`);
  return file;
}

/** Step 3: the data's (C, T, H, W) and μ, λ over the calibration videos (null when the config fixes both). */
async function calibrate(cfg: TrainerConfig, settings: DiffusionRunSettings, ae: Parameters<typeof calibrateLatents>[0]): Promise<{ input: [number, number, number, number]; calibration: LatentCalibration | null }> {
  let reader: DatasetReader;
  try {
    reader = DatasetReader.open(cfg.data.dir);
  } catch (err) {
    if (err instanceof DatasetError) throw new UsageError(err.message);
    throw err;
  }
  try {
    const m = reader.manifest;
    const input: [number, number, number, number] = [cfg.data.channels ?? m.channels, m.frames, m.height, m.width];
    if (settings.diffusion.latentScale !== 'auto' && settings.diffusion.latentShift !== 'auto') return { input, calibration: null };
    const calibration = await calibrateLatents(ae, reader, {
      split: cfg.data.split, videos: settings.calibration.videos, seed: cfg.train.seed, chunk: cfg.train.batchSize,
      ...(cfg.data.channels !== null ? { channels: cfg.data.channels } : {}),
    });
    return { input, calibration };
  } finally {
    reader.close();
  }
}

function summary(a: TrainDiffusionArgs, r: TrainResult): string {
  const val = r.validation ? Object.entries(r.validation).map(([k, v]) => `${k} ${formatFigure(v)}`).join(', ') : 'no validation';
  const head = r.completed ? `trained diffusion/${a.arch} for ${r.step} steps` : `stopped diffusion/${a.arch} at step ${r.step}`;
  return `${head} in ${r.wallClockS.toFixed(1)} s (${val}); run folder ${a.out}`;
}


const trainDiffusion: Command = {
  path: ['train', 'diffusion'],
  summary: 'train a text-to-video latent diffusion model (DiT, 3D U-Net or MLP denoiser)',
  usage: USAGE,
  run: (argv) => runTrainDiffusion(argv),
};

export const commands: readonly Command[] = [trainDiffusion];
