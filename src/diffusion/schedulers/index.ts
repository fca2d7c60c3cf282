/**
 * The scheduler registry: build a scheduler from its `config()` (as stored in a run's
 * description), or the sampler that matches a training objective.
 *
 * @example
 *   const train = createScheduler({ name: 'ddpm', betaSchedule: 'cosine', predictionType: 'v_prediction' });
 *   const sampler = samplerFor(train.config(), 'ddim');   // same schedule and prediction, DDIM steps
 */
import { DDPMScheduler, type DDPMConfig } from './ddpm.js';
import { DDIMScheduler, type DDIMConfig } from './ddim.js';
import { FlowEulerScheduler, type FlowEulerConfig } from './flow-euler.js';
import { SCHEDULER_NAMES, type Scheduler, type SchedulerName } from './types.js';

export { DDPMScheduler, DDIMScheduler, FlowEulerScheduler };
export type { DDPMConfig, DDIMConfig, FlowEulerConfig };
export * from './types.js';
export { VPSchedule, linearBetas, cosineBetas, cosineAlphaBar, cumprodAlphas, predictOriginal, predictEpsilon, vTarget, type BetaSchedule } from './vp-schedule.js';

/** Keys each scheduler accepts (besides `name`). */
const KEYS: Record<SchedulerName, readonly string[]> = {
  ddpm: ['numTrainTimesteps', 'betaSchedule', 'betaStart', 'betaEnd', 'cosineS', 'maxBeta', 'predictionType', 'timestepSpacing', 'varianceType', 'clipSample'],
  ddim: ['numTrainTimesteps', 'betaSchedule', 'betaStart', 'betaEnd', 'cosineS', 'maxBeta', 'predictionType', 'timestepSpacing', 'eta', 'clipSample'],
  'flow-euler': ['numTrainTimesteps', 'shift', 'timeSampling', 'logitMean', 'logitStd', 'steps', 'predictionType'],
};

function checkName(name: unknown): SchedulerName {
  if (!SCHEDULER_NAMES.includes(name as SchedulerName)) {
    throw new Error(`unknown scheduler '${String(name)}'; valid: ${SCHEDULER_NAMES.join(', ')}`);
  }
  return name as SchedulerName;
}

/** A scheduler from `{ name, ...options }`; unknown option keys throw, naming the valid ones. */
export function createScheduler(config: Record<string, unknown>): Scheduler {
  const name = checkName(config['name']);
  const rest = Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'name'));
  const bad = Object.keys(rest).filter((k) => !KEYS[name].includes(k));
  if (bad.length > 0) throw new Error(`scheduler '${name}': unknown option(s) ${bad.join(', ')}; valid: ${KEYS[name].join(', ')}`);
  if (name === 'ddpm') return new DDPMScheduler(rest as Partial<DDPMConfig>);
  if (name === 'ddim') return new DDIMScheduler(rest as Partial<DDIMConfig>);
  if (rest['predictionType'] !== undefined && rest['predictionType'] !== 'flow') throw new Error(`scheduler 'flow-euler' predicts 'flow', got predictionType '${String(rest['predictionType'])}'`);
  delete rest['predictionType'];
  return new FlowEulerScheduler(rest as Partial<FlowEulerConfig>);
}

/**
 * The sampler for a model trained with `training` (a scheduler config): for VP objectives
 * 'ddim' (default) or 'ddpm' with the same schedule and prediction type; for flow, the Euler
 * sampler (optionally with another `shift`). `extra` adds sampler options (eta, clipSample, shift).
 */
export function samplerFor(training: Record<string, unknown>, sampler?: SchedulerName, extra: Record<string, unknown> = {}): Scheduler {
  const trained = checkName(training['name']);
  if (trained === 'flow-euler') {
    if (sampler !== undefined && sampler !== 'flow-euler') throw new Error(`a flow-matching model samples with 'flow-euler', not '${sampler}'`);
    return createScheduler({ ...training, ...extra });
  }
  const target = sampler ?? 'ddim';
  if (target === 'flow-euler') throw new Error(`a ${String(training['predictionType'])} model samples with 'ddim' or 'ddpm', not 'flow-euler'`);
  const vp = ['numTrainTimesteps', 'betaSchedule', 'betaStart', 'betaEnd', 'cosineS', 'maxBeta', 'predictionType', 'timestepSpacing', 'clipSample'];
  const shared = Object.fromEntries(Object.entries(training).filter(([k]) => vp.includes(k)));
  return createScheduler({ name: target, ...shared, ...extra });
}
