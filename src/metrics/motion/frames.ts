/**
 * Shared plumbing of the motion metrics: videos as tensors, batches of same-sized videos (so the
 * optical flow of all their frame pairs runs in one call), and per-video aggregation.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { VideoU8 } from '../../media/video.js';
import type { EvalVideo, MetricContext, PerVideoRecord } from '../types.js';

/**
 * Frame pixels (T·H·W summed over a batch's videos) per batch: 4 videos of 16×64×64. Batches of
 * this size keep every intermediate tensor cache-sized (a batch's flows take ~2 MB), which is
 * faster than one huge batch, and bound memory for large videos (one video per batch then).
 */
export const PIXELS_PER_BATCH = 4 * 16 * 64 * 64;

/** (T, H, W, C) uint8 video → (T, C, H, W) float32 in [0, 1]. */
export function videoTensor(v: VideoU8): Tensor {
  return T.tidy(() => {
    const u8 = T.tensor(v.data, { shape: [v.frames, v.height, v.width, v.channels], dtype: 'uint8' }); // (T, H, W, C)
    return u8.permute([0, 3, 1, 2]).float().divScalar(255).contiguous(); // (T, C, H, W)
  });
}

/**
 * Indices of `videos` grouped by (height, width, channels), in order of first appearance, each
 * group cut into batches of at most `maxPixels` frame pixels (at least one video per batch).
 */
export function sizeBatches(videos: readonly { video: VideoU8 }[], maxPixels = PIXELS_PER_BATCH): number[][] {
  const groups = new Map<string, number[]>();
  videos.forEach(({ video: v }, i) => {
    const key = `${v.height}x${v.width}x${v.channels}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const batches: number[][] = [];
  for (const g of groups.values()) {
    let batch: number[] = [];
    let pixels = 0;
    for (const i of g) {
      const v = videos[i]!.video;
      const n = v.frames * v.height * v.width;
      if (batch.length > 0 && pixels + n > maxPixels) {
        batches.push(batch);
        batch = [];
        pixels = 0;
      }
      batch.push(i);
      pixels += n;
    }
    if (batch.length > 0) batches.push(batch);
  }
  return batches;
}

/**
 * Frame pairs (first[k], second[k]) of several videos stacked into two (P, C, H, W) tensors, with
 * the owner of every pair. `pairs(v)` lists the (i, j) frame indices of video v's pairs.
 */
export function stackPairs(
  frames: readonly Tensor[],
  pairs: (videoIndex: number) => [number, number][],
): { a: Tensor; b: Tensor; owner: number[] } | null {
  const owner: number[] = [];
  const firstIdx: number[] = [];
  const secondIdx: number[] = [];
  let offset = 0;
  frames.forEach((f, v) => {
    for (const [i, j] of pairs(v)) {
      owner.push(v);
      firstIdx.push(offset + i);
      secondIdx.push(offset + j);
    }
    offset += f.size(0);
  });
  if (owner.length === 0) return null;
  return T.tidy(() => {
    const all = T.cat([...frames], { dim: 0 }); // (ΣT, C, H, W)
    const a = T.indexSelect(all, 0, T.tensor(firstIdx, { dtype: 'int64' })); // (P, C, H, W)
    const b = T.indexSelect(all, 0, T.tensor(secondIdx, { dtype: 'int64' })); // (P, C, H, W)
    return { a, b, owner };
  });
}

/** Mean of `values[k]` per owner (NaN for owners without values). */
export function meanByOwner(values: ArrayLike<number>, owner: readonly number[], owners: number): number[] {
  const sum = new Array<number>(owners).fill(0);
  const count = new Array<number>(owners).fill(0);
  owner.forEach((o, k) => {
    sum[o]! += values[k]!;
    count[o]! += 1;
  });
  return sum.map((s, o) => (count[o]! > 0 ? s / count[o]! : NaN));
}

/** Mean of the finite values (NaN when there is none). */
export function meanFinite(values: readonly number[]): number {
  const ok = values.filter((v) => Number.isFinite(v));
  return ok.length > 0 ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
}

/**
 * Run `perBatch` over the videos in same-size batches (the tensors of each batch are freed
 * before the next) and collect its one result per video, in input order.
 */
export function mapBatches<R>(
  ctx: MetricContext,
  metric: string,
  perBatch: (videos: EvalVideo[], frames: Tensor[]) => R[],
): R[] {
  const results = new Array<R>(ctx.videos.length);
  const batches = sizeBatches(ctx.videos);
  batches.forEach((idx, b) => {
    const videos = idx.map((i) => ctx.videos[i]!);
    const out = T.noGrad(() => T.tidy(() => perBatch(videos, videos.map((v) => videoTensor(v.video)))));
    idx.forEach((i, k) => (results[i] = out[k]!));
    if ((b + 1) % 50 === 0 || b + 1 === batches.length) ctx.log?.(`${metric}: ${b + 1}/${batches.length} batches`);
  });
  return results;
}

/** Per-video records with a note where the value is undefined. */
export function records(videos: readonly EvalVideo[], values: readonly number[], whyUndefined: string): PerVideoRecord[] {
  return videos.map((v, i) => {
    const value = values[i]!;
    return Number.isFinite(value) ? { id: v.id, value } : { id: v.id, value: NaN, note: whyUndefined };
  });
}
