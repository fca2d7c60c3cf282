/**
 * `t2v train align`: stage 2 of the joint family (paper §3, eqs. 1–4; method.md): align a frozen
 * text encoder with a frozen video autoencoder by one of the methods of src/align/methods.ts,
 * then write the run (model/, log.jsonl, results.json) and its latent-space diagnostics.
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, oneOf, parseFlags, type Command } from '../command.js';
import { DatasetError, DatasetReader } from '../../data/format.js';
import { writeJsonAtomic } from '../../io/atomic.js';
import { ALIGN_METHODS, isAlignMethod } from '../../align/names.js';
import { ALIGN_PRESETS, alignPreset, presetSteps, type AlignPreset } from '../../align/presets.js';
import { NoiseWords } from '../../align/noise-words.js';
import type { ConditionerSpec } from '../../align/text-encoder.js';
import type { JointLoaders } from '../../align/generate.js';
import { LATENT_NORM_MODES, SHARED_TARGETS, type AlignOptions, type AlignTask } from '../../align/base.js';
import { BUCKET_NEGATIVES } from '../../align/bucket-loss.js';
import type { TrainAlignResult } from '../../align/train.js';

const USAGE = `usage: t2v train align --method METHOD --ae RUN (--text DIR | --clip DIR) --data DIR --out RUN [options]

Align text and video in a joint latent space (paper: "Towards Bridging the Semantic Spaces of
the One-to-Many Mapping in Cross-Modality Text-to-Video Generation", stage 2) over a frozen video
autoencoder run and a frozen text encoder, then write RUN/model/, RUN/log.jsonl,
RUN/results.json and RUN/diagnostics/ (PCA, t-SNE and UMAP plots, collapse measures).

methods: ${ALIGN_METHODS.join(' | ')}

options:
  --method NAME      alignment method (see above)                       [required]
  --ae RUN           trained video autoencoder run folder (t2v train ae) [required]
  --text DIR         conditioning text encoder run folder (trained on the data set;
                     never the evaluation model)
  --clip DIR         or: CLIP folder; its text tower conditions (pooled only)
  --data DIR         t2vlab dataset folder (train split trains, test split diagnoses) [required]
  --out RUN          new run folder                                      [required]
  --preset NAME      ${ALIGN_PRESETS.join(' | ')}                                 [quick]
  --seed S           seed of weights, batch order and noise words        [0]
  --steps N          optimisation steps (default: the preset's)
  --bucket-negatives paper | mean: the bucket loss's inter-bucket term as printed (eq. 4,
                     divided by |B_i|; its global minimum is degenerate) or averaged [mean]
  --shared-target    video | both: which code λ_s‖z1 − z2‖₁ trains; 'both' is eq. 2 as
                     printed (collapses to a constant), 'video' detaches z1         [video]
  --latent-norm      standardize | none: the methods see z_v standardised per dimension
                     over the training latents (ours) or raw                  [standardize]
  --skip-diagnostics do not write RUN/diagnostics/`;

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

interface Parsed {
  method: string;
  ae: string;
  spec: ConditionerSpec;
  data: string;
  out: string;
  preset: string;
  seed: number;
  steps: number | undefined;
  diagnostics: boolean;
  /** Option overrides from the command line. */
  options: Partial<AlignOptions>;
}

