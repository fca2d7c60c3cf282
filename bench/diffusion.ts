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
 * The real autoencoders and CLIP text tower were not merged when this was written: the latents
 * come from the parameter-free `PoolAutoencoder` (16×64×64 gray → (16, 4, 8, 8), the causal VAE's
 * latent size) and the text from `HashTextConditioner` (512-d, up to 77 tokens) — see the
 * `ae` / `conditioner` fields. Encoder and decoder costs of the real models are therefore not in
 * these figures; the denoiser's are.
 */
import * as T from '../src/tensor/index.js';
import type { Batch } from '../src/data/loader.js';
import { createDiffusionTask, type DiffusionTask } from '../src/diffusion/task.js';
import { diffusionDefaults } from '../src/diffusion/presets.js';
import { generate } from '../src/diffusion/pipeline.js';
import { samplerFor } from '../src/diffusion/schedulers/index.js';
import { HashTextConditioner, PoolAutoencoder } from '../src/diffusion/stand-ins.js';

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
  const ae = new PoolAutoencoder([4, 8, 8], { repeats: 16 });
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
  const mlpAe = new PoolAutoencoder([16, 16, 16], { flatten: true, repeats: 4 }); // (1·4·4·4)·4 = 64
  const mlp = diffusionDefaults('mlp', 'quick');
  const mlpTask = createDiffusionTask({ arch: 'mlp', model: mlp.model, input: INPUT, ae: mlpAe, conditioner, lr: mlp.train['lr'] as number, options: { objective: 'v' } });
  const mlpBatch = batchOf(mlp.train['batchSize'] as number, 1);
  const mlpSteps = timeTraining(mlpTask, mlpBatch, 2, 10);
  mlpBatch.videos.dispose();
  mlpTask.dispose();
  return {
    preset: 'quick', denoiser: 'dit', parameters: desc['parameters'], latent_shape: desc['latentShape'], batch: batchSize,
    train_steps_per_s: Number(trainSteps.toFixed(3)), train_samples_per_s: Number((trainSteps * batchSize).toFixed(1)),
    sample_videos_per_s: Number(sampleVideos.toFixed(3)), sample_steps: sample.steps, guidance: sample.guidance,
    mlp_train_steps_per_s: Number(mlpSteps.toFixed(2)), mlp_batch: mlp.train['batchSize'],
    ae: 'pool-stand-in (real video autoencoders not merged yet; their encode/decode cost is not included)',
    conditioner: 'hash-text-stand-in (512-d, ≤77 tokens; CLIP text tower not used)',
    threads: T.getNumThreads(), device: 'cpu',
  };
}
