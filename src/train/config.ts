/**
 * The trainer's config: what to train on and how, validated (unknown keys rejected, errors name
 * the key path) and resolved from layers.
 *
 *   { "train": { steps, batchSize, lr, clipNorm, ema, warmupSteps, valEvery, valBatches,
 *                ckptEvery, keepLast, logEvery, seed, threads?, init, valDomain, valProbe, maxSeconds },
 *     "data":  { dir, split, sampler, perBucket, channels, valSplit },
 *     "model": { ...the architecture's hyper-parameters, validated by the task } }
 *
 * Layers, later over earlier (objects merged key by key, anything else replaced):
 *   1. {@link TRAINER_DEFAULTS}
 *   2. the preset's defaults (e.g. `aeSpec(arch).defaults('quick')`: `model` and `train` overrides)
 *   3. a JSON config file (`--config FILE`)
 *   4. command-line flags (`--steps`, `--seed`, `--data`)
 * The resolved config is written to the run folder as `config.json`.
 *
 * @example
 *   const cfg = resolveTrainerConfig([
 *     { name: 'preset quick', value: { train: { steps: 2000 }, model: { dz: 64 } } },
 *     { name: 'flags', value: { data: { dir: 'data/single' } } },
 *   ]);
 *   cfg.train.steps;      // 2000
 *   cfg.train.lr;         // 0.0002 (trainer default)
 */
import { existsSync, readFileSync } from 'node:fs';
import { SPLITS, type Split } from '../data/format.js';
import { ConfigError, parseConfig, s, type ConfigIssue, type Schema } from './schema.js';

export interface TrainSection {
  /** Optimisation steps in all (the budget; epochs follow from it). */
  steps: number;
  /** Videos per step (per process in data-parallel runs). */
  batchSize: number;
  /** Peak learning rate passed to the task; every optimizer follows warmup + cosine from its own base rate. */
  lr: number;
  /** Max global gradient norm (null: no clipping). */
  clipNorm: number | null;
  /** EMA decay of the task's `emaModules()` (null: no EMA). */
  ema: number | null;
  /** Linear warmup steps before the cosine decay. */
  warmupSteps: number;
  /** Validate every N steps (0: only at the end). */
  valEvery: number;
  /** Batches of the validation split per validation (0: no validation). */
  valBatches: number;
  /** Write a checkpoint every N steps (and always at the end). */
  ckptEvery: number;
  /** Step checkpoints kept (plus the best one). */
  keepLast: number;
  /** A log line (and a progress line when stderr is not a TTY) every N steps. */
  logEvery: number;
  /** Seed of weights init, noise and data order. */
  seed: number;
  /** Engine threads (default: T2V_THREADS or the core count). */
  threads?: number;
  /**
   * Warm start: a finished run folder whose exported weights (model/) initialise this run's
   * modules on a fresh start (init.ts); optimizer, schedule and step start fresh. null: none.
   */
  init: string | null;
  /**
   * A domain-model folder (`t2v train domain`): validation also reports `fvd_domain`, the Fréchet
   * distance of its video features between the outputs and the real validation videos. Only
   * for tasks whose validation makes videos (the autoencoders); null: none.
   */
  valDomain: string | null;
  /**
   * An attribute-probe folder (`t2v train probe`): validation also reports `attribute_accuracy`
   * of the outputs against their captions (does the output keep the digit and the motion?).
   * Only for tasks whose validation makes videos; null: none.
   */
  valProbe: string | null;
  /**
   * Wall-clock budget in seconds, summed over every session of the run (null: none). The first
   * step that ends at or past it is treated as the last: final validation, checkpoint, exported
   * model; results.json records the steps done and `stoppedBy: "time"`. The learning-rate
   * schedule still follows `steps`, so set `steps` to what the budget about allows. For
   * comparisons "within N minutes on this machine".
   */
  maxSeconds: number | null;
}

export type TrainSampler = 'random' | 'bucket';

export interface DataSection {
  /** Dataset folder (t2vlab format). */
  dir: string;
  /** Split trained on. */
  split: Split;
  sampler: TrainSampler;
  /** Videos of one caption per group, for the bucket sampler. */
  perBucket: number;
  /** Channels the model sees (null: the data set's). */
  channels: 1 | 3 | null;
  /** Split validated on. */
  valSplit: Split;
}

export interface TrainerConfig {
  train: TrainSection;
  data: DataSection;
  /** Architecture hyper-parameters; validated by the task (errors name `model.<key>`). */
  model: Record<string, unknown>;
}

