/**
 * The specialised family's generator library: text-conditioned latent video diffusion.
 *
 *   schedulers/  DDPM (ε, v; linear/cosine), DDIM (η, inversion), rectified-flow Euler
 *   denoisers/   DiT (Latte-style factorised attention), UNet3D, residual MLP for vector latents
 *   layers/      timestep embedding, adaLN-Zero, attention, the learned null condition
 *   guidance.ts  classifier-free guidance (dropout, guided prediction)
 *   task.ts      DiffusionTask (TrainTask) over a frozen autoencoder and text encoder
 *   pipeline.ts  generate(): seeded, inference-only sampling to uint8 videos
 *   presets.ts   micro / quick / paper sizes and defaults
 *   calibration.ts, run-config.ts, load.ts   a `t2v train diffusion` run: latent μ/λ, config
 *                sections and task.json record, reloading a run for `t2v generate`
 *   noise.ts, text-cache.ts, stand-ins.ts   seeded noise, caption memo, parameter-free stand-ins
 *
 * @example  training (what `t2v train diffusion` does)
 *   const { model, train, diffusion } = diffusionDefaults('dit', 'quick');
 *   const task = createDiffusionTask({ arch: 'dit', model, input: [1, 16, 64, 64], ae, conditioner, lr: train.lr as number, options: diffusion });
 *   task.calibrate(firstBatch.videos, firstBatch.ids);   // then hand the task to the trainer; save task.describe()
 *
 * @example  generation (what `t2v generate` does)
 *   const denoiser = denoiserFromDescription(desc);  denoiser.loadStateDict(weights);
 *   const scheduler = samplerFor(desc.scheduler as Record<string, unknown>, 'ddim');
 *   const { videos, samples } = generate({ denoiser, scheduler, conditioner, ae, prompts, steps: 50, guidance: 3,
 *                                          seed: 0, samplesPerPrompt: 1, latentScale: desc.latentScale as number,
 *                                          latentShift: desc.latentShift as number });
 */
export * from './schedulers/index.js';
export * from './denoisers/index.js';
export { SeededNoise, torchNoise, type NoiseSource } from './noise.js';
export { COND_DROPOUT, conditionDropout, combineGuidance, guidedPrediction } from './guidance.js';
export {
  DiffusionTask, createDiffusionTask, denoiserFromDescription, trainingScheduler, OBJECTIVES,
  type Objective, type DiffusionDescription, type DiffusionTaskInit,
} from './task.js';
export { generate, sampleSeed, decodeToU8, type GenerateOptions, type GenerateResult, type GeneratedSample } from './pipeline.js';
export { diffusionDefaults, checkPreset, PRESETS, type Preset, type DiffusionOptions, type SampleOptions } from './presets.js';
export { PoolAutoencoder, HashTextConditioner } from './stand-ins.js';
export { CachedConditioner } from './text-cache.js';
export { calibrateLatents, pooledStats, type LatentCalibration, type CalibrationOptions } from './calibration.js';
export {
  diffusionPresetLayer, diffusionSettings, defaultSampler, recordingTask, runDescription, RUN_SECTIONS, CALIBRATION_VIDEOS,
  type DiffusionRunSettings, type DiffusionRunRecord,
} from './run-config.js';
export { loadDiffusionRun, readRunTask, frozenPaths, conditionerFlag, RunLoadError, type DiffusionRun, type LoadDiffusionOptions, type RunTask, type FrozenLoaders } from './load.js';
