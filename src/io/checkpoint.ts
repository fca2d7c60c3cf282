/**
 * Training checkpoints: one safetensors file per checkpoint holding the model, optimizer, EMA
 * and RNG state, written atomically and verified by a SHA-256 of its data on load.
 *
 * Layout (safetensors, so PyTorch / huggingface tooling can read it):
 *
 *   tensors        `model.<name>`  model state, e.g. `model.encoder.weight`
 *                  `optim.<key>`   optimizer state dict tensors, e.g. `optim.state.0.exp_avg`
 *                  `ema.<name>`    EMA shadow weights
 *                  `rng.cpu`       the CPU generator state (uint8)
 *   __metadata__   `t2vlab_checkpoint`  format version ("1")
 *                  `step`               training step (decimal integer)
 *                  `data_sha256`        hex SHA-256 of the data section (every byte after the header)
 *                  `meta_sha256`        hex SHA-256 of the other metadata entries (sorted [key, value]
 *                                       pairs as JSON), so a damaged step or config is caught too
 *                  `optimizer`, `ema`   JSON of the optimizer / EMA state-dict meta, when saved
 *                  `meta`               JSON of the caller's metadata, when given
 *                  `format`             "pt" (the safetensors convention for PyTorch tensors)
 *
 * Names: `step-000100.safetensors` (see {@link checkpointName}); {@link listCheckpoints} and
 * {@link pruneCheckpoints} work on those.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, realpathSync, unlinkSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Tensor } from '../tensor/index.js';
import { isJsonObject, type JsonObject, type JsonValue, type StateDict } from '../optim/optimizer.js';
import { SafetensorsError, SafetensorsFile, writeSafetensors, type RawTensor } from './safetensors.js';
import { rawToTensor, tensorToRaw } from './tensors.js';

/** Version written in `t2vlab_checkpoint`; loading a newer one fails with an upgrade hint. */
export const CHECKPOINT_FORMAT_VERSION = 1;

const PREFIX = { model: 'model.', optim: 'optim.', ema: 'ema.' } as const;
const RNG_KEY = 'rng.cpu';

export interface CheckpointInput {
  /** Model state by name (saved as `model.<name>`). */
  tensors: Map<string, Tensor>;
  /** `optimizer.stateDict()`. */
  optimizer?: StateDict;
  /** `ema.stateDict()`. */
  ema?: StateDict;
  /** `getRngState()`. */
  rng?: Tensor;
  step: number;
  /** Anything JSON: config, metrics, data position. */
  meta?: JsonValue;
}

/** A loaded checkpoint. Its tensors belong to the caller: `dispose()` (or `using`) frees them all. */
export interface Checkpoint {
  path: string;
  step: number;
  formatVersion: number;
  tensors: Map<string, Tensor>;
  optimizer: StateDict | null;
  ema: StateDict | null;
  rng: Tensor | null;
  meta: JsonValue | null;
  dispose(): void;
  [Symbol.dispose](): void;
}

/** A checkpoint that cannot be written or read; the message names the file and what is wrong. */
export class CheckpointError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CheckpointError';
  }
}

/**
 * Write a checkpoint to `path` atomically (temp file, fsync, rename, fsync of the directory):
 * a crash leaves the previous file intact. The tensors stay owned by the caller.
 *
 * @example
 *   saveCheckpoint(join(dir, checkpointName(step)), {
 *     tensors: model.stateDict(), optimizer: opt.stateDict(), ema: ema.stateDict(),
 *     rng: getRngState(), step, meta: { config },
 *   });
 */
