/** Dense optical flow on the tensor engine (see `lucas-kanade.ts` for the method) and warping. */
export {
  FLOW_METHOD, computeFlow, forwardBackwardFlow, midpointFlow, forwardFromMidpoint, backwardFromMidpoint, flowSettings,
  type FlowOptions, type ResolvedFlowOptions,
} from './lucas-kanade.js';
export { warp, identityGrid } from './warp.js';
export { toGray, gaussianTaps, separableFilter, imageGradient, downsample2 } from './filters.js';
