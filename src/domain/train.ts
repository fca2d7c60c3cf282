/**
 * Training of the domain text–video model (issue 4, part 5; model.ts, loss.ts): AdamW
 * (Loshchilov & Hutter 2019) with linear warmup and cosine decay, multi-positive symmetric
 * InfoNCE, a seeded shuffle, a checkpoint after every epoch (an interrupted run resumes from it
 * when started again with the same arguments), and the model folder written at the end.
 *
 * Steps of {@link trainDomainModel}:
 *   1. open the data set; build the vocabulary from the **train** captions only;
 *   2. seed, build the model and optimizer (decay on matrices only, as CLIP), schedule;
 *   3. resume from `OUT/checkpoint.safetensors` when present;
 *   4. epochs of (loss → backward → clip → step), progress lines with loss, rate and ETA;
 *   5. R@1 / R@5 of the real test videos against the split's distinct captions;
 *   6. write the folder (model.safetensors, vocab.json, metrics.json, config.json last) and drop
 *      the checkpoint.
 *
 * Presets (arch and budget): `micro` — seconds, for tests; `quick` — ≤ 10 minutes on 2 cores
 * for the 10000-video single-digit SyncDraw set; `paper` — the full-size model.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '../tensor/index.js';
import { DatasetReader, type Split } from '../data/format.js';
import { DataLoader } from '../data/loader.js';
import { AdamW, LRScheduler, warmupCosine, type JsonObject } from '../optim/index.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { DomainModel, type DomainArch, type DomainModelConfig } from './model.js';
import { medianRank, recallAt, retrievalRanks } from './retrieval.js';
import { Vocab } from './vocab.js';
import { TrainInputError, datasetInfo, evalSplit, fit, forEachChunk, parameterGroups } from './train-common.js';

export type DomainPreset = 'micro' | 'quick' | 'paper';
export const DOMAIN_PRESETS: readonly DomainPreset[] = ['micro', 'quick', 'paper'];

export interface DomainRecipe {
  arch: (channels: 1 | 3) => DomainArch;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  /** Fraction of all steps spent warming up. */
  warmup: number;
  /** Cap on the steps of one epoch (tuning runs); default a full pass over the train split. */
  maxStepsPerEpoch?: number;
}

export const DOMAIN_RECIPES: Readonly<Record<DomainPreset, DomainRecipe>> = {
  micro: {
    arch: (c) => ({
      text: { width: 32, layers: 1, heads: 2, maxTokens: 32 },
      video: { inputChannels: c, frames: 4, size: 16, channels: [8, 16, 16] },
      embedDim: 32,
    }),
    epochs: 4, batchSize: 16, lr: 2e-3, weightDecay: 0.01, warmup: 0.1,
  },
  // Tuned on /work/data/single (10000 train videos): 8 × 312 steps of 32; R@1 ≈ 0.76 after
  // 700 steps already. Frames 16 → 8 (picked), 64² → 32² (area), which keeps the ~12 px digits legible.
  quick: {
    arch: (c) => ({
      text: { width: 128, layers: 2, heads: 4, maxTokens: 32 },
      video: { inputChannels: c, frames: 8, size: 32, channels: [16, 32, 64, 128] },
      embedDim: 128,
    }),
    epochs: 8, batchSize: 32, lr: 1e-3, weightDecay: 0.05, warmup: 0.02,
  },
  paper: {
    arch: (c) => ({
      text: { width: 256, layers: 4, heads: 8, maxTokens: 48 },
      video: { inputChannels: c, frames: 16, size: 64, patch: 2, channels: [32, 64, 128, 256, 256] },
      embedDim: 256,
    }),
    epochs: 30, batchSize: 32, lr: 1e-3, weightDecay: 0.05, warmup: 0.02,
  },
};

