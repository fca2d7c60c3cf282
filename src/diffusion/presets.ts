/**
 * Preset sizes of the specialised family's denoisers and their training/sampling defaults.
 *
 *   micro  tests and smoke runs (seconds)
 *   quick  the acceptance budget: ≤ 30 minutes of CPU training on the `single` SyncDraw set
 *   paper  the study's size (Latte-S-like DiT width 384; LDM-like U-Net), for a GPU
 *
 * `train` holds overrides of the trainer's config (steps, batchSize, lr, clipNorm); `diffusion`
 * the task's own options (objective, schedule, dropout, optimiser decay) and `sample` the
 * generation defaults. All of it is written into the run so that a run is rebuilt from files.
 */
import type { DenoiserArch } from './denoisers/types.js';
import type { Objective } from './task.js';

export type Preset = 'micro' | 'quick' | 'paper';
export const PRESETS: readonly Preset[] = ['micro', 'quick', 'paper'];

const MODEL: Record<DenoiserArch, Record<Preset, Record<string, unknown>>> = {
  dit: {
    micro: { hidden: 32, depth: 1, heads: 2, patchSize: [1, 2, 2], mlpRatio: 2, freqDim: 32 },
    quick: { hidden: 128, depth: 3, heads: 4, patchSize: [1, 2, 2], mlpRatio: 4, freqDim: 128 },
    paper: { hidden: 384, depth: 6, heads: 6, patchSize: [1, 2, 2], mlpRatio: 4, freqDim: 256 },
  },
  unet3d: {
    micro: { channels: 16, channelMults: [1, 2], numResBlocks: 1, attentionLevels: [1], heads: 2, groups: 4, dropout: 0, freqDim: 32 },
    quick: { channels: 32, channelMults: [1, 2], numResBlocks: 1, attentionLevels: [1], heads: 4, groups: 8, dropout: 0, freqDim: 128 },
    paper: { channels: 128, channelMults: [1, 2, 2], numResBlocks: 2, attentionLevels: [1, 2], heads: 8, groups: 32, dropout: 0.1, freqDim: 256 },
  },
  mlp: {
    micro: { hidden: 32, depth: 2, heads: 2, mlpRatio: 2, crossAttention: true, freqDim: 32 },
    quick: { hidden: 256, depth: 4, heads: 4, mlpRatio: 2, crossAttention: true, freqDim: 128 },
    paper: { hidden: 1024, depth: 8, heads: 16, mlpRatio: 4, crossAttention: true, freqDim: 256 },
  },
};

/**
 * Quick budgets, sized from `npm run bench -- diffusion` on the shared 2-core machine (measured
 * under a load average of ~8, so an idle machine is faster) so that training fits in about 30
 * minutes: the quick MLP on a 64-d code ~0.3 s per batch of 128; the quick DiT on a
 * (16, 4, 8, 8) latent ~1.2–1.7 s and the quick U-Net ~1.8 s per batch of 32. Encoding each
 * training video once through the real autoencoder (latents are cached) comes on top.
 */
const TRAIN: Record<DenoiserArch, Record<Preset, Record<string, unknown>>> = {
  dit: {
    micro: { steps: 50, batchSize: 8, lr: 1e-3, clipNorm: 1 },
    quick: { steps: 1500, batchSize: 32, lr: 3e-4, clipNorm: 1 },
    paper: { steps: 200000, batchSize: 128, lr: 1e-4, clipNorm: 1 },
  },
  unet3d: {
    micro: { steps: 50, batchSize: 8, lr: 1e-3, clipNorm: 1 },
    quick: { steps: 1500, batchSize: 32, lr: 3e-4, clipNorm: 1 },
    paper: { steps: 200000, batchSize: 128, lr: 1e-4, clipNorm: 1 },
  },
  mlp: {
    micro: { steps: 50, batchSize: 8, lr: 1e-3, clipNorm: 1 },
    quick: { steps: 6000, batchSize: 128, lr: 5e-4, clipNorm: 1 },
    paper: { steps: 100000, batchSize: 256, lr: 1e-4, clipNorm: 1 },
  },
};

export interface DiffusionOptions {
  objective: Objective;
  /** VP schedule for eps / v ('cosine' per method.md). */
  betaSchedule: 'linear' | 'cosine';
  /** Probability of the null condition in training. */
  condDropout: number;
  /** AdamW decoupled weight decay. */
  weightDecay: number;
  /** λ: 'auto' = 1/std of the first batch's latents (Rombach et al. 2022, App. G); a number: fixed (1: none). */
  latentScale: number | 'auto';
  /** μ: 'auto' = mean of the first batch's latents (Esser et al. 2024's shift factor); a number: fixed (0: none). */
  latentShift: number | 'auto';
  /** Keep each video's latent after its first encoding (the autoencoder is frozen and deterministic). */
  cacheLatents: boolean;
  /** Keep each caption's text-encoder output after its first encoding (text-cache.ts). */
  cacheText: boolean;
}

export interface SampleOptions {
  sampler: 'ddim' | 'ddpm' | 'flow-euler';
  steps: number;
  guidance: number;
  eta: number;
}

const DIFFUSION: DiffusionOptions = { objective: 'v', betaSchedule: 'cosine', condDropout: 0.1, weightDecay: 0, latentScale: 'auto', latentShift: 'auto', cacheLatents: true, cacheText: true };
const SAMPLE: Record<Preset, SampleOptions> = {
  micro: { sampler: 'ddim', steps: 10, guidance: 3, eta: 0 },
  quick: { sampler: 'ddim', steps: 50, guidance: 3, eta: 0 },
  paper: { sampler: 'ddim', steps: 50, guidance: 4, eta: 0 },
};

export function checkPreset(p: string): Preset {
  if (!PRESETS.includes(p as Preset)) throw new Error(`unknown preset '${p}'; valid: ${PRESETS.join(', ')}`);
  return p as Preset;
}

/** The defaults of a denoiser at a preset (fresh objects: safe to modify). */
export function diffusionDefaults(arch: DenoiserArch, preset: Preset): {
  model: Record<string, unknown>; train: Record<string, unknown>; diffusion: DiffusionOptions; sample: SampleOptions;
} {
  const model = MODEL[arch]?.[preset];
  if (!model) throw new Error(`no preset '${preset}' for denoiser '${arch}'`);
  return { model: structuredClone(model), train: { ...TRAIN[arch][preset] }, diffusion: { ...DIFFUSION }, sample: { ...SAMPLE[preset] } };
}
