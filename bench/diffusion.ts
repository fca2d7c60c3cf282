/**
 * `npm run bench -- diffusion`: the specialised family's generator at the quick preset.
 *
 *   train_steps_per_s    DiffusionTask.trainStep of the quick DiT (v objective, AdamW, clip 1) on
 *                        batches of the quick preset's size: latents from cached encodings, text
 *                        encoding, forward, backward, update
 *   sample_videos_per_s  generate(): 50 DDIM steps with guidance 3 (one batched cond + null
 *                        forward per step), then decoding, 4 videos per call
 *   mlp_train_steps_per_s the quick MLP denoiser on a 64-d vector latent (the 3DConv-Base path)
 *
 * The latents come from the real autoencoders at their quick sizes (untrained weights: the cost
 * of a step does not depend on them): the causal VAE for the DiT, 3DConv-Base (d_z = 64) for the
 * MLP, so decoding is in the sampling figure and the first (uncached) encoding in neither timed
 * loop. The text comes from `HashTextConditioner` (512-d, up to 77 tokens), a stand-in whose cost
 * is far below a text tower's; text features are cached per caption in training anyway.
 */
import * as T from '../src/tensor/index.js';
import type { Batch } from '../src/data/loader.js';
import { createDiffusionTask, type DiffusionTask } from '../src/diffusion/task.js';
import { diffusionDefaults } from '../src/diffusion/presets.js';
import { generate } from '../src/diffusion/pipeline.js';
import { samplerFor } from '../src/diffusion/schedulers/index.js';
import { HashTextConditioner } from '../src/diffusion/stand-ins.js';
import { aeSpec, buildAutoencoder } from '../src/models/ae/index.js';

const INPUT: [number, number, number, number] = [1, 16, 64, 64];
const now = (): number => performance.now() / 1000;

function captionOf(i: number): string {
  return `digit ${i % 10} is moving ${i % 2 === 0 ? 'up and down' : 'left and right'}`;
}

function batchOf(n: number, seed: number): Batch {
  T.manualSeed(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  return {
    videos: T.rand([n, ...INPUT]), captions: idx.map(captionOf), buckets: Int32Array.from(idx),
    attributes: idx.map(() => ({})), ids: idx.map((i) => `bench-${seed}-${i}`), indices: idx,
  };
}

/** Steps per second of `task.trainStep` after `warmup` steps (latents cached by then). */
function timeTraining(task: DiffusionTask, batch: Batch, warmup: number, steps: number): number {
  const ctx = (step: number) => ({ step, epoch: 0, clipNorm: 1, syncGrads: () => {} });
  for (let i = 0; i < warmup; i++) task.trainStep(batch, ctx(i));
  const t0 = now();
  for (let i = 0; i < steps; i++) task.trainStep(batch, ctx(warmup + i));
  return steps / (now() - t0);
}

export async function run(): Promise<Record<string, unknown>> {
  const conditioner = new HashTextConditioner(512, 77);
  const ae = buildAutoencoder('causal-vae', INPUT, aeSpec('causal-vae').defaults('quick').model);
  ae.eval();
  const { model, train, sample } = diffusionDefaults('dit', 'quick');
  const batchSize = train['batchSize'] as number;
  // 1. Training steps of the quick DiT.
  const task = createDiffusionTask({ arch: 'dit', model, input: INPUT, ae, conditioner, lr: train['lr'] as number, options: { objective: 'v' } });
  const batch = batchOf(batchSize, 0);
  const trainSteps = timeTraining(task, batch, 2, 5);
  batch.videos.dispose();
  // 2. Sampling videos (50 DDIM steps, guidance 3) with the same denoiser.
  const videos = 4;
  const scheduler = samplerFor(task.scheduler.config(), 'ddim');
  generate({ denoiser: task.denoiser, scheduler, conditioner, ae, prompts: [captionOf(0)], steps: 2, guidance: sample.guidance, seed: 0 }); // warm-up
  const t0 = now();
  generate({ denoiser: task.denoiser, scheduler, conditioner, ae, prompts: Array.from({ length: videos }, (_, i) => captionOf(i)), steps: sample.steps, guidance: sample.guidance, seed: 0, batchSize: videos, latentScale: task.latentScale as number, latentShift: task.latentShift as number });
  const sampleVideos = videos / (now() - t0);
  const desc = task.describe();
  task.dispose();
  // 3. The quick MLP denoiser on a 64-d vector latent (as 3DConv-Base's d_z).
  const mlpAe = buildAutoencoder('conv3d-base', INPUT, aeSpec('conv3d-base').defaults('quick').model); // d_z = 64
  mlpAe.eval();
  const mlp = diffusionDefaults('mlp', 'quick');
  const mlpTask = createDiffusionTask({ arch: 'mlp', model: mlp.model, input: INPUT, ae: mlpAe, conditioner, lr: mlp.train['lr'] as number, options: { objective: 'v' } });
  const mlpBatch = batchOf(mlp.train['batchSize'] as number, 1);
  const mlpSteps = timeTraining(mlpTask, mlpBatch, 2, 10);
  mlpBatch.videos.dispose();
  mlpTask.dispose();
  ae.dispose();
  mlpAe.dispose();
  return {
    preset: 'quick', denoiser: 'dit', parameters: desc['parameters'], latent_shape: desc['latentShape'], batch: batchSize,
    train_steps_per_s: Number(trainSteps.toFixed(3)), train_samples_per_s: Number((trainSteps * batchSize).toFixed(1)),
    sample_videos_per_s: Number(sampleVideos.toFixed(3)), sample_steps: sample.steps, guidance: sample.guidance,
    mlp_train_steps_per_s: Number(mlpSteps.toFixed(2)), mlp_batch: mlp.train['batchSize'],
    ae: 'causal-vae (quick sizes) for the DiT, conv3d-base (quick sizes, d_z 64) for the MLP; untrained weights',
    conditioner: 'hash-text-stand-in (512-d, ≤77 tokens; CLIP text tower not used)',
    threads: T.getNumThreads(), device: 'cpu',
  };
}
