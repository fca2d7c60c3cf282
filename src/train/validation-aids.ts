/**
 * The evaluation models of a run's validation (`train.valDomain`, `train.valProbe`): loaded once
 * before the first step, so a wrong folder fails before any training, and freed at the end. They
 * judge the task's validation videos; nothing trains them and checkpoints do not hold them.
 */
import type { TrainSection } from './config.js';
import { TrainError } from './errors.js';
import type { TrainTask, ValidationAids } from './types.js';

/** Loaded aids and how to free them. */
export interface LoadedAids {
  aids: ValidationAids;
  /** Names for the run's messages, e.g. ['domain:single-seed0']. */
  names: string[];
  dispose(): void;
}

const NONE: LoadedAids = { aids: {}, names: [], dispose: () => undefined };

/**
 * Load what `train` names. A task whose validation makes no videos is refused when either key is
 * set (the figure would silently never appear); so is a folder that fails to load, naming the key.
 */
export async function loadValidationAids(train: Pick<TrainSection, 'valDomain' | 'valProbe' | 'valBatches'>, task: Pick<TrainTask, 'kind' | 'validatesVideos' | 'validate'>): Promise<LoadedAids> {
  const keys = (['valDomain', 'valProbe'] as const).filter((k) => train[k] !== null);
  if (keys.length === 0) return NONE;
  if (task.validate === undefined || task.validatesVideos !== true) {
    throw new TrainError(`train.${keys[0]}: the ${task.kind} task's validation makes no videos to judge; drop the key (it applies to the autoencoders)`);
  }
  if (train.valBatches === 0) throw new TrainError(`train.${keys[0]}: train.valBatches is 0, so there is no validation to add it to; set valBatches ≥ 1`);
  const owned: { dispose(): void }[] = [];
  const aids: ValidationAids = {};
  try {
    if (train.valDomain !== null) {
      const { loadDomainModel } = await import('../domain/model.js');
      const domain = await loadOrExplain('valDomain', train.valDomain, loadDomainModel);
      owned.push(domain);
      aids.domain = domain;
    }
    if (train.valProbe !== null) {
      const { loadAttributeProbe } = await import('../domain/probe.js');
      const probe = await loadOrExplain('valProbe', train.valProbe, loadAttributeProbe);
      owned.push(probe);
      aids.probe = probe;
    }
  } catch (err) {
    for (const m of owned) m.dispose();
    throw err;
  }
  const names = [aids.domain?.name, aids.probe?.name].filter((n): n is string => n !== undefined);
  return { aids, names, dispose: () => owned.forEach((m) => m.dispose()) };
}

async function loadOrExplain<M>(key: string, dir: string, load: (dir: string) => Promise<M>): Promise<M> {
  try {
    return await load(dir);
  } catch (err) {
    throw new TrainError(`train.${key}: ${(err as Error).message}`, { cause: err });
  }
}
