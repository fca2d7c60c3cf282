/**
 * The settings of a `t2v train diffusion` run and what the run adds to `model/task.json`.
 *
 * The trainer's config schema (train/config.ts) has three sections, train / data / model, and
 * leaves `model` to the task, so the run's own settings live there next to the denoiser's sizes:
 *
 *   "model": {
 *     ...the denoiser's hyper-parameters       (DiT / UNet3D / MLP; unknown keys rejected)
 *     "diffusion":   { objective, betaSchedule, condDropout, weightDecay,
 *                      latentScale, latentShift, cacheLatents, cacheText }   (DiffusionOptions)
 *     "sample":      { sampler, steps, guidance, eta }   defaults of `t2v generate`; sampler
 *                    'auto' = 'flow-euler' for the flow objective, else 'ddim'
 *     "calibration": { videos }   training videos that estimate μ and λ (calibration.ts)
 *   }
 *
 * The run record (`DiffusionRunRecord`) adds to the task's `describe()` what generation needs to
 * reload the frozen pieces: the autoencoder run (`ae.run`), the conditioner (`conditionerSpec`),
 * the video shape, the sampling defaults and the calibration.
 *
 * @example
 *   const layer = diffusionPresetLayer('dit', 'quick');      // { train: {...}, model: {...} }
 *   const cfg = resolveTrainerConfig([{ name: 'preset', value: layer }, ...]);
 *   const settings = diffusionSettings('dit', cfg.model);    // { denoiser, diffusion, sample, calibration }
 */
import type { Batch } from '../data/loader.js';
import type { TrainTask, StepContext } from '../train/types.js';
import { ConfigError, describeValue, parseConfig, s, type ConfigIssue, type Schema } from '../train/schema.js';
import type { ConditionerSpec } from '../align/text-encoder.js';
import { DIT_DEFAULTS, MLP_DEFAULTS, UNET3D_DEFAULTS, checkArch, type DenoiserArch } from './denoisers/index.js';
import { resolveConfig, type ConfigValue } from './denoisers/config.js';
import { SCHEDULER_NAMES, type SchedulerName } from './schedulers/types.js';
import { diffusionDefaults, type DiffusionOptions, type Preset, type SampleOptions } from './presets.js';
import { OBJECTIVES, type DiffusionTask, type Objective } from './task.js';
import type { LatentCalibration } from './calibration.js';

/** Keys of `model` that are not the denoiser's. */
export const RUN_SECTIONS = ['diffusion', 'sample', 'calibration'] as const;

/** Default number of training videos that estimate μ and λ. */
export const CALIBRATION_VIDEOS = 64;

export interface DiffusionRunSettings {
  /** The denoiser's hyper-parameters (the `model` keys other than RUN_SECTIONS). */
  denoiser: Record<string, unknown>;
  diffusion: DiffusionOptions;
  sample: SampleOptions;
  calibration: { videos: number };
}

/** The preset's layer of the trainer config: `train` overrides and the `model` section. */
export function diffusionPresetLayer(arch: DenoiserArch, preset: Preset): { train: Record<string, unknown>; model: Record<string, unknown> } {
  const d = diffusionDefaults(arch, preset);
  return {
    train: d.train,
    model: { ...d.model, diffusion: { ...d.diffusion }, sample: { ...d.sample, sampler: 'auto' }, calibration: { videos: CALIBRATION_VIDEOS } },
  };
}

/** 'auto' or a value of `inner`. */
function autoOr(inner: Schema<number>): Schema<number | 'auto'> {
  const expected = `"auto" or ${inner.expected}`;
  return {
    expected,
    parse(value, path, issues) {
      if (value === 'auto') return 'auto';
      const sub: ConfigIssue[] = [];
      const r = inner.parse(value, path, sub);
      for (const i of sub) issues.push(i.path === path ? { path, message: `expected ${expected}, got ${describeValue(value)}` } : i);
      return r;
    },
  };
}

const diffusionSchema: Schema<DiffusionOptions> = s.object({
  objective: s.oneOf(OBJECTIVES),
  betaSchedule: s.oneOf(['linear', 'cosine'] as const),
  condDropout: s.number({ ge: 0, le: 1 }),
  weightDecay: s.number({ ge: 0 }),
  latentScale: autoOr(s.number({ gt: 0 })),
  latentShift: autoOr(s.number()),
  cacheLatents: s.boolean(),
  cacheText: s.boolean(),
});

const sampleSchema = s.object({
  sampler: s.oneOf(['auto', ...SCHEDULER_NAMES] as const),
  steps: s.int({ min: 1 }),
  guidance: s.number(),
  eta: s.number({ ge: 0 }),
});

