// Tiny stand-in components for the task and pipeline tests: a pooling autoencoder, a hashed
// text encoder, and batches of small patterned videos with distinct captions.
import * as T from '../../src/tensor/index.js';
import type { Batch } from '../../src/data/loader.js';
import type { StepContext } from '../../src/train/types.js';
import type { Tensor } from '../../src/tensor/index.js';
import { HashTextConditioner, PoolAutoencoder } from '../../src/diffusion/stand-ins.js';
import { Rng } from '../../src/data/syncdraw/rng.js';

export const CAPTIONS = ['digit 1 is moving up and down', 'digit 2 is moving left and right', 'digit 3 is moving up and down', 'digit 4 is moving left and right'];

/** (1, 4, 16, 16) videos → latents (1, 2, 4, 4) with the (2, 4, 4) pooling autoencoder. */
export function tinyAe(): PoolAutoencoder {
  return new PoolAutoencoder([2, 4, 4]);
}

export function tinyText(): HashTextConditioner {
  return new HashTextConditioner(8, 8);
}

/** A batch of the n first of four fixed videos (seeded uniform pixels), with their captions and ids. */
export function tinyBatch(n = 4, offset = 0): Batch {
  const per = 4 * 16 * 16;
  const data = new Float32Array(n * per);
  for (let i = 0; i < n; i++) {
    const rng = Rng.fromSeed(100 + ((i + offset) % 4));
    for (let k = 0; k < per; k++) data[i * per + k] = rng.float();
  }
  const idx = Array.from({ length: n }, (_, i) => (i + offset) % 4);
  return {
    videos: T.tensor(data, { shape: [n, 1, 4, 16, 16] }),
    captions: idx.map((i) => CAPTIONS[i]!),
    buckets: Int32Array.from(idx),
    attributes: idx.map(() => ({})),
    ids: idx.map((i) => `video-${i}`),
    indices: idx,
  };
}

/** A StepContext that records syncGrads calls. */
export function stepContext(step: number, clipNorm: number | null, onSync?: (params: Tensor[]) => void): StepContext & { syncs: number } {
  const ctx = {
    step, epoch: 0, clipNorm, syncs: 0,
    syncGrads(params: Tensor[]): void {
      ctx.syncs++;
      onSync?.(params);
    },
  };
  return ctx;
}
