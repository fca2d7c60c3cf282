/**
 * The complete training state of a task, in and out of one checkpoint file (src/io/checkpoint.ts):
 *
 *   model.<module>.<key>        weights and buffers of every module of `task.modules()`
 *   optim.<optimizer>.<key>     every optimizer's state (torch layout), metadata keyed by optimizer name
 *   ema.<module>.<key>          EMA shadows of `task.emaModules()` (when EMA is on)
 *   rng.cpu                     the engine's CPU generator state
 *   step                        completed optimisation steps
 *   meta                        {@link TrainMeta}: data position, elapsed time, best figure, log window
 *
 * Restoring all of it makes a resumed run continue bit-for-bit: the same weights, optimizer
 * moments, EMA, random stream and next batch as the run that wrote it.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { isJsonObject, type JsonObject, type JsonValue, type StateDict } from '../optim/optimizer.js';
import type { EMA } from '../optim/ema.js';
import { CheckpointError, saveCheckpoint, type Checkpoint } from '../io/checkpoint.js';
import type { Module } from '../nn/index.js';
import type { TrainTask } from './types.js';

/** Where the next batch comes from: batch `batch` of epoch `epoch` (after any sharding). */
export interface DataPosition {
  epoch: number;
  batch: number;
}

/** The best validation figure so far and the step it was reached at. */
export interface BestRecord {
  metric: string;
  mode: 'min' | 'max';
  value: number;
  step: number;
}

/** Figures summed since the last log line (so a resumed run logs the same averages). */
export interface LogWindow {
  count: number;
  videos: number;
  sums: Record<string, number>;
}

/** The trainer's JSON state saved as the checkpoint's `meta`. */
export interface TrainMeta {
  kind: string;
  position: DataPosition;
  /** Seconds of training (all sessions) up to this checkpoint. */
  elapsedS: number;
  best: BestRecord | null;
  window: LogWindow;
}

/**
 * The `<module>.<key>` state of every module: new handles sharing storage with the modules
 * (the caller disposes them; writing into them writes the modules).
 */
export function namedState(modules: Record<string, Module>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, m] of Object.entries(modules)) for (const [k, t] of m.stateDict(name)) out.set(k, t);
  return out;
}

/** Every optimizer's state dict in one: tensors `<name>.<key>`, meta `{ <name>: meta }` (the optimizers' own tensors). */
function packOptimizers(task: TrainTask): StateDict {
  const tensors = new Map<string, Tensor>();
  const meta: JsonObject = {};
  for (const [name, opt] of Object.entries(task.optimizers())) {
    const sd = opt.stateDict();
    for (const [k, t] of sd.tensors) tensors.set(`${name}.${k}`, t);
    meta[name] = sd.meta;
  }
  return { tensors, meta };
}

/** Write the task's whole training state to `path` (atomically). */
export function saveTrainState(path: string, task: TrainTask, ema: EMA | null, step: number, meta: TrainMeta): void {
  const model = namedState(task.modules());
  const rng = T.getRngState();
  try {
    saveCheckpoint(path, {
      tensors: model,
      optimizer: packOptimizers(task),
      ...(ema ? { ema: ema.stateDict() } : {}),
      rng,
      step,
      meta: meta as unknown as JsonValue,
    });
  } finally {
    for (const t of model.values()) t.dispose();
    rng.dispose();
  }
}

/**
 * Put a loaded checkpoint's state into the task, the EMA and the RNG; returns the trainer meta.
 * Throws a CheckpointError naming the file when the checkpoint does not fit the task.
 */
export function restoreTrainState(ck: Checkpoint, task: TrainTask, ema: EMA | null): TrainMeta {
  const fail = (what: string, cause?: unknown): never => {
    throw new CheckpointError(ck.path, `checkpoint ${ck.path}: ${what}`, cause === undefined ? undefined : { cause });
  };
  const meta = parseMeta(ck.meta, fail);
  if (meta.kind !== task.kind) fail(`was written by a '${meta.kind}' run, not '${task.kind}'; resume with the same model`);
  try {
    // 1. Weights, module by module (strict: every key present, no extras).
    const modules = task.modules();
    const byModule = splitByPrefix(ck.tensors, Object.keys(modules), 'model', fail);
    for (const [name, m] of Object.entries(modules)) m.loadStateDict(byModule.get(name)!);
    // 2. Optimizers.
    const opts = task.optimizers();
    if (!ck.optimizer) fail('has no optimizer state');
    const optTensors = splitByPrefix(ck.optimizer!.tensors, Object.keys(opts), 'optim', fail);
    for (const [name, opt] of Object.entries(opts)) {
      const m = ck.optimizer!.meta[name];
      if (!isJsonObject(m)) fail(`has no state for optimizer '${name}'`);
      opt.loadStateDict({ tensors: optTensors.get(name)!, meta: m as JsonObject });
    }
    // 3. EMA.
    if (ema) {
      if (!ck.ema) fail('has no EMA state but this run keeps an EMA (config train.ema); resume with the same config');
      ema.loadStateDict(ck.ema!);
    } else if (ck.ema) fail('has EMA state but this run keeps no EMA (config train.ema is null); resume with the same config');
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    fail(`does not fit this task: ${(err as Error).message}`, err);
  }
  // 4. Random stream.
  if (!ck.rng) fail('has no RNG state');
  T.setRngState(ck.rng!);
  return meta;
}

/** Entries `<name>.<rest>` grouped by name (`rest` as key); every name gets a map; unknown names fail. */
function splitByPrefix(tensors: Map<string, Tensor>, names: string[], what: string, fail: (w: string) => never): Map<string, Map<string, Tensor>> {
  const out = new Map(names.map((n) => [n, new Map<string, Tensor>()]));
  for (const [k, t] of tensors) {
    const dot = k.indexOf('.');
    const group = dot < 0 ? undefined : out.get(k.slice(0, dot));
    if (!group) fail(`has ${what} tensor '${k}' that belongs to none of ${names.map((n) => `'${n}'`).join(', ')}`);
    group!.set(k.slice(dot + 1), t);
  }
  return out;
}

function parseMeta(m: JsonValue | null, fail: (w: string) => never): TrainMeta {
  const bad = (what: string): never => fail(`its trainer metadata is not valid (${what}); was it written by the t2vlab trainer?`);
  if (!isJsonObject(m)) return bad('no meta object');
  const pos = m['position'];
  if (!isJsonObject(pos) || !isCount(pos['epoch']) || !isCount(pos['batch'])) return bad('position');
  if (typeof m['kind'] !== 'string') return bad('kind');
  if (typeof m['elapsedS'] !== 'number') return bad('elapsedS');
  const w = m['window'];
  if (!isJsonObject(w) || !isCount(w['count']) || typeof w['videos'] !== 'number' || !isJsonObject(w['sums'])) return bad('window');
  const best = m['best'];
  if (best !== null && (!isJsonObject(best) || typeof best['metric'] !== 'string' || typeof best['value'] !== 'number' || !isCount(best['step']))) return bad('best');
  return m as unknown as TrainMeta;
}

function isCount(v: JsonValue | undefined): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
