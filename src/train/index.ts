/**
 * The trainer: config validation, the training loop with checkpoints and resume, the run folder.
 *
 * @example
 *   import { resolveTrainerConfig, train } from './train/index.js';
 */
export type { StepContext, TrainTask, ValidationAids } from './types.js';
export { ConfigError, parseConfig, s, describeValue, type ConfigIssue, type Schema, type Infer, type NumberRange } from './schema.js';
export {
  TRAINER_DEFAULTS, trainerConfigSchema, validateTrainerConfig, resolveTrainerConfig, readConfigFile, deepMerge, configDifferences,
  type TrainerConfig, type TrainSection, type DataSection, type TrainSampler, type ConfigLayer,
} from './config.js';
export { checkSameConfig, loadResumeCheckpoint, rewindRunDir, RESUMABLE_DIFFERENCES } from './resume.js';
export { SINGLE_PROCESS, type DistributedContext, type ReduceOp } from './distributed.js';
export { Progress, formatDuration, formatFigure, type ProgressStream } from './progress.js';
export { RunDir, RUN_FILES, collectVersions, type RunInfo, type Versions, type RunSession } from './run-dir.js';
export { saveTrainState, restoreTrainState, namedState, type TrainMeta, type BestRecord, type DataPosition, type LogWindow } from './state.js';
export { train, seedEverything, TrainError, type TrainOptions, type TrainResult, type TaskSource } from './trainer.js';
