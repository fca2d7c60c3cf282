/**
 * The t2vlab tensor engine: libtorch through a small native core plus generated op wrappers.
 *
 * @example
 *   import * as T from './tensor/index.js';
 *   const y = T.tidy(() => T.tensor([[1, 2], [3, 4]]).matmul(T.eye(2)));
 *   y.toArray();   // [1, 2, 3, 4]
 *   y.dispose();
 */
export { Tensor, isTensor, liveTensors, type BackwardOptions } from './tensor.js';
export { tidy, keep, scopeDepth } from './scope.js';
export { tensor, scalar, fromBytes, toBytes, type CreateOptions } from './creation.js';
export { noGrad, enableGrad, isGradEnabled } from './grad-mode.js';
export {
  manualSeed, getRngState, setRngState, setNumThreads, getNumThreads, cudaAvailable, engineVersion, defaultThreads,
} from './runtime.js';
export { type DType, DTYPE_CODE, BYTES_PER_ELEMENT, isFloating } from './dtype.js';
export * from './ops.generated.js';
import './convert.js';
export { rearrange } from './rearrange.js';
export { scaledDotProductAttention, type AttentionOptions } from './attention.js';
export { interpolate, resizeShorterSide, centerCrop, type InterpolateMode } from './interpolate.js';
export { l2Normalize } from './normalize.js';
