/**
 * What the two domain training loops (train.ts, train-probe.ts) share: the epoch loop with
 * per-epoch checkpoints and resume ({@link fit}), progress lines with ETA, AdamW parameter groups,
 * the evaluation split and the data-set record.
 */
import { existsSync } from 'node:fs';
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import type { DatasetManifest, DatasetReader, Split, VideoEntry } from '../data/format.js';
import type { Batch, DataLoader } from '../data/loader.js';
import { clipGradNorm, type AdamOptions, type AdamW, type JsonObject, type JsonValue, type LRScheduler, type ParamGroupInput } from '../optim/index.js';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import type { DatasetInfo } from './model.js';
import { TrainInputError } from './folder.js';

export { TrainInputError };

export interface FitOptions {
  model: Module;
  opt: AdamW;
  sched: LRScheduler;
  loader: DataLoader;
  epochs: number;
  /** Optimisation steps per epoch (≤ loader.len()). */
  perEpoch: number;
  /** Forward and backward of one batch (no optimizer step); returns the loss. Frees its tensors. */
  step(batch: Batch): number;
  /** Extra text for progress lines (e.g. the temperature). */
  status?(): string;
  /** Global gradient-norm clip. */
  clip: number;
  /** The checkpoint file (written after every epoch, read to resume). */
  checkpoint: string;
  /** What must match to resume (data, preset, seed, recipe). */
  identity: JsonObject;
  log(line: string): void;
}

export interface FitResult {
  steps: number;
  /** Seconds spent in the epochs (summed over resumed sessions). */
  seconds: number;
  epochLosses: number[];
}

/**
 * Run the epochs from where the checkpoint left off: for each batch, `step` (forward, backward),
 * clip, optimizer step, schedule step; after each epoch a checkpoint with the model, optimizer,
 * RNG and loop state. The loader's shuffle depends on the epoch only, so a resumed run sees the
 * same batches as an uninterrupted one.
 */
export async function fit(o: FitOptions): Promise<FitResult> {
  const state: FitResult & { epoch: number } = { epoch: 0, steps: 0, seconds: 0, epochLosses: [] };
  if (existsSync(o.checkpoint)) Object.assign(state, resume(o));
  const total = o.perEpoch * o.epochs;
  const progress = new Progress(o.log, total, state.steps);
  const params = o.model.parameters();
  for (let e = state.epoch; e < o.epochs; e++) {
    const t0 = performance.now();
    let sum = 0;
    let n = 0;
    for await (const batch of o.loader.epoch(e)) {
      if (n >= o.perEpoch) {
        batch.videos.dispose();
        break;
      }
      let loss: number;
      try {
        loss = o.step(batch);
      } finally {
        batch.videos.dispose();
      }
      clipGradNorm(params, o.clip);
      o.opt.step();
      o.opt.zeroGrad();
      o.sched.step();
      sum += loss;
      n++;
      state.steps++;
      progress.update(state.steps, `epoch ${e + 1}/${o.epochs} loss ${loss.toFixed(4)} lr ${o.sched.lr.toExponential(2)}${o.status ? ` ${o.status()}` : ''}`);
    }
    state.seconds += (performance.now() - t0) / 1000;
    state.epochLosses.push(sum / Math.max(1, n));
    state.epoch = e + 1;
    o.log(`epoch ${e + 1}/${o.epochs}: mean loss ${(sum / Math.max(1, n)).toFixed(4)}, ${state.seconds.toFixed(0)} s of training so far`);
    saveState(o, state);
  }
  return { steps: state.steps, seconds: state.seconds, epochLosses: state.epochLosses };
}

function saveState(o: FitOptions, s: FitResult & { epoch: number }): void {
  const tensors = o.model.stateDict(); // owned copies of the handles
  const rng = T.getRngState();
  try {
    const meta: JsonObject = { epoch: s.epoch, steps: s.steps, seconds: s.seconds, epochLosses: s.epochLosses, identity: o.identity, scheduler: o.sched.stateDict() };
    saveCheckpoint(o.checkpoint, { tensors, optimizer: o.opt.stateDict(), rng, step: s.steps, meta });
  } finally {
    for (const t of tensors.values()) t.dispose();
    rng.dispose();
  }
}

