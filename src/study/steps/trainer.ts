/**
 * What the study's trainer runs share: the trainer config of a run folder (layers as
 * src/train/config.ts: trainer defaults ← the piece's preset ← the study's overrides ← the data
 * and seed), the data's per-video shape, a finished-run check and the training call with resume.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE, type DatasetManifest } from '../../data/format.js';
import { resolveTrainerConfig, type ConfigLayer, type TrainerConfig } from '../../train/config.js';
import { RUN_FILES } from '../../train/run-dir.js';
import { train, type TaskSource, type TrainResult } from '../../train/trainer.js';
import type { RunContext } from '../run.js';

/** The data set's manifest (read as JSON: no engine needed). */
export function readManifest(dataDir: string): DatasetManifest {
  const file = join(dataDir, MANIFEST_FILE);
  if (!existsSync(file)) throw new Error(`'${dataDir}' is not a t2vlab data set (no ${MANIFEST_FILE}); pass --data with a folder from \`t2v data syncdraw\` or \`t2v data import\``);
  return JSON.parse(readFileSync(file, 'utf8')) as DatasetManifest;
}

/** Per-video (C, T, H, W) of the data. */
export function inputOf(m: DatasetManifest): [number, number, number, number] {
  return [m.channels, m.frames, m.height, m.width];
}

/** Resolve a run's trainer config from named layers; `data.dir` and `train.seed` come last. */
export function runConfig(layers: ConfigLayer[], dataDir: string, seed: number): TrainerConfig {
  return resolveTrainerConfig([...layers, { name: 'study (data, seed)', value: { data: { dir: dataDir }, train: { seed } } }]);
}

/** The trainer's results.json of a finished run folder, or null. */
export function finishedRun(runDir: string): { steps: number; wallClockS: number; validation: Record<string, number> | null } | null {
  const file = join(runDir, RUN_FILES.results);
  if (!existsSync(file) || !existsSync(join(runDir, RUN_FILES.model, RUN_FILES.task))) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { steps: number; wallClockS: number; validation: Record<string, number> | null };
  } catch {
    return null;
  }
}

/** done.json's info of a run folder whose training finished (results.json and model/ written), or null. */
export function finishedInfo(runDir: string): Record<string, unknown> | null {
  const done = finishedRun(runDir);
  return done ? { steps: done.steps, trainSeconds: done.wallClockS, validation: done.validation } : null;
}

/**
 * Train `source` into `runDir`, resuming from its newest checkpoint when an earlier session was
 * interrupted; a run that already finished is kept (not trained again). Returns done.json's info.
 */
export async function trainRun(source: TaskSource, cfg: TrainerConfig, runDir: string, ctx: RunContext): Promise<Record<string, unknown>> {
  const done = finishedInfo(runDir);
  if (done) {
    ctx.log(`  ${runDir} already finished training; kept`);
    return done;
  }
  const r: TrainResult = await train(source, { config: cfg, runDir, resume: true, progress: process.stderr });
  if (!r.completed) throw new Error(`training of ${runDir} stopped at step ${r.step} of ${cfg.train.steps}; run the study again to resume it`);
  return { steps: r.step, trainSeconds: r.wallClockS, validation: r.validation };
}
