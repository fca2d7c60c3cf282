/**
 * t2vlab's neural-network layers, after `torch.nn`: a `Module` base with PyTorch's parameter
 * names and state-dict keys, layers with PyTorch's default initialisation, and `init`.
 *
 * @example
 *   import * as T from '../tensor/index.js';
 *   import { Linear, Sequential, SiLU } from '../nn/index.js';
 *   const mlp = new Sequential(new Linear(2, 16), new SiLU(), new Linear(16, 1));
 *   const y = T.tidy(() => mlp.forward(T.randn([8, 2])));   // (8, 1)
 *   y.dispose();
 *   mlp.dispose();
 */
export { Module, type Layer, type LoadStateDictResult } from './module.js';
export * as init from './init.js';
export { Linear, type LinearOptions } from './linear.js';
export { Conv2d, Conv3d, type ConvOptions, type ConvPadding } from './conv.js';
export { ConvTranspose2d, ConvTranspose3d, type ConvTransposeOptions } from './conv-transpose.js';
export { GroupNorm, LayerNorm, type GroupNormOptions, type LayerNormOptions } from './norm.js';
export { BatchNorm2d, BatchNorm3d, type BatchNormOptions } from './batchnorm.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Dropout } from './dropout.js';
export { MultiheadAttention, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions } from './attention.js';
export { SiLU, GELU, QuickGELU, LeakyReLU, ReLU, Tanh, Sigmoid, type GELUApproximate } from './activation.js';
export { Sequential, ModuleList, type LayerModule } from './container.js';