/** The trainer's own defaults (layer 1). `data.dir` has none: it must come from a later layer. */
export const TRAINER_DEFAULTS = {
  train: {
    steps: 1000,
    batchSize: 16,
    lr: 2e-4,
    clipNorm: 1,
    ema: null,
    warmupSteps: 0,
    valEvery: 500,
    valBatches: 4,
    ckptEvery: 500,
    keepLast: 3,
    logEvery: 10,
    seed: 0,
    init: null,
    valDomain: null,
    valProbe: null,
    maxSeconds: null,
  },
  data: { split: 'train', sampler: 'random', perBucket: 4, channels: null, valSplit: 'val' },
  model: {},
} as const;

const trainSchema: Schema<TrainSection> = s.object({
  steps: s.int({ min: 1 }),
  batchSize: s.int({ min: 1 }),
  lr: s.number({ gt: 0 }),
  clipNorm: s.nullable(s.number({ gt: 0 })),
  ema: s.nullable(s.number({ gt: 0, lt: 1 })),
  warmupSteps: s.int({ min: 0 }),
  valEvery: s.int({ min: 0 }),
  valBatches: s.int({ min: 0 }),
  ckptEvery: s.int({ min: 1 }),
  keepLast: s.int({ min: 1 }),
  logEvery: s.int({ min: 1 }),
  seed: s.int({ min: 0 }),
  threads: s.optional(s.int({ min: 1, max: 1024 })),
  init: s.nullable(s.string({ nonEmpty: true })),
  valDomain: s.nullable(s.string({ nonEmpty: true })),
  valProbe: s.nullable(s.string({ nonEmpty: true })),
  maxSeconds: s.nullable(s.number({ gt: 0 })),
});

const dataSchema: Schema<DataSection> = s.object({
  dir: s.string({ nonEmpty: true }),
  split: s.oneOf(SPLITS),
  sampler: s.oneOf(['random', 'bucket'] as const),
  perBucket: s.int({ min: 1 }),
  channels: s.nullable(s.oneOf([1, 3] as const)),
  valSplit: s.oneOf(SPLITS),
});

export const trainerConfigSchema: Schema<TrainerConfig> = s.object({
  train: trainSchema,
  data: dataSchema,
  model: s.withDefault(s.anyObject(), {}),
});

/** Checks that span keys (run after the per-key checks pass). */
function crossChecks(c: TrainerConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (c.train.warmupSteps > c.train.steps) {
    issues.push({ path: 'config.train.warmupSteps', message: `expected an integer <= train.steps (${c.train.steps}), got ${c.train.warmupSteps}` });
  }
  if (c.data.sampler === 'bucket' && c.train.batchSize % c.data.perBucket !== 0) {
    issues.push({
      path: 'config.train.batchSize',
      message: `expected a multiple of data.perBucket (${c.data.perBucket}) with the bucket sampler, got ${c.train.batchSize}`,
    });
  }
  return issues;
}

/** Validate a complete config (all keys present after merging). */
export function validateTrainerConfig(value: unknown, header?: string): TrainerConfig {
  const cfg = parseConfig(trainerConfigSchema, value, header === undefined ? {} : { header });
  const issues = crossChecks(cfg);
  if (issues.length > 0) throw new ConfigError(issues, header);
  return cfg;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `over` merged onto `base`: objects key by key (recursively), anything else replaced. Inputs are not modified. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
  return out;
}

/** A layer of the config and where it came from (named in errors). */
export interface ConfigLayer {
  name: string;
  value: unknown;
}

/**
 * Merge `layers` over {@link TRAINER_DEFAULTS} and validate the result. A ConfigError lists every
 * problem with its key path, after a header naming the layers.
 */
export function resolveTrainerConfig(layers: ConfigLayer[]): TrainerConfig {
  let merged: unknown = TRAINER_DEFAULTS;
  for (const l of layers) {
    if (!isPlainObject(l.value)) throw new ConfigError([{ path: 'config', message: `expected an object, got ${Array.isArray(l.value) ? 'an array' : String(l.value)}` }], `invalid ${l.name}:`);
    merged = deepMerge(merged, l.value);
  }
  const names = ['trainer defaults', ...layers.map((l) => l.name)].join(' <- ');
  return validateTrainerConfig(merged, `invalid training config (merged: ${names}):`);
}

/** Read a JSON config file; errors name the file and say what is wrong. */
export function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new ConfigError([{ path, message: 'config file not found; check the path given to --config' }]);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([{ path, message: `not valid JSON (${(err as Error).message}); fix the file` }]);
  }
  if (!isPlainObject(value)) {
    throw new ConfigError([{ path, message: `expected a JSON object with keys train, data, model; got ${Array.isArray(value) ? 'an array' : typeof value}` }]);
  }
  return value;
}

/**
 * Key paths where two resolved configs differ (e.g. `train.steps`), ignoring `ignore` paths;
 * used to refuse resuming a run with different settings.
 */
export function configDifferences(a: unknown, b: unknown, ignore: readonly string[] = [], path = ''): string[] {
  if (ignore.includes(path)) return [];
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => configDifferences(a[k], b[k], ignore, path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path || '(root)'];
}
