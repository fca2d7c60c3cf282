/**
 * The video autoencoders as trainer tasks: `aeSpec(arch)` gives an architecture's preset
 * defaults and builds its `TrainTask`; `loadAutoencoder(runDir)` reads a trained one back.
 *
 *   conv3d-base  the paper's 3DConv-Base WAE (conv3d-base.ts), d_z = 64, D_v and D_z
 *   unet3d       the paper's UNetLDM autoencoder (unet3d.ts), d_z = 128, L1 (+ optional D_v)
 *   causal-vae   causal 3-D VAE, 4× time, 8× space, 16 channels (causal-vae.ts), KL + L1
 *
 * A `model` config is one flat object: the architecture's keys and the loss keys of
 * wae-task.ts (`LossConfig`); unknown keys throw naming `model.<key>`.
 *
 * @example
 *   const spec = aeSpec('conv3d-base');
 *   const { model, train } = spec.defaults('quick');
 *   const task = spec.createTask(model, [1, 16, 64, 64], { lr: 1e-4, clipNorm: 5 });
 *   task.ae.latentShape([1, 16, 64, 64]);   // [64]
 *   task.dispose();
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainTask } from '../../train/types.js';
import { readTaskFile } from '../../train/run-dir.js';
import { loadTensors } from '../../io/tensors.js';
import { psnrVideos, ssimVideos } from '../../metrics/stats/ssim.js';
import { AE_ARCHS, type AeArch, type VideoAutoencoder } from './types.js';
export { AE_ARCHS } from './types.js';
import type { VideoAeBase, VideoShape } from './base.js';
import { resolveConfig } from './config.js';
import { AeTask, WAE_LOSS, type LossConfig, type ReconMetrics } from './wae-task.js';
import { CONV3D_BASE_DEFAULTS, Conv3dBase, type Conv3dBaseConfig } from './conv3d-base.js';
import { UNET3D_DEFAULTS, Unet3dAe, type Unet3dConfig } from './unet3d.js';
import { CAUSAL_VAE_DEFAULTS, CausalVae, type CausalVaeConfig } from './causal-vae.js';

export type Preset = 'micro' | 'quick' | 'paper';
export const PRESETS: readonly Preset[] = ['micro', 'quick', 'paper'];

export interface AeSpec {
  readonly arch: AeArch;
  /**
   * Preset defaults: `model` = this arch's hyper-parameters, `train` = overrides of the trainer's
   * config (steps, batchSize, lr, clipNorm, ...), validated by the trainer's schema.
   */
  defaults(preset: Preset): { model: Record<string, unknown>; train: Record<string, unknown> };
  /**
   * Build the task. `model` is validated here: unknown keys throw naming `model.<key>`.
   * `input` = per-video (C, T, H, W) of the data.
   */
  createTask(model: Record<string, unknown>, input: [number, number, number, number], opts: { lr: number; clipNorm: number | null }): TrainTask & { readonly ae: VideoAutoencoder };
}

/** How one architecture is built from its flat model config. */
interface ArchDef<C extends object> {
  archDefaults: C;
  lossDefaults: LossConfig;
  /** Per preset: architecture and loss overrides, and the trainer's overrides. */
  presets: Record<Preset, { model: Partial<C & LossConfig>; train: Record<string, unknown> }>;
  build(input: VideoShape, cfg: C): VideoAeBase;
}

/**
 * The quick presets add ‖x − y‖₂² with weight 10 (ours; the paper's cost has L1 only). On
 * sparse digit videos L1's median pulls every pixel to black until the code locates the digit
 * exactly, a plateau at the all-black PSNR (17.1 dB, SSIM 0.81 on SyncDraw single) that short
 * runs do not leave; the squared error rewards a blurred digit at the right place right away, and
 * PSNR is a squared-error measure. The paper presets keep the paper's cost (l2Weight 0).
 * Measured on SyncDraw single, 64×64×16, batch 16, lr 1e-3, deterministic codes, no D_v: with
 * L1 + L2 from step 0 the validation PSNR sat at 17.15–17.21 for 200 steps; with L2 alone it
 * left the plateau by step 150 (17.72) and reached 17.86 at step 300.
 */
const QUICK_PIXEL: Partial<LossConfig> = { l2Weight: 10 };

/**
 * The conv3d-base quick recipe (ours): L2 alone until `l1Start`, then the paper's L1 on top,
 * and from `decodedStart` both measured on the clamped output that decode() returns (wae-task.ts);
 * codes are the posterior mean (`samplePosterior: false`: at initialisation log σ² ≈ 0, so a
 * sampled code is mostly noise and G learns to ignore it for hundreds of steps); D_v is left
 * out (it roughly halves the steps per hour on a CPU) and so is D_z: at lr 1e-3 its feature
 * matching term swung between 0.02 and 0.4 (gradient norm 10–40 against ~1 for the pixel
 * terms) and held the squared error at 0.0206 at step 130, where the run without it was at
 * 0.0185. Without D_z the codes are not pulled to the prior; the joint family maps into them
 * whatever their law, and the diffusion runs calibrate their scale. The paper presets keep the
 * paper's WAE. configs/ae/conv3d-base-60min.json is this recipe at the 60-minute budget.
 */
