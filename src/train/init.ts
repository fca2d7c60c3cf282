/**
 * Warm start (`train.init`): initialise a fresh run's modules from the exported weights of a
 * finished run (`<init>/model/<module>.safetensors`, as the trainer writes them — EMA weights where
 * that run kept an EMA). Only weights move: the optimizer, learning-rate schedule, step and data
 * order start fresh, so the new run is a fine-tune with its own config, recorded in config.json.
 *
 * Modules the source run does not have (e.g. discriminators it never used) keep their random
 * initialisation and are named in the returned list; a module it has must match key for key and
 * shape for shape (strict), and the two runs must be of the same task kind.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readTaskFile } from './run-dir.js';
import type { Module } from '../nn/index.js';
import { loadTensors } from '../io/tensors.js';
import { TrainError } from './errors.js';

export interface InitResult {
  /** Modules loaded from the source run. */
  loaded: string[];
  /** Modules the source run has no weights for (left as initialised). */
  fresh: string[];
}

/** Load `<runDir>/model/<name>.safetensors` into each module of `modules` that has a file. */
export function initFromRun(runDir: string, kind: string, modules: Record<string, Module>): InitResult {
  readTaskFile(runDir, 'give the folder of a finished run (its training wrote model/ at the end)', {
    want: { kind, what: `a ${kind} run like this one` },
    fail: (m) => new TrainError(`train.init: ${m}`),
  });
  const out: InitResult = { loaded: [], fresh: [] };
  for (const [name, m] of Object.entries(modules)) {
    const path = join(runDir, 'model', `${name}.safetensors`);
    if (!existsSync(path)) {
      out.fresh.push(name);
      continue;
    }
    const { tensors } = loadTensors(path);
    try {
      m.loadStateDict(tensors, { strict: true });
    } catch (err) {
      throw new TrainError(`train.init: the weights of '${name}' in '${path}' do not fit this run's model (${(err as Error).message}); the model config must build the same shapes`);
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
    out.loaded.push(name);
  }
  if (out.loaded.length === 0) throw new TrainError(`train.init: '${runDir}/model' holds weights for none of ${Object.keys(modules).join(', ')}`);
  return out;
}