function parse(argv: string[]): Parsed {
  const { flags, positional } = parseFlags(argv, {
    method: { type: 'string', required: true },
    ae: { type: 'string', required: true },
    text: { type: 'string' },
    clip: { type: 'string' },
    data: { type: 'string', required: true },
    out: { type: 'string', required: true },
    preset: { type: 'string', default: 'quick' },
    seed: { type: 'number', default: 0 },
    steps: { type: 'number' },
    'skip-diagnostics': { type: 'boolean', default: false },
    'bucket-negatives': { type: 'string' },
    'shared-target': { type: 'string' },
    'latent-norm': { type: 'string' },
  });
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const method = flags.method as string;
  if (!isAlignMethod(method)) throw new UsageError(`--method must be one of ${ALIGN_METHODS.join(', ')}, got '${method}'`);
  if (!ALIGN_PRESETS.includes(flags.preset as never)) throw new UsageError(`--preset must be one of ${ALIGN_PRESETS.join(', ')}, got '${String(flags.preset)}'`);
  const text = flags.text as string | undefined;
  const clip = flags.clip as string | undefined;
  if ((text === undefined) === (clip === undefined)) throw new UsageError('give exactly one text encoder: --text DIR (conditioning text encoder run) or --clip DIR (CLIP text tower)');
  const seed = flags.seed as number;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be an integer ≥ 0, got ${seed}`);
  const steps = flags.steps as number | undefined;
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) throw new UsageError(`--steps must be an integer ≥ 1, got ${steps}`);
  const options: Partial<AlignOptions> = {};
  const negatives = oneOf(flags, 'bucket-negatives', BUCKET_NEGATIVES);
  if (negatives !== undefined) options.bucketNegatives = negatives;
  const target = oneOf(flags, 'shared-target', SHARED_TARGETS);
  if (target !== undefined) options.sharedTarget = target;
  const norm = oneOf(flags, 'latent-norm', LATENT_NORM_MODES);
  if (norm !== undefined) options.latentNorm = norm;
  return {
    method, options, ae: resolve(flags.ae as string), data: resolve(flags.data as string), out: resolve(flags.out as string),
    spec: text !== undefined ? { kind: 'text', dir: resolve(text) } : { kind: 'clip', dir: resolve(clip!) },
    preset: flags.preset as string, seed, steps, diagnostics: !(flags['skip-diagnostics'] as boolean),
  };
}

/**
 * The command; `loaders` replaces how the frozen AE and text encoder are loaded (tests).
 * Returns the exit code.
 */
export async function runTrainAlign(argv: string[], loaders?: JointLoaders): Promise<number> {
  const a = parse(argv);
  if (existsSync(join(a.out, 'model', 'task.json'))) throw new UsageError(`'${a.out}' already holds a trained run (model/task.json); choose a new --out folder`);
  let reader: DatasetReader;
  try {
    reader = DatasetReader.open(a.data);
  } catch (err) {
    if (err instanceof DatasetError) throw new UsageError(err.message);
    throw err;
  }
  try {
    await trainRun(a, reader, loaders);
    return 0;
  } finally {
    reader.close();
  }
}

/** Load the frozen pieces, build the task, train, save, diagnose, write results.json. */
async function trainRun(a: Parsed, reader: DatasetReader, loaders: JointLoaders | undefined): Promise<void> {
  // The engine and models load here, not when `t2v --help` lists the commands.
  const T = await import('../../tensor/index.js');
  const { createAlignTask } = await import('../../align/methods.js');
  const load: JointLoaders = loaders ?? {
    loadAutoencoder: (await import('../../models/ae/index.js')).loadAutoencoder,
    loadConditioner: (await import('../../align/text-encoder.js')).loadConditionerSpec,
  };
  const m = reader.manifest;
  T.manualSeed(a.seed);
  const preset = alignPreset(a.preset);
  const t0 = performance.now();
  // 1. Frozen pieces and the noise dictionary (disjoint from every caption of the data set).
  const ae = await load.loadAutoencoder(a.ae);
  const conditioner = await load.loadConditioner(a.spec);
  const noise = NoiseWords.fromCorpus(m.buckets);
  const input: [number, number, number, number] = [m.channels, m.frames, m.height, m.width];
  let task: AlignTask | undefined;
  try {
    task = createAlignTask(a.method, { ae, conditioner, input, trainSize: m.splits.train, noise, aeRun: a.ae, conditionerSpec: a.spec }, { ...preset.options, ...a.options, seed: a.seed });
    log(`align ${a.method}: AE ${ae.arch} latent [${task.latentShape.join(', ')}], text '${conditioner.name}' (${conditioner.dim}-d), ${noise.words.length} noise words, preset ${a.preset}`);
    mkdirSync(a.out, { recursive: true });
    // 2–3. Latents, training, model files.
    const fit = await fitTask(task, a, reader, preset);
    // 4. Diagnostics on the test split.
    let collapse: Record<string, unknown> | null = null;
    if (a.diagnostics && m.splits.test > 0) {
      const { DataLoader } = await import('../../data/loader.js');
      const { alignmentDiagnostics } = await import('../../align/diagnostics/index.js');
      const test = new DataLoader(reader, { split: 'test', batchSize: 64, sampler: 'sequential' });
      const d = await alignmentDiagnostics(task, test, join(a.out, 'diagnostics'), preset.diagnostics, { seed: a.seed, log });
      collapse = Object.fromEntries(Object.entries(d.spaces).map(([k, s]) => [k, {
        varianceRatio: s.collapse.varianceRatio, centroidAccuracy: s.collapse.centroidAccuracy, centroidAccuracyClean: s.collapseClean.centroidAccuracy, chance: s.collapse.chance,
      }]));
    }
    writeJsonAtomic(join(a.out, 'results.json'), {
      kind: task.kind, method: a.method, preset: a.preset, seed: a.seed, steps: fit.steps, epochs: fit.epochs, batchSize: preset.batchSize,
      seconds: { precompute: fit.precomputeSeconds, train: fit.seconds, total: (performance.now() - t0) / 1000 },
      threads: T.getNumThreads(), final: fit.last, collapse,
    });
    log(`wrote ${a.out} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  } finally {
    task?.dispose();
    ae.dispose();
    (conditioner as Partial<{ dispose(): void }>).dispose?.();
  }
}

