/**
 * Optimizers, gradient clipping, learning-rate schedules and weight EMA.
 *
 * @example
 *   import { AdamW, clipGradNorm, warmupCosine, LRScheduler, EMA } from './optim/index.js';
 */
export {
  Optimizer, definedOnly, isJsonObject, type OptimizerLike,
  type StateDict, type JsonValue, type JsonObject, type Hyper, type HyperValue, type ParamGroup, type ParamGroupInput,
  type Params, type TorchNames, type GradBatch, type ParamState,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, ADAM_DEFAULTS, type AdamOptions } from './adam.js';
export { AdamW } from './adamw.js';
export { clipGradNorm, type ClipOptions } from './clip.js';
export { warmupCosine, LRScheduler, type WarmupCosineOptions, type HasLr } from './schedule.js';
export { EMA, type EMAOptions, type EMAParams } from './ema.js';
