/**
 * `t2v train ae`: train a video autoencoder (3DConv-Base WAE, 3D U-Net AE or causal 3D VAE) with
 * the shared trainer (src/train). The config is the trainer's defaults, then the preset's
 * (`aeSpec(arch).defaults(preset)`), then `--config FILE`, then the flags; the data's
 * (C, T, H, W) comes from the dataset manifest.
 */
import { existsSync } from 'node:fs';
import { withInterrupt } from '../interrupt.js';
import { distributedFromEnv } from '../../dist/context.js';
import { UsageError, parseFlags, type Command } from '../command.js';
import { AE_ARCHS, aeSpec, type AeSpec, type Preset } from '../../models/ae/index.js';
import { DatasetReader } from '../../data/format.js';
import { readConfigFile, resolveTrainerConfig, type ConfigLayer, type TrainerConfig } from '../../train/config.js';
import { train, type TrainResult } from '../../train/trainer.js';
import { formatFigure } from '../../train/progress.js';
import { readTaskFile } from '../../train/run-dir.js';

const PRESETS: readonly Preset[] = ['micro', 'quick', 'paper'];

const USAGE = `usage: t2v train ae --arch NAME --data DIR --out RUN [options]

Train a video autoencoder; the run folder gets config.json, run.json, log.jsonl, ckpt/,
model/ (final weights, EMA where kept) and results.json.

options:
  --arch NAME         ${AE_ARCHS.join(' | ')}
  --data DIR          dataset folder (e.g. from \`t2v data syncdraw\`); (C, T, H, W) from its manifest
  --out RUN           run folder (created; one that already holds a run needs --resume)
  --preset NAME       ${PRESETS.join(' | ')}                                  [quick]
  --config FILE       JSON {train, data, model} merged over the preset; unknown keys are rejected
  --steps N           train.steps (optimisation steps)
  --max-seconds S     train.maxSeconds: end the run (validated, exported) at the first step
                      past S seconds of training, e.g. 3600 for "within 60 minutes"
  --seed S            train.seed (weights init, noise and data order)
  --init RUN          warm start: initialise the weights from a finished run of the same
                      architecture (its model/); optimizer, schedule and step start fresh (train.init)
  --vgg DIR           VGG19 safetensors folder with torchvision keys (features.{i}.weight/bias);
                      enables the 0.0025·perceptual term (model.vggDir, model.perceptualWeight)
  --domain-feat DIR   domain model (\`t2v train domain\`, its own seed; not a judge of the
                      study): L1 match of its frozen video tower's features, the perceptual
                      term's stand-in without VGG19 (model.domainFeatDir, model.domainFeatWeight)
  --val-probe DIR     attribute probe (\`t2v train probe\`): validation also reports
                      attribute_accuracy and attr_<key> of the reconstructions (train.valProbe)
  --val-domain DIR    domain model (\`t2v train domain\`): validation also reports fvd_domain of
                      the reconstructions against the real videos (train.valDomain)
  --resume            continue RUN from its newest checkpoint (a fresh start when it has none);
                      a damaged newest checkpoint is refused, naming the intact one to use
  --resume-from FILE  continue RUN from this checkpoint (newer ones are renamed *.superseded)
  --quiet             no progress display

Ctrl-C stops after the current step with a checkpoint; resume with --resume.`;

export interface TrainAeArgs {
  arch: string;
  preset: Preset;
  data: string;
  configFile?: string;
  steps?: number;
  /** train.maxSeconds: the wall-clock budget. */
  maxSeconds?: number;
  seed?: number;
  /** model.vggDir: the VGG19 folder of the perceptual term. */
  vgg?: string;
  /** model.domainFeatDir: the domain model whose frozen video tower gives the domain-feature term. */
  domainFeat?: string;
  /** train.init: the finished run to warm-start from. */
  init?: string;
  /** train.valProbe / train.valDomain: evaluation models of the validation. */
  valProbe?: string;
  valDomain?: string;
}

/** The resolved trainer config of a `t2v train ae` invocation (layers as the file comment says). */
export function resolveAeConfig(spec: AeSpec, a: TrainAeArgs): TrainerConfig {
  const d = spec.defaults(a.preset);
  const layers: ConfigLayer[] = [{ name: `preset '${a.preset}' of ${a.arch}`, value: { train: d.train, model: d.model } }];
  if (a.configFile !== undefined) layers.push({ name: a.configFile, value: readConfigFile(a.configFile) });
  const flags: { data: { dir: string }; train: Record<string, number | string>; model?: { vggDir?: string; domainFeatDir?: string } } = { data: { dir: a.data }, train: {} };
  if (a.init !== undefined) flags.train['init'] = a.init;
  if (a.steps !== undefined) flags.train['steps'] = a.steps;
  if (a.maxSeconds !== undefined) flags.train['maxSeconds'] = a.maxSeconds;
  if (a.seed !== undefined) flags.train['seed'] = a.seed;
  if (a.valProbe !== undefined) flags.train['valProbe'] = a.valProbe;
  if (a.valDomain !== undefined) flags.train['valDomain'] = a.valDomain;
  if (a.vgg !== undefined) flags.model = { vggDir: a.vgg };
  if (a.domainFeat !== undefined) flags.model = { ...flags.model, domainFeatDir: a.domainFeat };
  layers.push({ name: 'flags', value: flags });
  return resolveTrainerConfig(layers);
}

