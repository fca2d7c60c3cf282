/**
 * Latent calibration of a diffusion run: the shift μ and scale λ of x0 = λ·(E(video) − μ)
 * (Rombach et al. 2022, "High-Resolution Image Synthesis with Latent Diffusion Models",
 * App. G: λ = 1/σ̂ of the latents of the first batch; Esser et al. 2024, "Scaling Rectified
 * Flow Transformers", §5.2.1: the shift factor μ), estimated once before training:
 *
 *   μ = (1/N) Σ_i z_i        σ̂² = (1/(N − 1)) Σ_i (z_i − μ)²        λ = 1/σ̂
 *
 * over every value z_i of the latents of a fixed set of training videos: the first `videos`
 * videos of the split in the order `RandomSampler(seed)` gives epoch 0 (sums in float64). The set
 * is read in full by every rank of a data-parallel run (no sharding), so all ranks get the same
 * μ and λ, and a resumed run recomputes the same numbers from the same files.
 *
 * @example
 *   const c = await calibrateLatents(ae, reader, { split: 'train', videos: 64, seed: 0 });
 *   c.shift; c.scale;   // e.g. −0.12, 1.87 (then x0 = 1.87·(E(video) + 0.12))
 */
import * as T from '../tensor/index.js';
import { DataLoader } from '../data/loader.js';
import type { DatasetReader, Split } from '../data/format.js';
import type { VideoAutoencoder } from '../models/ae/types.js';

export interface LatentCalibration {
  /** μ. */
  shift: number;
  /** λ = 1/σ̂. */
  scale: number;
  /** Videos encoded (the split's size when smaller than asked). */
  videos: number;
  /** N: latent values pooled. */
  elements: number;
  split: Split;
  seed: number;
}

export interface CalibrationOptions {
  split: Split;
  /** How many videos (the first of the seeded order). */
  videos: number;
  seed: number;
  /** Videos per forward of the autoencoder (default 16). */
  chunk?: number;
  /** Channels the model sees (default the data set's). */
  channels?: 1 | 3;
}

/** μ and λ of `ae`'s latents over a fixed, seeded set of videos of `reader` (see the file comment). */
export async function calibrateLatents(ae: VideoAutoencoder, reader: DatasetReader, opts: CalibrationOptions): Promise<LatentCalibration> {
  if (!(Number.isInteger(opts.videos) && opts.videos >= 2)) throw new RangeError(`calibrateLatents: videos must be an integer ≥ 2, got ${opts.videos}`);
  const chunk = opts.chunk ?? 16;
  const loader = new DataLoader(reader, {
    split: opts.split, batchSize: chunk, sampler: 'random', seed: opts.seed, prefetch: 0,
    ...(opts.channels !== undefined ? { channels: opts.channels } : {}),
  });
  ae.eval();
  const parts: Float32Array[] = [];
  let videos = 0;
  for await (const batch of loader.epoch(0)) {
    try {
      const take = Math.min(batch.indices.length, opts.videos - videos);
      parts.push(T.tidy(() => T.noGrad(() => {
        const v = take < batch.indices.length ? batch.videos.narrow(0, 0, take) : batch.videos; // (b, C, T, H, W)
        return ae.encode(v).float().to('cpu').contiguous().toFloat32Array(); // (b·∏latentShape)
      })));
      videos += take;
    } finally {
      batch.videos.dispose();
    }
    if (videos >= opts.videos) break;
  }
  const { mean, std, n } = pooledStats(parts);
  if (n < 2 || !(std > 0) || !Number.isFinite(std)) {
    throw new Error(`cannot calibrate the latents: ${videos} video(s) of the '${opts.split}' split give ${n} latent values with std ${std}; ` +
      'use a split with more videos, or set model.diffusion.latentScale and latentShift to numbers');
  }
  return { shift: mean, scale: 1 / std, videos, elements: n, split: opts.split, seed: opts.seed };
}

/** Mean and unbiased standard deviation of all values of `parts` (two passes, float64). */
export function pooledStats(parts: readonly Float32Array[]): { mean: number; std: number; n: number } {
  let n = 0;
  let sum = 0;
  for (const p of parts) {
    n += p.length;
    for (let i = 0; i < p.length; i++) sum += p[i]!;
  }
  const mean = n > 0 ? sum / n : NaN;
  let ss = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) ss += (p[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}