function resume(o: FitOptions): FitResult & { epoch: number } {
  using ck = loadCheckpoint(o.checkpoint);
  const meta = ck.meta as { epoch: number; steps: number; seconds: number; epochLosses: number[]; identity: JsonValue; scheduler: JsonObject };
  if (JSON.stringify(meta.identity) !== JSON.stringify(o.identity)) {
    throw new TrainInputError(`'${o.checkpoint}' belongs to another run (${JSON.stringify(meta.identity)}); run with the same --data, --preset and --seed to resume it, or delete the checkpoint`);
  }
  o.model.loadStateDict(ck.tensors);
  if (ck.optimizer) o.opt.loadStateDict(ck.optimizer);
  if (ck.rng) T.setRngState(ck.rng);
  o.sched.loadStateDict(meta.scheduler);
  o.log(`resuming from ${o.checkpoint}: epoch ${meta.epoch}, step ${meta.steps}`);
  return { epoch: meta.epoch, steps: meta.steps, seconds: meta.seconds, epochLosses: meta.epochLosses };
}

/**
 * Weight decay on matrices and kernels only (ndim ≥ 2), none on gains, biases, position tables
 * and the temperature (CLIP's recipe; Radford et al. 2021, §2.5).
 */
export function parameterGroups(model: Module, weightDecay: number): ParamGroupInput<AdamOptions>[] {
  const decay: Tensor[] = [];
  const plain: Tensor[] = [];
  for (const [name, p] of model.namedParameters()) {
    if (p.ndim >= 2 && !name.endsWith('positional_embedding') && !name.includes('embedding.')) decay.push(p);
    else plain.push(p);
  }
  return [{ params: decay, weightDecay }, { params: plain, weightDecay: 0 }];
}

/** 'test' when the data set has test videos, else 'val'. */
export function evalSplit(reader: DatasetReader): Split {
  if (reader.manifest.splits.test > 0) return 'test';
  if (reader.manifest.splits.val > 0) return 'val';
  throw new TrainInputError(`data set '${reader.dir}' has no test or val videos to evaluate on; build it with a test split`);
}

export function datasetInfo(dir: string, m: DatasetManifest): DatasetInfo {
  return { name: m.name, dir, frames: m.frames, height: m.height, width: m.width, channels: m.channels };
}

/** m:ss or h:mm:ss. */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Progress lines every `everySeconds` (and at the last step): step count, rate and ETA. */
export class Progress {
  readonly #t0 = performance.now();
  readonly #first: number;
  #last = Number.NEGATIVE_INFINITY;

  constructor(
    readonly log: (line: string) => void,
    readonly total: number,
    startStep: number,
    readonly everySeconds = 10,
  ) {
    this.#first = startStep;
  }

  update(step: number, text: string): void {
    const now = performance.now();
    if (step < this.total && now - this.#last < this.everySeconds * 1000) return;
    this.#last = now;
    const elapsed = (now - this.#t0) / 1000;
    const rate = (step - this.#first) / Math.max(elapsed, 1e-9);
    const eta = (this.total - step) / rate;
    this.log(`step ${step}/${this.total} ${text} | ${rate.toFixed(2)} steps/s, elapsed ${clock(elapsed)}, ETA ${clock(eta)}`);
  }
}

/**
 * Call `fn` on consecutive chunks of `entries` as uint8 tensors (n, T, H, W, C) read from the
 * data set; the tensor is freed after each call.
 */
export function forEachChunk(reader: DatasetReader, entries: readonly VideoEntry[], size: number, fn: (u8: Tensor, chunk: readonly VideoEntry[]) => void): void {
  const { frames, height, width, channels } = reader.manifest;
  const vb = reader.videoBytes;
  const buf = new Uint8Array(size * vb); // (size, T, H, W, C)
  for (let i = 0; i < entries.length; i += size) {
    const chunk = entries.slice(i, i + size);
    chunk.forEach((e, k) => reader.read(e, buf.subarray(k * vb, (k + 1) * vb)));
    T.tidy(() => fn(T.fromBytes(buf.subarray(0, chunk.length * vb), 'uint8', [chunk.length, frames, height, width, channels]), chunk)); // (n, T, H, W, C)
  }
}