/** Per-video (C, T, H, W) the model sees: the manifest's sizes, channels as the config asks. */
export function inputShape(cfg: TrainerConfig): [number, number, number, number] {
  const reader = DatasetReader.open(cfg.data.dir);
  try {
    const m = reader.manifest;
    return [cfg.data.channels ?? m.channels, m.frames, m.height, m.width];
  } finally {
    reader.close();
  }
}

function integerFlag(v: unknown, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

/** `t2v train ae` with an injectable spec lookup (tests pass a tiny one). */
export async function runTrainAe(argv: string[], specFor: (arch: string) => AeSpec = aeSpec): Promise<number> {
  const { flags, positional } = parseFlags(argv, {
    arch: { type: 'string', required: true },
    data: { type: 'string', required: true },
    out: { type: 'string', required: true },
    preset: { type: 'string', default: 'quick' },
    config: { type: 'string' },
    steps: { type: 'number' },
    'max-seconds': { type: 'number' },
    seed: { type: 'number' },
    vgg: { type: 'string' },
    'domain-feat': { type: 'string' },
    init: { type: 'string' },
    'val-probe': { type: 'string' },
    'val-domain': { type: 'string' },
    resume: { type: 'boolean', default: false },
    'resume-from': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  });
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const arch = flags.arch as string;
  if (!(AE_ARCHS as readonly string[]).includes(arch)) throw new UsageError(`--arch must be one of ${AE_ARCHS.join(', ')}, got '${arch}'`);
  const preset = flags.preset as string;
  if (!(PRESETS as readonly string[]).includes(preset)) throw new UsageError(`--preset must be one of ${PRESETS.join(', ')}, got '${preset}'`);
  const args: TrainAeArgs = { arch, preset: preset as Preset, data: flags.data as string };
  if (flags.config !== undefined) args.configFile = flags.config as string;
  const steps = integerFlag(flags.steps, 'steps', 1);
  const seed = integerFlag(flags.seed, 'seed', 0);
  if (steps !== undefined) args.steps = steps;
  if (flags['max-seconds'] !== undefined) {
    const max = flags['max-seconds'] as number;
    if (!(max > 0)) throw new UsageError(`--max-seconds must be a number of seconds > 0, got ${max}`);
    args.maxSeconds = max;
  }
  if (seed !== undefined) args.seed = seed;
  if (flags.init !== undefined) {
    const init = flags.init as string;
    // Before the task (and any VGG) is built; the trainer checks the exact kind (train/init.ts).
    readTaskFile(init, 'give the run folder of a completed `t2v train ae`', { want: { kind: 'ae/', what: 'an autoencoder run' }, fail: (m) => new UsageError(`--init: ${m}`) });
    args.init = init;
  }
  if (flags['val-probe'] !== undefined) args.valProbe = flags['val-probe'] as string;
  if (flags['val-domain'] !== undefined) args.valDomain = flags['val-domain'] as string;
  if (flags.vgg !== undefined) {
    const vgg = flags.vgg as string;
    if (!existsSync(vgg)) throw new UsageError(`--vgg: '${vgg}' does not exist; pass a folder holding vgg19.safetensors (torchvision's VGG19 weights)`);
    args.vgg = vgg;
  }
  if (flags['domain-feat'] !== undefined) {
    const dir = flags['domain-feat'] as string;
    if (!existsSync(dir)) throw new UsageError(`--domain-feat: '${dir}' does not exist; pass a domain-model folder trained for this (t2v train domain --data DATA --out ${dir} --seed S, a seed no judge uses)`);
    args.domainFeat = dir;
  }

  const spec = specFor(arch);
  const cfg = resolveAeConfig(spec, args);
  const input = inputShape(cfg);
  const resumeFrom = flags['resume-from'] as string | undefined;
  const resume = resumeFrom ?? (flags.resume as boolean);

  // Under `t2v launch` (WORLD_SIZE set) join the c10d process group: data-parallel training.
  const dist = distributedFromEnv();
  let result: TrainResult;
  try {
    result = await withInterrupt((signal) =>
      train(() => spec.createTask(cfg.model, input, { lr: cfg.train.lr, clipNorm: cfg.train.clipNorm }), {
        config: cfg,
        runDir: flags.out as string,
        resume,
        signal,
        modelDefaults: spec.defaults(args.preset).model,
        ...(dist ? { dist: dist.context } : {}),
        ...(flags.quiet || (dist && dist.context.rank !== 0) ? { progress: null } : {}),
      }),
    );
  } finally {
    dist?.close();
  }
  if (dist && dist.context.rank !== 0) return result.completed ? 0 : 130;
  process.stdout.write(summary(arch, flags.out as string, result) + '\n');
  return result.completed ? 0 : 130;
}

function summary(arch: string, out: string, r: TrainResult): string {
  const val = r.validation ? Object.entries(r.validation).map(([k, v]) => `${k} ${formatFigure(v)}`).join(', ') : 'no validation';
  const head = r.completed ? `trained ${arch} for ${r.step} steps${r.stoppedBy === 'time' ? ' (train.maxSeconds reached)' : ''}` : `stopped ${arch} at step ${r.step}`;
  return `${head} in ${r.wallClockS.toFixed(1)} s (${val}); run folder ${out}`;
}


const trainAe: Command = {
  path: ['train', 'ae'],
  summary: 'train a video autoencoder (conv3d-base, unet3d, causal-vae)',
  usage: USAGE,
  run: (argv) => runTrainAe(argv),
};

export const commands: readonly Command[] = [trainAe];