export function saveCheckpoint(path: string, ck: CheckpointInput): void {
  const fail: (what: string) => never = (what) => {
    throw new CheckpointError(path, `saveCheckpoint(${path}): ${what}`);
  };
  if (!Number.isSafeInteger(ck.step) || ck.step < 0) fail(`step must be an integer >= 0, got ${ck.step}`);

  // 1. Named tensors under their prefixes.
  const raw = new Map<string, RawTensor>();
  const add = (prefix: string, tensors: Map<string, Tensor>): void => {
    for (const [name, t] of tensors) {
      if (name === '') fail(`a tensor under "${prefix}" has an empty name`);
      raw.set(prefix + name, tensorToRaw(t));
    }
  };
  add(PREFIX.model, ck.tensors);
  if (ck.optimizer) add(PREFIX.optim, ck.optimizer.tensors);
  if (ck.ema) add(PREFIX.ema, ck.ema.tensors);
  if (ck.rng) raw.set(RNG_KEY, tensorToRaw(ck.rng));

  // 2. Metadata, with the checksum of the data section: safetensors lays tensors out in
  //    byte-wise sorted name order, so hashing them in that order hashes the section.
  const hash = createHash('sha256');
  for (const name of [...raw.keys()].sort(compareUtf8)) hash.update(raw.get(name)!.data);
  const metadata: Record<string, string> = {
    format: 'pt',
    t2vlab_checkpoint: String(CHECKPOINT_FORMAT_VERSION),
    step: String(ck.step),
    data_sha256: hash.digest('hex'),
  };
  if (ck.optimizer) metadata['optimizer'] = JSON.stringify(ck.optimizer.meta);
  if (ck.ema) metadata['ema'] = JSON.stringify(ck.ema.meta);
  if (ck.meta !== undefined) metadata['meta'] = JSON.stringify(ck.meta);
  metadata['meta_sha256'] = metadataHash(metadata);

  // 3. One atomic write.
  try {
    writeSafetensors(path, raw, metadata);
  } catch (err) {
    throw new CheckpointError(path, `saveCheckpoint(${path}): ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Read and verify a checkpoint written by {@link saveCheckpoint}. Throws a CheckpointError
 * naming the file when it is missing, truncated, corrupted (checksum mismatch) or not a t2vlab
 * checkpoint; nothing is allocated in that case.
 */
export function loadCheckpoint(path: string): Checkpoint {
  const fail: (what: string, cause?: unknown) => never = (what, cause) => {
    throw new CheckpointError(path, `checkpoint ${path}: ${what}`, cause === undefined ? undefined : { cause });
  };
  if (!existsSync(path)) fail('file not found');

  // 1. Header and raw bytes (the safetensors reader rejects truncated or malformed files).
  let metadata: Record<string, string>;
  const raw = new Map<string, RawTensor>();
  const hash = createHash('sha256');
  try {
    const f = SafetensorsFile.open(path);
    try {
      metadata = f.metadata;
      // Tensors tile the data section exactly, so hashing them in offset order hashes the section.
      const byOffset = f.keys().sort((a, b) => f.entry(a).begin - f.entry(b).begin);
      for (const name of byOffset) {
        const r = f.read(name);
        hash.update(r.data);
        raw.set(name, r);
      }
    } finally {
      f.close();
    }
  } catch (err) {
    if (err instanceof SafetensorsError) {
      const reason = err.message.startsWith(`${path}: `) ? err.message.slice(path.length + 2) : err.message;
      fail(`unreadable: ${reason}`, err);
    }
    throw err;
  }

  // 2. Metadata fields and checksum.
  const version = metadata['t2vlab_checkpoint'];
  if (version === undefined) fail('not a t2vlab checkpoint (its __metadata__ has no "t2vlab_checkpoint" field)');
  const formatVersion = Number(version);
  if (!Number.isInteger(formatVersion) || formatVersion < 1) fail(`bad format version ${JSON.stringify(version)}`);
  if (formatVersion > CHECKPOINT_FORMAT_VERSION) {
    fail(`format version ${formatVersion} is newer than this t2vlab reads (${CHECKPOINT_FORMAT_VERSION}); update t2vlab`);
  }
  const expected = metadata['data_sha256'];
  if (expected === undefined) fail('__metadata__ lacks "data_sha256", so the data cannot be verified');
  const actual = hash.digest('hex');
  if (actual !== expected) {
    fail(`checksum mismatch: the data hashes to sha256 ${actual} but the header records ${expected}; the file is corrupted`);
  }
  const metaHash = metadata['meta_sha256'];
  if (metaHash === undefined) fail('__metadata__ lacks "meta_sha256", so the metadata cannot be verified');
  if (metadataHash(metadata) !== metaHash) fail('checksum mismatch in __metadata__ (step, optimizer or meta entries changed); the file is corrupted');
  const stepText = metadata['step'];
  const step = Number(stepText);
  if (stepText === undefined || !/^[0-9]+$/.test(stepText) || !Number.isSafeInteger(step)) {
    fail(`__metadata__ field "step" must be a non-negative integer, got ${JSON.stringify(stepText ?? null)}`);
  }
  const optimMeta = parseJsonField(metadata, 'optimizer', fail);
  const emaMeta = parseJsonField(metadata, 'ema', fail);
  const userMeta = metadata['meta'] === undefined ? null : parseJson(metadata['meta'], 'meta', fail);
  if (optimMeta !== null && !isJsonObject(optimMeta)) fail('__metadata__ field "optimizer" is not a JSON object');
  if (emaMeta !== null && !isJsonObject(emaMeta)) fail('__metadata__ field "ema" is not a JSON object');

  // 3. Split by prefix (before allocating any tensor).
  const parts = { model: new Map<string, RawTensor>(), optim: new Map<string, RawTensor>(), ema: new Map<string, RawTensor>() };
  let rngRaw: RawTensor | null = null;
  for (const [key, r] of raw) {
    if (key === RNG_KEY) rngRaw = r;
    else if (key.startsWith(PREFIX.model)) parts.model.set(key.slice(PREFIX.model.length), r);
    else if (key.startsWith(PREFIX.optim)) parts.optim.set(key.slice(PREFIX.optim.length), r);
    else if (key.startsWith(PREFIX.ema)) parts.ema.set(key.slice(PREFIX.ema.length), r);
    else fail(`unexpected tensor ${JSON.stringify(key)}; checkpoint tensors start with model., optim., ema. or are ${RNG_KEY}`);
  }
  if (parts.optim.size > 0 && optimMeta === null) fail('has optim.* tensors but no "optimizer" metadata');
  if (parts.ema.size > 0 && emaMeta === null) fail('has ema.* tensors but no "ema" metadata');

  // 4. Tensors, owned by the returned object.
  const owned: Tensor[] = [];
  const toTensors = (m: Map<string, RawTensor>): Map<string, Tensor> => {
    const out = new Map<string, Tensor>();
    for (const [k, r] of m) {
      const t = rawToTensor(r);
      owned.push(t);
      out.set(k, t);
    }
    return out;
  };
  const dispose = (): void => {
    for (const t of owned) t.dispose();
  };
  try {
    const tensors = toTensors(parts.model);
    const optimizer = optimMeta === null ? null : { tensors: toTensors(parts.optim), meta: optimMeta as JsonObject };
    const ema = emaMeta === null ? null : { tensors: toTensors(parts.ema), meta: emaMeta as JsonObject };
    const rng = rngRaw === null ? null : rawToTensor(rngRaw);
    if (rng !== null) owned.push(rng);
    return { path, step, formatVersion, tensors, optimizer, ema, rng, meta: userMeta, dispose, [Symbol.dispose]: dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

/** `step-000100.safetensors`: six digits, more when the step needs them. */
export function checkpointName(step: number): string {
  if (!Number.isSafeInteger(step) || step < 0) throw new Error(`checkpointName: step must be an integer >= 0, got ${step}`);
  return `step-${String(step).padStart(6, '0')}.safetensors`;
}

const NAME = /^step-([0-9]+)\.safetensors$/;

export interface CheckpointEntry {
  step: number;
  name: string;
  path: string;
}

/** The `step-<n>.safetensors` files in `dir`, oldest step first; [] when `dir` does not exist. */
export function listCheckpoints(dir: string): CheckpointEntry[] {
  if (!existsSync(dir)) return [];
  const out: CheckpointEntry[] = [];
  for (const name of readdirSync(dir)) {
    const m = NAME.exec(name);
    if (m !== null) out.push({ step: Number(m[1]), name, path: join(dir, name) });
  }
  return out.sort((a, b) => a.step - b.step || a.name.localeCompare(b.name));
}

/**
 * Delete step checkpoints in `dir` except the `keepLast` newest and those named in `keep`
 * (file names or paths). A kept name that is a symlink (e.g. `best.safetensors` →
 * `step-000300.safetensors`) also protects its target. Files not named `step-<n>.safetensors`
 * are never touched. Returns the deleted paths.
 *
 * @example
 *   pruneCheckpoints('runs/a/ckpt', 3, ['best.safetensors']);   // ['runs/a/ckpt/step-000100.safetensors', …]
 */
export function pruneCheckpoints(dir: string, keepLast: number, keep: string[] = []): string[] {
  if (!Number.isSafeInteger(keepLast) || keepLast < 0) throw new Error(`pruneCheckpoints: keepLast must be an integer >= 0, got ${keepLast}`);
  const protectedNames = new Set<string>();
  for (const k of keep) {
    const p = resolve(dir, k);
    protectedNames.add(basename(p));
    try {
      if (lstatSync(p).isSymbolicLink()) protectedNames.add(basename(realpathSync(p)));
    } catch {
      // a kept name that does not exist protects nothing else
    }
  }
  const all = listCheckpoints(dir);
  const doomed = all.slice(0, Math.max(0, all.length - keepLast)).filter((e) => !protectedNames.has(e.name));
  for (const e of doomed) unlinkSync(e.path);
  return doomed.map((e) => e.path);
}

/** SHA-256 of every metadata entry but `meta_sha256`, as sorted [key, value] pairs in JSON. */
function metadataHash(metadata: Record<string, string>): string {
  const pairs = Object.keys(metadata)
    .filter((k) => k !== 'meta_sha256')
    .sort(compareUtf8)
    .map((k) => [k, metadata[k]]);
  return createHash('sha256').update(JSON.stringify(pairs)).digest('hex');
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function parseJsonField(metadata: Record<string, string>, key: string, fail: (what: string) => never): JsonValue | null {
  const text = metadata[key];
  return text === undefined ? null : parseJson(text, key, fail);
}

function parseJson(text: string, key: string, fail: (what: string) => never): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    return fail(`__metadata__ field "${key}" is not valid JSON (${(err as Error).message})`);
  }
}
