/**
 * Layers shared by the video models (autoencoders now, generators later): the only import
 * between model families. One concept per file.
 */
export { normGroups } from './norm-groups.js';
export { CausalConv3d, type CausalConv3dOptions, type CausalPad } from './causal-conv3d.js';
export { FrameGroupNorm } from './frame-group-norm.js';
export { ResBlock3d, conv333, norm3d, type ResBlock3dOptions } from './resblock3d.js';
export { Downsample3d, causalTimeHalve, type Downsample3dOptions } from './downsample3d.js';
export { Upsample3d, type Upsample3dOptions } from './upsample3d.js';
export { AttnBlock3d, type AttnScope } from './attention3d.js';
export { ConvNormAct3d, activate, type Activation, type ConvNormActOptions } from './conv-norm-act.js';
export { posteriorFromMoments, samplePosterior, klStdNormal, type Posterior } from './gaussian.js';
export { IMAGENET_MEAN, IMAGENET_STD, imagenetNormalize } from './imagenet-norm.js';
