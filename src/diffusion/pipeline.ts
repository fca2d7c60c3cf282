/**
 * Text-to-video generation in a video autoencoder's latent space (inference only), after
 * diffusers' text-to-video pipelines: one entry point, numbered steps.
 *
 *   1. Check inputs.
 *   2. Expand prompts × samplesPerPrompt and give each sample its seed:
 *        seed_ij = seed + i·samplesPerPrompt + j   (prompt i, sample j)
 *   3. Per batch of samples: encode the prompts with the (frozen) text encoder.
 *   4. Prepare the sampling grid (scheduler.setTimesteps(steps)).
 *   5. Prepare latents x_T = initNoiseSigma·z, z from each sample's own stream (noise.ts).
 *   6. Denoising loop: guided prediction (guidance.ts, one batched forward for cond + null),
 *      then scheduler.step with the same per-sample streams for any stochastic noise.
 *   7. Decode x0/λ + μ through the autoencoder and quantise to uint8 (round(255·clamp(v, 0, 1))).
 *
 * Because every random number comes from the per-sample streams and the model runs under
 * noGrad in eval mode, two runs with the same inputs give bit-identical videos on the CPU
 * (same thread count), and a sample does not depend on the other samples' seeds.
 *
 * @example
 *   const out = generate({ denoiser, scheduler: samplerFor(desc.scheduler, 'ddim'), conditioner, ae,
 *                          prompts: ['digit 3 is moving up and down'], steps: 50, guidance: 3, seed: 0,
 *                          samplesPerPrompt: 2, latentScale: desc.latentScale, latentShift: desc.latentShift });
 *   out.samples;   // [{ prompt, promptIndex: 0, sampleIndex: 0, seed: 0 }, { …, sampleIndex: 1, seed: 1 }]
 *   out.videos[0]; // VideoU8 (16 × 64 × 64 × 1)
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { VideoU8 } from '../media/video.js';
import { videosFromTensor } from '../media/tensor-video.js';
import type { VideoAutoencoder } from '../models/ae/types.js';
import type { TextConditioner } from '../models/conditioning.js';
import type { Denoiser } from './denoisers/types.js';
import type { Scheduler } from './schedulers/types.js';
import { guidedPrediction } from './guidance.js';
import { SeededNoise } from './noise.js';

export interface GenerateOptions {
  denoiser: Denoiser;
  /** The sampler (e.g. `samplerFor(description.scheduler, 'ddim')`); `setTimesteps(steps)` is called here. */
  scheduler: Scheduler;
  conditioner: TextConditioner;
  /** Decoder of the latents; null returns latents only (no videos). */
  ae: VideoAutoencoder | null;
  prompts: string[];
  steps: number;
  /** Classifier-free guidance scale s (1 = no guidance). */
  guidance: number;
  seed: number;
  samplesPerPrompt?: number;
  /** λ and μ of training (x0 = λ·(E(video) − μ)); D gets x0/λ + μ. Defaults 1 and 0. */
  latentScale?: number;
  latentShift?: number;
  /** Samples per forward (default 16). */
  batchSize?: number;
  /** Called after every denoising step of every batch. */
  onStep?: (info: { batch: number; step: number; steps: number }) => void;
}

export interface GeneratedSample {
  prompt: string;
  promptIndex: number;
  sampleIndex: number;
  seed: number;
}

export interface GenerateResult {
  /** One per sample, in `samples` order; empty when `ae` is null. */
  videos: VideoU8[];
  samples: GeneratedSample[];
  /** Each sample's final latent x0 (scaled as in training), float32, row-major over latentShape. */
  latents: Float32Array[];
}

/** The seed of sample j of prompt i: seed + i·samplesPerPrompt + j. */
export function sampleSeed(seed: number, promptIndex: number, sampleIndex: number, samplesPerPrompt: number): number {
  return seed + promptIndex * samplesPerPrompt + sampleIndex;
}

