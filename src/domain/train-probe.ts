/**
 * Training of the SyncDraw attribute probe (probe.ts; `../shared/docs/metrics.md` §5): supervised
 * cross entropy on the manifest attributes of the **real train** videos, AdamW with warmup and
 * cosine decay, a checkpoint per epoch (resumable), then the probe's accuracy on the real test
 * videos — the ceiling `attribute_accuracy` is reported against — and the folder.
 *
 * Presets: `micro` (seconds, tests), `quick` (a few minutes on 2 cores for the 10000-video
 * single-digit set, ≥ 0.95 accuracy), `paper` (larger, longer).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '../tensor/index.js';
import { DatasetReader, type Split, type VideoEntry } from '../data/format.js';
import { DataLoader } from '../data/loader.js';
import { AdamW, LRScheduler, warmupCosine, type JsonObject } from '../optim/index.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { AttributeProbeModel, captionAttributes, manifestSlots, probeTargets, slotsToAttributes, ATTRIBUTE_KEYS, type ProbeConfig, type Slot } from './probe.js';
import { videosFromU8, type VideoTowerConfig } from './video-tower.js';
import { TrainInputError, datasetInfo, evalSplit, fit, forEachChunk, parameterGroups } from './train-common.js';

export type ProbePreset = 'micro' | 'quick' | 'paper';
export const PROBE_PRESETS: readonly ProbePreset[] = ['micro', 'quick', 'paper'];

export interface ProbeRecipe {
  arch: (channels: 1 | 3) => VideoTowerConfig;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  warmup: number;
  maxStepsPerEpoch?: number;
}

export const PROBE_RECIPES: Readonly<Record<ProbePreset, ProbeRecipe>> = {
  micro: {
    arch: (c) => ({ inputChannels: c, frames: 4, size: 16, channels: [8, 16, 16] }),
    epochs: 4, batchSize: 16, lr: 2e-3, weightDecay: 0.01, warmup: 0.1,
  },
  // Tuned on /work/data/single: 0.72 after 300 steps of 32, 0.94 after 900; 4 epochs = 1248 steps.
  quick: {
    arch: (c) => ({ inputChannels: c, frames: 8, size: 32, channels: [16, 32, 64, 64] }),
    epochs: 4, batchSize: 32, lr: 1e-3, weightDecay: 0.01, warmup: 0.02,
  },
  paper: {
    arch: (c) => ({ inputChannels: c, frames: 16, size: 64, patch: 2, channels: [32, 64, 128, 128] }),
    epochs: 15, batchSize: 32, lr: 1e-3, weightDecay: 0.01, warmup: 0.02,
  },
};

export interface TrainProbeOptions {
  data: string;
  out: string;
  preset?: ProbePreset;
  seed?: number;
  recipe?: Partial<ProbeRecipe>;
  log?: (line: string) => void;
}

export interface ProbeScores {
  /** Fraction of videos with every attribute right. */
  accuracy: number;
  digit: number;
  motion: number;
  /** Fraction with the right number of digits. */
  count: number;
  videos: number;
}