const QUICK_WAE: Partial<LossConfig> = { ...QUICK_PIXEL, featWeight: 0, advWeight: 0, latentWeight: 0, samplePosterior: false };

const NO_DISC: Partial<LossConfig> = { featWeight: 0, advWeight: 0, latentWeight: 0 };
const VAE_LOSS: LossConfig = { ...WAE_LOSS, ...NO_DISC, klWeight: 1e-6 } as LossConfig;

const ARCHS: { [A in AeArch]: ArchDef<A extends 'conv3d-base' ? Conv3dBaseConfig : A extends 'unet3d' ? Unet3dConfig : CausalVaeConfig> } = {
  // Per-step cost at 64×64×16, one thread, CPU seconds per video: micro ≈ 0.01, quick ≈ 0.12,
  // paper ≈ 0.34 (all networks, forward + backward + Adam).
  'conv3d-base': {
    archDefaults: CONV3D_BASE_DEFAULTS,
    lossDefaults: WAE_LOSS,
    presets: {
      micro: {
        model: { channels: [4, 8], temporalStrides: [2, 2], latentDim: 8, discChannels: 4, discLayers: 1, discScales: 1, latentDiscHidden: 16, latentDiscLayers: 1 },
        train: { steps: 20, batchSize: 4, lr: 1e-3, clipNorm: 5 },
      },
      // ≈ 5 min on 2 cores (≈ 1 step/s): the 6.3M-parameter autoencoder with the QUICK_WAE recipe.
      quick: { model: { ...QUICK_WAE, l1Start: 150, decodedStart: 200 }, train: { steps: 280, batchSize: 16, lr: 1e-3, warmupSteps: 20, clipNorm: 5 } },
      // The paper's sizes: 10.1M-parameter autoencoder (paper: 9.9M), D_v 2.6M (paper: 2.6M),
      // D_z 148k (paper: 133k); batch 100, 100 epochs of 10000 videos, Adam 1e-4, clip 5.
      paper: {
        model: { channels: [48, 96, 192, 256], discChannels: 22, discStart: 2000 },
        train: { steps: 10000, batchSize: 100, lr: 1e-4, clipNorm: 5 },
      },
    },
    build: (input, cfg) => new Conv3dBase(input, cfg),
  },
  // quick ≈ 0.5 CPU s per video: the full-resolution residual blocks dominate.
  unet3d: {
    archDefaults: UNET3D_DEFAULTS,
    lossDefaults: VAE_LOSS,
    presets: {
      micro: {
        model: { baseChannels: 4, channelMult: [1, 1, 2, 2], temporalDown: [true, true, true], zChannels: 2, latentDim: 8 },
        train: { steps: 20, batchSize: 4, lr: 1e-3, clipNorm: 5 },
      },
      quick: { model: { ...QUICK_PIXEL, baseChannels: 8, channelMult: [1, 2, 4, 8] }, train: { steps: 120, batchSize: 8, lr: 5e-4, clipNorm: 5 } },
      // LDM's layout (2 ResBlocks per level, attention at the lowest resolution), 63M parameters
      // (the paper's UNetLDM has 268.8M); batch 32, 100 epochs.
      paper: {
        model: { baseChannels: 64, channelMult: [1, 2, 4, 4], numResBlocks: 2, attnAtLowest: true },
        train: { steps: 31250, batchSize: 32, lr: 1e-4, clipNorm: 5 },
      },
    },
    build: (input, cfg) => new Unet3dAe(input, cfg),
  },
  // quick ≈ 0.43 CPU s per video.
  'causal-vae': {
    archDefaults: CAUSAL_VAE_DEFAULTS,
    lossDefaults: VAE_LOSS,
    presets: {
      micro: { model: { baseChannels: 4, channelMult: [1, 1, 2, 2], latentChannels: 4 }, train: { steps: 20, batchSize: 4, lr: 1e-3, clipNorm: 5 } },
      quick: { model: { ...QUICK_PIXEL, baseChannels: 8, channelMult: [1, 2, 4, 8] }, train: { steps: 150, batchSize: 8, lr: 5e-4, clipNorm: 5 } },
      // CogVideoX-like widths (128·[1, 2, 4, 4] there; 64·[1, 2, 4, 4] here), 2 ResBlocks per level.
      paper: { model: { baseChannels: 64, numResBlocks: 2 }, train: { steps: 31250, batchSize: 32, lr: 1e-4, clipNorm: 5 } },
    },
    build: (input, cfg) => new CausalVae(input, cfg),
  },
};

function archDef(arch: string): ArchDef<object> {
  if (!(AE_ARCHS as readonly string[]).includes(arch)) {
    throw new Error(`unknown autoencoder architecture '${arch}'; valid: ${AE_ARCHS.join(', ')}`);
  }
  return ARCHS[arch as AeArch] as unknown as ArchDef<object>;
}