export interface TrainDomainOptions {
  data: string;
  out: string;
  preset?: DomainPreset;
  seed?: number;
  /** Change parts of the preset's recipe (tests, tuning). */
  recipe?: Partial<DomainRecipe>;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface TrainDomainResult {
  model: DomainModel;
  config: DomainModelConfig;
  /** Mean training loss of each epoch. */
  epochLosses: number[];
}

/** Train, evaluate and save a domain model; the caller disposes `result.model`. */
export async function trainDomainModel(opts: TrainDomainOptions): Promise<TrainDomainResult> {
  const preset = opts.preset ?? 'quick';
  if (!DOMAIN_PRESETS.includes(preset)) throw new RangeError(`preset must be one of ${DOMAIN_PRESETS.join(', ')}, got '${String(preset)}'`);
  const seed = opts.seed ?? 0;
  const recipe: DomainRecipe = { ...DOMAIN_RECIPES[preset], ...opts.recipe };
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (existsSync(join(opts.out, 'config.json'))) {
    throw new TrainInputError(`'${opts.out}' already holds a trained model (config.json); choose another --out or delete that folder`);
  }
  // 1. Data and vocabulary (train captions only).
  using reader = DatasetReader.open(opts.data);
  const m = reader.manifest;
  if (m.channels !== 1 && m.channels !== 3) throw new TrainInputError(`data set '${opts.data}' has ${m.channels} channels; the domain model reads gray (1) or RGB (3)`);
  const train = reader.videos('train');
  if (train.length === 0) throw new TrainInputError(`data set '${opts.data}' has no train videos; build one with \`t2v data syncdraw --out ${opts.data}\``);
  const vocab = Vocab.fromCaptions(train.map((v) => v.caption));
  // 2. Model, optimizer, schedule.
  T.manualSeed(seed);
  const model = new DomainModel(vocab, recipe.arch(m.channels as 1 | 3));
  const loader = new DataLoader(reader, { split: 'train', batchSize: recipe.batchSize, seed, dropLast: true });
  const perEpoch = Math.min(loader.len(), recipe.maxStepsPerEpoch ?? Infinity);
  if (perEpoch === 0) throw new TrainInputError(`data set '${opts.data}' has ${train.length} train videos, fewer than one batch of ${recipe.batchSize}`);
  const total = perEpoch * recipe.epochs;
  const opt = new AdamW(parameterGroups(model, recipe.weightDecay), { lr: recipe.lr, betas: [0.9, 0.98], eps: 1e-6 });
  const sched = new LRScheduler(opt, warmupCosine({ baseLr: recipe.lr, warmupSteps: Math.round(recipe.warmup * total), totalSteps: total, minLr: recipe.lr * 0.01 }));
  try {
    // 3.–4. Epochs, resuming from the checkpoint when there is one.
    mkdirSync(opts.out, { recursive: true });
    const checkpoint = join(opts.out, 'checkpoint.safetensors');
    const identity = { kind: 'domain', preset, seed, data: opts.data, recipe: describeRecipe(recipe, m.channels as 1 | 3) };
    const fitted = await fit({
      model, opt, sched, loader, epochs: recipe.epochs, perEpoch, clip: 1.0, checkpoint, identity, log,
      step: (batch) => T.tidy(() => {
        const loss = model.loss(batch.videos, batch.captions); // ()
        loss.backward();
        return loss.item();
      }),
      status: () => `scale ${Math.exp(model.logitScale.item()).toFixed(1)}`,
    });
    // 5. Test figures on real videos.
    model.eval();
    const split = evalSplit(reader);
    const test = evaluateRetrieval(model, reader, split);
    log(`${split} split: R@1 ${test.r1.toFixed(4)}, R@5 ${test.r5.toFixed(4)} over ${test.videos} videos and ${test.candidates} captions`);
    // 6. The folder.
    const trainStats = {
      seconds: Math.round(fitted.seconds * 10) / 10, epochs: recipe.epochs, steps: fitted.steps, threads: T.getNumThreads(),
      videos: train.length, finalLoss: fitted.epochLosses.at(-1) ?? null, epochLosses: fitted.epochLosses, recipe: identity.recipe,
    };
    writeJsonAtomic(join(opts.out, 'metrics.json'), { split, ...test });
    const config = model.save(opts.out, { dataset: datasetInfo(opts.data, m), seed, preset, train: trainStats, test: { ...test } });
    rmSync(checkpoint, { force: true });
    return { model, config, epochLosses: fitted.epochLosses };
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    opt.dispose();
  }
}

/** R@1, R@5, R@10 and the median rank of a split's real videos against its distinct captions. */
export function evaluateRetrieval(model: DomainModel, reader: DatasetReader, split: Split): { r1: number; r5: number; r10: number; medianRank: number; videos: number; candidates: number } {
  const entries = reader.videos(split);
  const captions = [...new Set(entries.map((e) => e.caption))].sort();
  const index = new Map(captions.map((c, i) => [c, i]));
  const ranks: number[] = [];
  using textEmb = model.encodeTexts(captions); // (K, E)
  forEachChunk(reader, entries, 64, (u8, chunk) => {
    const v = model.encodeVideos(u8); // (n, E)
    ranks.push(...retrievalRanks(v, textEmb, chunk.map((e) => index.get(e.caption)!)));
  });
  return { r1: recallAt(ranks, 1), r5: recallAt(ranks, 5), r10: recallAt(ranks, 10), medianRank: medianRank(ranks), videos: entries.length, candidates: captions.length };
}

function describeRecipe(r: DomainRecipe, channels: 1 | 3): JsonObject {
  return JSON.parse(JSON.stringify({ ...r, arch: r.arch(channels) })) as JsonObject;
}
