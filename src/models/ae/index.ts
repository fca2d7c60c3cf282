// PLACEHOLDER: replaced by the autoencoder work before merge. Signatures agreed with the trainer.
import type { TrainTask } from '../../train/types.js';
import type { AeArch, VideoAutoencoder } from './types.js';

export type Preset = 'micro' | 'quick' | 'paper';
export const AE_ARCHS: readonly AeArch[] = ['conv3d-base', 'unet3d', 'causal-vae'];

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

export function aeSpec(arch: string): AeSpec {
  throw new Error(`aeSpec('${arch}') is not implemented yet`);
}

/** The trained autoencoder of a run folder (`<run>/model/task.json` + `<run>/model/ae.safetensors`). */
export async function loadAutoencoder(runDir: string): Promise<VideoAutoencoder> {
  throw new Error(`loadAutoencoder('${runDir}') is not implemented yet`);
}