/** Split a validated flat model config into the architecture's part and the loss part. */
function splitConfig(def: ArchDef<object>, model: Record<string, unknown>, arch: string): { archCfg: object; loss: LossConfig; all: Record<string, unknown> } {
  const all = resolveConfig({ ...def.archDefaults, ...def.lossDefaults }, model, 'model', `ae/${arch}`) as Record<string, unknown>;
  const archCfg: Record<string, unknown> = {};
  for (const k of Object.keys(def.archDefaults)) archCfg[k] = all[k];
  const loss: Record<string, unknown> = {};
  for (const k of Object.keys(def.lossDefaults)) loss[k] = all[k];
  return { archCfg, loss: loss as unknown as LossConfig, all };
}

function checkInput(input: readonly number[]): VideoShape {
  if (input.length !== 4 || input.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`autoencoder input must be (C, T, H, W) positive integers, got [${input.join(', ')}]`);
  }
  if (input[0] !== 1 && input[0] !== 3) throw new Error(`autoencoder input has ${input[0]} channels; videos must be gray (1) or RGB (3)`);
  return [...input] as VideoShape;
}

/** Build an architecture's autoencoder from a flat model config (loss keys are accepted and ignored). */
export function buildAutoencoder(arch: string, input: readonly number[], model: Record<string, unknown>): VideoAeBase {
  const def = archDef(arch);
  return def.build(checkInput(input), splitConfig(def, model, arch).archCfg);
}

/** Build the training task with explicit metrics (tests inject their own PSNR / SSIM). */
export function createAeTask(
  arch: string, model: Record<string, unknown>, input: readonly number[], opts: { lr: number }, metrics: ReconMetrics,
): AeTask {
  const def = archDef(arch);
  const { archCfg, loss, all } = splitConfig(def, model, arch);
  const ae = def.build(checkInput(input), archCfg);
  try {
    return new AeTask(ae, loss, all, opts, metrics);
  } catch (err) {
    ae.dispose();
    throw err;
  }
}

export function aeSpec(arch: string): AeSpec {
  const def = archDef(arch);
  const a = arch as AeArch;
  return {
    arch: a,
    defaults(preset: Preset) {
      const p = def.presets[preset];
      if (!p) throw new Error(`unknown preset '${String(preset)}' for ae/${arch}; valid: ${PRESETS.join(', ')}`);
      return { model: { ...def.archDefaults, ...def.lossDefaults, ...structuredClone(p.model) }, train: { ...p.train } };
    },
    createTask(model, input, opts) {
      return createAeTask(a, model, input, { lr: opts.lr }, { psnr: psnrVideos, ssim: ssimVideos });
    },
  };
}

/** A run folder that holds no usable autoencoder (missing or damaged files); the message says what to do. */
export class AeRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AeRunError';
  }
}

/** The exported weights of a `t2v train ae` run folder. */
export function aeWeightsPath(runDir: string): string {
  return join(runDir, 'model', 'ae.safetensors');
}

/** The trained autoencoder of a run folder (`<run>/model/task.json` + `<run>/model/ae.safetensors`), in eval mode. */
export async function loadAutoencoder(runDir: string): Promise<VideoAutoencoder> {
  return loadAeRun(runDir);
}

/** As `loadAutoencoder`, typed with the built input size (`ae.input`) and `posterior`. */
export async function loadAeRun(runDir: string): Promise<VideoAeBase> {
  const weightsPath = aeWeightsPath(runDir);
  const read = readTaskFile(runDir, `pass the --out folder of a \`t2v train ae\` run, or train one with \`t2v train ae --out ${runDir} ...\``, {
    want: { kind: 'ae/', what: "a video autoencoder (kind 'ae/<arch>')" },
    fail: (m) => new AeRunError(m),
  });
  const task = read.task as { kind: string; arch?: unknown; input?: unknown; model?: unknown };
  const arch = typeof task.arch === 'string' ? task.arch : task.kind.slice(3);
  if (!Array.isArray(task.input) || typeof task.model !== 'object' || task.model === null) {
    throw new AeRunError(`'${read.path}' lacks 'input' (C, T, H, W) or 'model' (the resolved config); the run folder is damaged: train again`);
  }
  if (!existsSync(weightsPath)) throw new AeRunError(`'${weightsPath}' is missing; the run did not export its weights (did it finish?)`);
  const ae = buildAutoencoder(arch, task.input as number[], task.model as Record<string, unknown>);
  const { tensors } = loadTensors(weightsPath);
  try {
    const keys = [...tensors.keys()];
    const prefixed = keys.length > 0 && keys.every((k) => k.startsWith('ae.'));
    const sd = prefixed ? new Map([...tensors].map(([k, t]) => [k.slice(3), t])) : tensors;
    try {
      ae.loadStateDict(sd);
    } catch (err) {
      ae.dispose();
      throw new AeRunError(`'${weightsPath}' does not match the ${arch} autoencoder described by '${read.path}': ${(err as Error).message}`);
    }
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return ae.eval();
}