export function generate(opts: GenerateOptions): GenerateResult {
  // 1. Check inputs.
  const k = opts.samplesPerPrompt ?? 1;
  const batchSize = opts.batchSize ?? 16;
  const scale = opts.latentScale ?? 1;
  const shift = opts.latentShift ?? 0;
  if (opts.prompts.length === 0) throw new Error('generate: no prompts given');
  if (!Number.isInteger(k) || k < 1) throw new Error(`generate: samplesPerPrompt must be a positive integer, got ${k}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`generate: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isSafeInteger(opts.seed)) throw new Error(`generate: seed must be an integer, got ${opts.seed}`);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`generate: latentScale must be a positive number, got ${scale}`);
  if (!Number.isFinite(shift)) throw new Error(`generate: latentShift must be a finite number, got ${shift}`);
  if (opts.conditioner.dim !== opts.denoiser.condDim) throw new Error(`generate: the text encoder '${opts.conditioner.name}' is ${opts.conditioner.dim} wide but the denoiser expects ${opts.denoiser.condDim}`);
  // 2. Samples and their seeds.
  const samples: GeneratedSample[] = [];
  opts.prompts.forEach((prompt, i) => {
    for (let j = 0; j < k; j++) samples.push({ prompt, promptIndex: i, sampleIndex: j, seed: sampleSeed(opts.seed, i, j, k) });
  });
  const result: GenerateResult = { videos: [], samples, latents: [] };
  const wasTraining = opts.denoiser.training;
  opts.denoiser.eval();
  try {
    for (let b = 0; b * batchSize < samples.length; b++) {
      const chunk = samples.slice(b * batchSize, (b + 1) * batchSize);
      const x0 = T.noGrad(() => sampleLatents(opts, chunk, b)); // (n, ...latentShape)
      try {
        const flat = x0.contiguous();
        const data = flat.toFloat32Array();
        flat.dispose();
        const per = data.length / chunk.length;
        chunk.forEach((_, i) => result.latents.push(data.slice(i * per, (i + 1) * per)));
        if (opts.ae) result.videos.push(...T.noGrad(() => decodeToU8(opts.ae!, x0, scale, shift)));
      } finally {
        x0.dispose();
      }
    }
  } finally {
    opts.denoiser.train(wasTraining);
  }
  return result;
}

/** Steps 3–6 for one batch of samples: x0 latents (n, ...latentShape) on the denoiser's device. */
function sampleLatents(opts: GenerateOptions, chunk: GeneratedSample[], batch: number): Tensor {
  return T.tidy(() => {
    const device = opts.denoiser.parameters()[0]?.device ?? 'cpu';
    // 3. Text condition of each sample.
    const enc = opts.conditioner.encode(chunk.map((s) => s.prompt)); // states (n, L, D), mask (n, L), pooled (n, D)
    const cond = { states: enc.states.to(device), mask: enc.mask.to(device), pooled: enc.pooled.to(device) };
    // 4. Sampling grid.
    opts.scheduler.setTimesteps(opts.steps);
    const timesteps = opts.scheduler.timesteps;
    // 5. Initial latents from each sample's stream.
    const noise = new SeededNoise(chunk.map((s) => s.seed));
    let x = noise.randn(opts.denoiser.latentShape).to(device).mulScalar(opts.scheduler.initNoiseSigma); // (n, ...latentShape)
    // 6. Denoising loop.
    timesteps.forEach((t, i) => {
      const next = T.tidy(() => {
        const tt = T.full([chunk.length], t, { device }); // (n)
        const out = guidedPrediction(opts.denoiser, x, tt, cond, opts.guidance); // (n, …)
        return opts.scheduler.step(out, t, x, { noise: noise.source() }); // (n, …)
      });
      x.dispose();
      x = next;
      opts.onStep?.({ batch, step: i + 1, steps: timesteps.length });
    });
    return x;
  });
}

/** Step 7: latents (n, …) → n VideoU8 (T, H, W, C) via D(x0/λ + μ), round(255·clamp(v, 0, 1)). */
export function decodeToU8(ae: VideoAutoencoder, x0: Tensor, latentScale: number, latentShift = 0): VideoU8[] {
  return T.tidy(() => {
    const video = ae.decode(x0.divScalar(latentScale).addScalar(latentShift)); // (n, C, T, H, W) in [0, 1]
    return videosFromTensor(video);
  });
}
