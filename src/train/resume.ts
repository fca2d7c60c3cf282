/**
 * Resuming a run (policy in trainer.ts): which checkpoint to continue from, refusing a damaged
 * one while naming the intact one to use, the config check, and tidying the run folder so it
 * looks as if the run had never gone past the checkpoint.
 */
import { readdirSync, renameSync, unlinkSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { CheckpointError, loadCheckpoint, type Checkpoint } from '../io/checkpoint.js';
import { TRAINER_DEFAULTS, configDifferences, type TrainerConfig } from './config.js';
import { TrainError } from './errors.js';
import { RUN_FILES, type RunDir } from './run-dir.js';

/** Config keys that may differ between a run and its resumption. */
export const RESUMABLE_DIFFERENCES: readonly string[] = ['data.dir', 'train.threads', 'train.valDomain', 'train.valProbe', 'train.maxSeconds'];

/**
 * Throw a TrainError listing the keys where `cfg` differs from the run's saved config.json.
 * `modelDefaults`: the value each `model` key has when nobody sets it (the architecture's and
 * preset's defaults), used for keys a run saved before they existed lacks.
 */
export function checkSameConfig(rd: RunDir, cfg: TrainerConfig, modelDefaults: Record<string, unknown> = {}): void {
  const saved = withLaterDefaults(rd.readJson(RUN_FILES.config), modelDefaults);
  const diff = configDifferences(saved, cfg, RESUMABLE_DIFFERENCES);
  if (diff.length === 0) return;
  const get = (o: unknown, p: string): string =>
    JSON.stringify(p.split('.').reduce<unknown>((x, k) => (x as Record<string, unknown> | undefined)?.[k], o)) ?? 'absent';
  const rows = diff.map((p) => `  ${p}: ${get(saved, p)} in ${rd.file(RUN_FILES.config)}, ${get(cfg, p)} now`);
  throw new TrainError(`cannot resume ${rd.dir} with a different config:\n${rows.join('\n')}\nresume with the same options (preset, --config, flags) or start a new run`);
}

/**
 * The verified checkpoint to resume from: `from` (a path, or a file name in RUN/ckpt) when
 * given, else the newest one; null when the run has none (a fresh start). A damaged newest
 * checkpoint is refused with an error naming it and the newest intact one.
 */
export function loadResumeCheckpoint(rd: RunDir, from: string | null): Checkpoint | null {
  if (from !== null) {
    const path = isAbsolute(from) || from.includes('/') ? from : join(rd.ckptDir, from);
    try {
      return loadCheckpoint(path);
    } catch (err) {
      throw new TrainError(`cannot resume: ${(err as Error).message}`, { cause: err });
    }
  }
  const list = rd.checkpoints();
  if (list.length === 0) return null;
  const newest = list.at(-1)!;
  try {
    return loadCheckpoint(newest.path);
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
    const good = list
      .slice(0, -1)
      .reverse()
      .find((e) => {
        try {
          loadCheckpoint(e.path).dispose();
          return true;
        } catch {
          return false;
        }
      });
    const advice = good
      ? `the previous checkpoint ${good.path} (step ${good.step}) is intact: resume from it with --resume-from ${good.path} (the damaged file is then renamed to ${newest.name}.superseded)`
      : `no other checkpoint in ${rd.ckptDir} is intact; start a new run`;
    throw new TrainError(`cannot resume: ${err.message}\n${advice}`, { cause: err });
  }
}

/**
 * After resuming from `step`: rename newer step checkpoints to `<name>.superseded` (the resumed
 * run writes those steps again), delete temp files of writes cut short by a kill, and cut
 * log.jsonl back to `step`. Returns what was renamed.
 */
export function rewindRunDir(rd: RunDir, step: number): string[] {
  const renamed: string[] = [];
  for (const e of rd.checkpoints()) {
    if (e.step <= step) continue;
    renameSync(e.path, `${e.path}.superseded`);
    renamed.push(e.path);
  }
  for (const name of readdirSync(rd.ckptDir)) {
    if (/^step-[0-9]+\.safetensors\.tmp-/.test(name)) unlinkSync(join(rd.ckptDir, name));
  }
  rd.truncateLog(step);
  return renamed;
}

/**
 * A saved config with the keys added since it was written (absent from its `train`, `data` or
 * `model` section) filled with their defaults, e.g. `train.init: null` or `model.inkWeight: 0`,
 * so an older run resumes; a key set to anything else now is still a difference.
 */
function withLaterDefaults(saved: unknown, modelDefaults: Record<string, unknown>): unknown {
  if (saved === null || typeof saved !== 'object') return saved;
  const out: Record<string, unknown> = { ...(saved as Record<string, unknown>) };
  for (const [section, defaults] of [['train', TRAINER_DEFAULTS.train], ['data', TRAINER_DEFAULTS.data], ['model', modelDefaults]] as const) {
    const have = out[section];
    if (have !== null && typeof have === 'object') out[section] = { ...defaults, ...(have as Record<string, unknown>) };
  }
  return out;
}