/** Encode the training latents (when the preset says so), train, and write RUN/model/ and RUN/log.jsonl. */
async function fitTask(task: AlignTask, a: Parsed, reader: DatasetReader, preset: AlignPreset): Promise<TrainAlignResult & { precomputeSeconds: number }> {
  const { DataLoader } = await import('../../data/loader.js');
  const { precomputeLatents, saveAlignModel, trainAlign } = await import('../../align/train.js');
  const loader = new DataLoader(reader, { split: 'train', batchSize: preset.batchSize, sampler: 'bucket', perBucket: preset.perBucket, seed: a.seed, dropLast: true });
  let precomputeSeconds = 0;
  if (preset.precompute) {
    const p0 = performance.now();
    await precomputeLatents(task, reader, {
      onProgress: (done, total) => {
        if (done === total || done % 1024 < 64) log(`latents: ${done}/${total} videos encoded (${((performance.now() - p0) / 1000).toFixed(0)} s)`);
      },
    });
    precomputeSeconds = (performance.now() - p0) / 1000;
  }
  const steps = a.steps ?? presetSteps(preset, loader.len());
  const logPath = join(a.out, 'log.jsonl');
  const result = await trainAlign(task, loader, {
    steps, clipNorm: preset.clipNorm, logEvery: preset.logEvery,
    log: (r) => {
      appendFileSync(logPath, `${JSON.stringify(r)}\n`);
      log(`step ${r.step}/${steps}: ${Object.entries(r).filter(([k]) => k !== 'step' && k !== 'epoch').map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(', ')}`);
    },
  });
  saveAlignModel(task, a.out, { preset: a.preset, seed: a.seed, steps: result.steps, data: a.data });
  return { ...result, precomputeSeconds };
}

const trainAlignCommand: Command = {
  path: ['train', 'align'],
  summary: 'align text and video in a joint latent space (progressive bucket loss and baselines)',
  usage: USAGE,
  run: (argv) => runTrainAlign(argv),
};

export const commands: Command[] = [trainAlignCommand];
