/**
 * The run folder: everything a training run leaves behind, so reports only read files.
 *
 *   RUN/config.json                 the resolved config (trainer defaults <- preset <- file <- flags)
 *   RUN/run.json                    versions (node, libtorch, t2vlab, git commit), host, threads,
 *                                   seeds, start/end times, wall-clock, parameter counts, sessions
 *   RUN/log.jsonl                   one JSON object per line: {"type":"train", step, epoch, time, lr,
 *                                   videos_per_s, ...figures} and {"type":"val", step, epoch, time, ...metrics}
 *   RUN/ckpt/step-000500.safetensors  checkpoints (src/train/state.ts), the last `keepLast` plus the best
 *   RUN/ckpt/best.json              {metric, mode, value, step, file} of the best checkpoint
 *   RUN/model/<module>.safetensors  final weights (EMA weights for EMA modules), PyTorch keys
 *   RUN/model/task.json             {kind, ...task.describe()}: what rebuilds the modules
 *   RUN/results.json                final validation figures, steps, time
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname, platform, arch } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { saveTensors } from '../io/tensors.js';
import { listCheckpoints, type CheckpointEntry } from '../io/checkpoint.js';

export const RUN_FILES = {
  config: 'config.json',
  run: 'run.json',
  log: 'log.jsonl',
  ckpt: 'ckpt',
  best: 'best.json',
  model: 'model',
  task: 'task.json',
  results: 'results.json',
} as const;

export interface Versions {
  t2vlab: string;
  node: string;
  engine: { torch: string; config: string; parallel: string };
  /** `git rev-parse HEAD` of the t2vlab checkout, null when not a git checkout. */
  git: string | null;
  /** Uncommitted changes in the checkout (null when unknown). */
  gitDirty: boolean | null;
}

export interface RunSession {
  started: string;
  finished: string | null;
  fromStep: number;
  toStep: number | null;
  host: string;
  threads: number;
}

/** `run.json`. */
export interface RunInfo {
  kind: string;
  versions: Versions;
  host: string;
  platform: string;
  threads: number;
  seeds: { seed: number; dataOrder: number };
  parameters: Record<string, number>;
  started: string;
  finished: string | null;
  /** Seconds of training over all sessions. */
  wallClockS: number;
  steps: number;
  sessions: RunSession[];
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // dist/src/train → repo root

/** Versions of everything that can change results, for `run.json`. */
export function collectVersions(): Versions {
  let version = 'unknown';
  try {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') version = pkg.version;
  } catch {
    // not fatal: the version is informational
  }
  const git = (args: string[]): string | null => {
    try {
      return execFileSync('git', args, { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim();
    } catch {
      return null;
    }
  };
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no']);
  return {
    t2vlab: version,
    node: process.version,
    engine: T.engineVersion(),
    git: commit,
    gitDirty: status === null ? null : status.length > 0,
  };
}

export function hostInfo(): { host: string; platform: string } {
  return { host: hostname(), platform: `${platform()} ${arch()}` };
}

export class RunDir {
  readonly ckptDir: string;

  constructor(readonly dir: string) {
    this.ckptDir = join(dir, RUN_FILES.ckpt);
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  ensure(): void {
    mkdirSync(this.ckptDir, { recursive: true });
  }

  /** A JSON file of the run folder, or null when absent. Throws naming the file when it is not JSON. */
  readJson(name: string): unknown {
    const p = this.file(name);
    if (!existsSync(p)) return null;
    try {
      return JSON.parse(readFileSync(p, 'utf8'));
    } catch (err) {
      throw new Error(`${p} is not valid JSON (${(err as Error).message}); fix or delete it`);
    }
  }

  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(this.file(name), value);
  }

  checkpoints(): CheckpointEntry[] {
    return listCheckpoints(this.ckptDir);
  }

  /** Append one record to `log.jsonl`. */
  appendLog(record: Record<string, unknown>): void {
    appendFileSync(this.file(RUN_FILES.log), JSON.stringify(record) + '\n');
  }

  /**
   * Keep only the log lines up to `step` (those a resumed run will not write again) and drop a
   * torn last line left by a kill; rewritten atomically. Returns the number of lines kept.
   */
  truncateLog(step: number): number {
    const p = this.file(RUN_FILES.log);
    if (!existsSync(p)) return 0;
    const kept: string[] = [];
    for (const line of readFileSync(p, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        continue; // a line cut short by a kill
      }
      const s = (rec as { step?: unknown }).step;
      if (typeof s === 'number' && s <= step) kept.push(line);
    }
    writeFileAtomic(p, kept.map((l) => l + '\n').join(''));
    return kept.length;
  }

  /** `model/<module>.safetensors` for each module, `model/task.json`. The tensors stay the caller's. */
  exportModel(weights: Map<string, Map<string, Tensor>>, task: Record<string, unknown>): void {
    const dir = this.file(RUN_FILES.model);
    mkdirSync(dir, { recursive: true });
    for (const [name, tensors] of weights) saveTensors(join(dir, `${name}.safetensors`), tensors, { format: 'pt' });
    writeJsonAtomic(join(dir, RUN_FILES.task), task);
  }
}

/** `model/task.json` of a finished run: its kind and the description that rebuilds its modules. */
export interface TaskFile {
  /** Path of task.json. */
  path: string;
  kind: string;
  task: Record<string, unknown>;
}

export interface ReadTaskFileOptions {
  /**
   * The kind the caller needs: exact, or a family when it ends in '/' (e.g. 'ae/'); `what` names
   * it in the refusal ("a video autoencoder (kind ae/<arch>)").
   */
  want?: { kind: string; what: string };
  /** Builds the thrown error from the message (the caller's error class); default `Error`. */
  fail?: (message: string) => Error;
}

/**
 * Read `RUN/model/task.json` (written by `RunDir.exportModel`). `fix` ends the message of a
 * folder that is not a finished run of the wanted kind: what to pass, or which command trains
 * one. Refused: a missing folder, a missing task.json (a run with checkpoints is told to
 * resume), invalid JSON, no string `kind`, and another kind than `want`.
 */
export function readTaskFile(runDir: string, fix: string, opts: ReadTaskFileOptions = {}): TaskFile {
  const fail = opts.fail ?? ((m: string) => new Error(m));
  const path = join(runDir, RUN_FILES.model, RUN_FILES.task);
  if (!existsSync(runDir)) throw fail(`run folder '${runDir}' does not exist; ${fix}`);
  if (!existsSync(path)) {
    const why = existsSync(join(runDir, RUN_FILES.ckpt)) ? 'its training has not finished (it has checkpoints but no model/); finish it with --resume' : 'it is not a trained run folder';
    throw fail(`'${path}' is missing: ${why}; ${fix}`);
  }
  let task: unknown;
  try {
    task = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw fail(`'${path}' is not valid JSON (${(err as Error).message}); the run folder is damaged, train it again`);
  }
  if (typeof task !== 'object' || task === null || Array.isArray(task) || typeof (task as { kind?: unknown }).kind !== 'string') {
    throw fail(`'${path}' has no 'kind'; it was not written by the t2vlab trainer`);
  }
  const kind = (task as { kind: string }).kind;
  const want = opts.want;
  if (want !== undefined && !(want.kind.endsWith('/') ? kind.startsWith(want.kind) : kind === want.kind)) {
    throw fail(`'${path}' describes a '${kind}' run, not ${want.what}; ${fix}`);
  }
  return { path, kind, task: task as Record<string, unknown> };
}