const calibrationSchema = s.object({ videos: s.int({ min: 2 }) });

const DENOISER_DEFAULTS: Record<DenoiserArch, Record<string, ConfigValue>> = {
  dit: DIT_DEFAULTS as unknown as Record<string, ConfigValue>,
  unet3d: UNET3D_DEFAULTS as unknown as Record<string, ConfigValue>,
  mlp: MLP_DEFAULTS as unknown as Record<string, ConfigValue>,
};

/** The sampler a model trained with `objective` uses when none is named. */
export function defaultSampler(objective: Objective): SchedulerName {
  return objective === 'flow' ? 'flow-euler' : 'ddim';
}

/**
 * Split and validate the resolved `model` section. Throws a ConfigError naming every bad key
 * (`config.model.diffusion.condDropout: expected a number >= 0 and <= 1, got 2`).
 */
export function diffusionSettings(arch: string, model: Record<string, unknown>): DiffusionRunSettings {
  const a = checkArch(arch);
  const { diffusion, sample, calibration, ...denoiser } = model;
  const issues: ConfigIssue[] = [];
  const parse = <V>(schema: Schema<V>, value: unknown, key: string): V | null => {
    try {
      return parseConfig(schema, value, { root: `config.model.${key}` });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(...err.issues);
      return null;
    }
  };
  const d = parse(diffusionSchema, diffusion, 'diffusion');
  const smp = parse(sampleSchema, sample, 'sample');
  const cal = parse(calibrationSchema, calibration, 'calibration');
  try {
    resolveConfig(DENOISER_DEFAULTS[a], denoiser, a);
  } catch (err) {
    issues.push({ path: 'config.model', message: (err as Error).message });
  }
  if (d && smp) {
    const flow = d.objective === 'flow';
    if (smp.sampler !== 'auto' && (smp.sampler === 'flow-euler') !== flow) {
      issues.push({ path: 'config.model.sample.sampler', message: `the ${d.objective} objective samples with ${flow ? "'flow-euler'" : "'ddim' or 'ddpm'"}, got '${smp.sampler}'; use "auto"` });
    }
  }
  if (issues.length > 0 || !d || !smp || !cal) throw new ConfigError(issues, 'invalid diffusion settings in the config\'s model section:');
  const sampler = smp.sampler === 'auto' ? defaultSampler(d.objective) : smp.sampler;
  return { denoiser, diffusion: d, sample: { ...smp, sampler }, calibration: cal };
}

/** What a run adds to `task.describe()` in `model/task.json`. */
export interface DiffusionRunRecord {
  /** The frozen autoencoder's run folder (absolute). */
  aeRun: string;
  /** The frozen text encoder. */
  conditioner: ConditionerSpec;
  /** Per-video (C, T, H, W) of the training data. */
  input: [number, number, number, number];
  preset: string;
  /** The dataset folder trained on. */
  data: string;
  /** Generation defaults. */
  sample: SampleOptions;
  /** How μ and λ were estimated; null when the config fixed both. */
  calibration: LatentCalibration | null;
  /** The pre-encoded latents file the latent cache started from (`--latents`), if any. */
  latentsFile?: { path: string; split: string; videos: number } | null;
}

/** `describe()` of the task with the run record merged in (task.json). */
export function runDescription(desc: Record<string, unknown>, r: DiffusionRunRecord): Record<string, unknown> {
  if (typeof desc['latentScale'] !== 'number' || typeof desc['latentShift'] !== 'number') {
    throw new Error('runDescription: the latent scale and shift must be calibrated before the run is described');
  }
  const ae = (desc['ae'] ?? {}) as Record<string, unknown>;
  return {
    ...desc,
    ae: { ...ae, run: r.aeRun },
    conditionerSpec: { ...r.conditioner },
    input: [...r.input],
    preset: r.preset,
    data: r.data,
    sample: { ...r.sample },
    calibration: r.calibration ? { ...r.calibration } : null,
    latentsFile: r.latentsFile ? { ...r.latentsFile } : null,
  };
}

/** `task` as the trainer sees it, with `describe()` extended by the run record. */
export function recordingTask(task: DiffusionTask, record: DiffusionRunRecord): TrainTask {
  return {
    kind: task.kind,
    modules: () => task.modules(),
    optimizers: () => task.optimizers(),
    emaModules: () => task.emaModules(),
    trainStep: (batch: Batch, ctx: StepContext) => task.trainStep(batch, ctx),
    validate: (batches: AsyncIterable<Batch>) => task.validate(batches),
    describe: () => runDescription(task.describe(), record),
    dispose: () => task.dispose(),
  };
}