/** Train, evaluate and save a probe; the caller disposes `result.probe`. */
export async function trainAttributeProbe(opts: TrainProbeOptions): Promise<{ probe: AttributeProbeModel; config: ProbeConfig; epochLosses: number[] }> {
  const preset = opts.preset ?? 'quick';
  if (!PROBE_PRESETS.includes(preset)) throw new RangeError(`preset must be one of ${PROBE_PRESETS.join(', ')}, got '${String(preset)}'`);
  const seed = opts.seed ?? 0;
  const recipe: ProbeRecipe = { ...PROBE_RECIPES[preset], ...opts.recipe };
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (existsSync(join(opts.out, 'config.json'))) {
    throw new TrainInputError(`'${opts.out}' already holds a trained probe (config.json); choose another --out or delete that folder`);
  }
  // 1. Data: every train video must carry SyncDraw attributes.
  using reader = DatasetReader.open(opts.data);
  const m = reader.manifest;
  if (m.channels !== 1 && m.channels !== 3) throw new TrainInputError(`data set '${opts.data}' has ${m.channels} channels; the probe reads gray (1) or RGB (3)`);
  const train = reader.videos('train');
  if (train.length === 0) throw new TrainInputError(`data set '${opts.data}' has no train videos`);
  const bad = train.find((e) => manifestSlots(e.attributes) === null);
  if (bad) throw new TrainInputError(`video '${bad.id}' of '${opts.data}' has no SyncDraw attributes {digits, motions}; the probe is trained on SyncDraw data sets (\`t2v data syncdraw\`)`);
  // 2. Model and optimizer.
  T.manualSeed(seed);
  const probe = new AttributeProbeModel(recipe.arch(m.channels as 1 | 3));
  const loader = new DataLoader(reader, { split: 'train', batchSize: recipe.batchSize, seed, dropLast: true });
  const perEpoch = Math.min(loader.len(), recipe.maxStepsPerEpoch ?? Infinity);
  if (perEpoch === 0) throw new TrainInputError(`data set '${opts.data}' has ${train.length} train videos, fewer than one batch of ${recipe.batchSize}`);
  const total = perEpoch * recipe.epochs;
  const opt = new AdamW(parameterGroups(probe, recipe.weightDecay), { lr: recipe.lr });
  const sched = new LRScheduler(opt, warmupCosine({ baseLr: recipe.lr, warmupSteps: Math.round(recipe.warmup * total), totalSteps: total, minLr: recipe.lr * 0.01 }));
  try {
    // 3. Epochs (resumable).
    mkdirSync(opts.out, { recursive: true });
    const checkpoint = join(opts.out, 'checkpoint.safetensors');
    const identity: JsonObject = { kind: 'probe', preset, seed, data: opts.data, recipe: JSON.parse(JSON.stringify({ ...recipe, arch: recipe.arch(m.channels as 1 | 3) })) as JsonObject };
    const fitted = await fit({
      model: probe, opt, sched, loader, epochs: recipe.epochs, perEpoch, clip: 1.0, checkpoint, identity, log,
      step: (batch) => T.tidy(() => {
        const targets = probeTargets(batch.attributes.map((a) => manifestSlots(a)!));
        const loss = probe.loss(batch.videos, targets); // ()
        loss.backward();
        return loss.item();
      }),
    });
    // 4. Accuracy on real held-out videos.
    probe.eval();
    const split = evalSplit(reader);
    const test = evaluateProbe(probe, reader, split);
    log(`${split} split: probe accuracy ${test.accuracy.toFixed(4)} (digit ${test.digit.toFixed(4)}, motion ${test.motion.toFixed(4)}) over ${test.videos} videos`);
    // 5. Folder.
    const trainStats = {
      seconds: Math.round(fitted.seconds * 10) / 10, epochs: recipe.epochs, steps: fitted.steps, threads: T.getNumThreads(),
      videos: train.length, finalLoss: fitted.epochLosses.at(-1) ?? null, epochLosses: fitted.epochLosses, recipe: identity.recipe ?? null,
    };
    writeJsonAtomic(join(opts.out, 'metrics.json'), { split, ...test });
    const config = probe.save(opts.out, { dataset: datasetInfo(opts.data, m), seed, preset, train: trainStats, test: { ...test } });
    rmSync(checkpoint, { force: true });
    return { probe, config, epochLosses: fitted.epochLosses };
  } catch (err) {
    probe.dispose();
    throw err;
  } finally {
    opt.dispose();
  }
}

/**
 * The probe's accuracy on a split's real videos, scored against each video's caption (as
 * `attribute_accuracy` scores generated videos): all attributes, and digits / motions / count alone.
 */
export function evaluateProbe(probe: AttributeProbeModel, reader: DatasetReader, split: Split): ProbeScores {
  const entries = reader.videos(split);
  let all = 0;
  let digit = 0;
  let motion = 0;
  let count = 0;
  let scored = 0;
  forEachChunk(reader, entries, 64, (u8, chunk) => {
    const pred = probe.predictFloat(videosFromU8(u8, probe.arch.inputChannels));
    chunk.forEach((e: VideoEntry, k) => {
      const want = captionAttributes(e.caption) ?? truthOf(e);
      if (!want) return;
      const got = pred[k]!;
      scored++;
      if (ATTRIBUTE_KEYS.every((key) => got[key] === want[key])) all++;
      if (got.digit0 === want.digit0 && got.digit1 === want.digit1) digit++;
      if (got.motion0 === want.motion0 && got.motion1 === want.motion1) motion++;
      if ((got.digit1 === 'none') === (want.digit1 === 'none')) count++;
    });
  });
  const f = (n: number): number => (scored === 0 ? Number.NaN : n / scored);
  return { accuracy: f(all), digit: f(digit), motion: f(motion), count: f(count), videos: scored };
}

function truthOf(e: VideoEntry): ReturnType<typeof slotsToAttributes> | null {
  const s: Slot[] | null = manifestSlots(e.attributes);
  return s ? slotsToAttributes(s) : null;
}
