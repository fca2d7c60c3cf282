/**
 * What the quality metrics share: videos to tensors, the pairing rule of the full-reference
 * metrics, caption buckets, summary statistics and the device they compute on.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { toRGB, type VideoU8 } from '../../media/video.js';
import { MetricInputError, type EvalVideo, type MetricContext, type ReferenceSet } from '../types.js';

/** The device the pixel metrics compute on: the first GPU when the engine has one, else the CPU. */
export function metricDevice(): string {
  return T.cudaAvailable() ? 'cuda' : 'cpu';
}

/** 3 when any of the videos is RGB (gray ones are then repeated to RGB), else 1. */
export function commonChannels(videos: readonly VideoU8[]): 1 | 3 {
  return videos.some((v) => v.channels === 3) ? 3 : 1;
}

/** "T×H×W" of a video, for messages. */
export function sizeOf(v: VideoU8): string {
  return `${v.frames}×${v.height}×${v.width}`;
}

/**
 * Videos of one size → float64 (B, C, T, H, W) in [0, 1] on `device`; gray videos are repeated to
 * RGB when `channels` is 3. Throws a MetricInputError naming the first video of another size.
 */
export function videosToTensor(videos: readonly EvalVideo[], channels: 1 | 3, device = 'cpu', what = 'videos'): Tensor {
  const first = videos[0];
  if (!first) throw new Error(`videosToTensor: no ${what} given`);
  const { frames, height, width } = first.video;
  const bytes = frames * height * width * channels;
  const data = new Uint8Array(videos.length * bytes); // (B, T, H, W, C)
  videos.forEach((v, i) => {
    if (v.video.frames !== frames || v.video.height !== height || v.video.width !== width) {
      throw new MetricInputError(`${what}: '${v.id}' is ${sizeOf(v.video)} but '${first.id}' is ${sizeOf(first.video)} (frames×height×width); ` +
        'full-reference metrics compare videos of the same size: resize or cut them to one size first');
    }
    data.set(channels === 3 ? toRGB(v.video).data : v.video.data, i * bytes);
  });
  return T.tidy(() =>
    T.tensor(data, { shape: [videos.length, frames, height, width, channels] }) // (B, T, H, W, C) uint8
      .to(device)
      .permute([0, 4, 1, 2, 3]) // (B, C, T, H, W)
      .toDType('float64')
      .divScalar(255),
  );
}

/** One video's frames as a uint8 (T, H, W, 3) tensor (gray repeated to RGB), the encoders' input. */
export function framesRGB(v: VideoU8): Tensor {
  const rgb = toRGB(v);
  return T.tensor(rgb.data, { shape: [rgb.frames, rgb.height, rgb.width, 3] }); // (T, H, W, 3) uint8
}

/** The reference set, or a MetricInputError saying how to pass one. */
export function requireReference(ctx: MetricContext, metric: string): ReferenceSet {
  if (!ctx.reference || ctx.reference.videos.length === 0) {
    throw new MetricInputError(`${metric} compares with real videos: pass a reference set (the eval command's --reference DATASET[:split] flag)`);
  }
  return ctx.reference;
}

/**
 * Pairing rule of the full-reference metrics (psnr, ssim): when every generated id is also a
 * reference id, each generated video is paired with the reference video of the same id;
 * otherwise, when both sets have the same number of videos, by position (index i with index i);
 * otherwise a MetricInputError.
 */
export function pairWithReference(videos: readonly EvalVideo[], reference: ReferenceSet, metric: string): { pairs: [EvalVideo, EvalVideo][]; rule: 'id' | 'index' } {
  const byId = new Map(reference.videos.map((r) => [r.id, r]));
  if (videos.every((v) => byId.has(v.id))) return { pairs: videos.map((v) => [v, byId.get(v.id)!]), rule: 'id' };
  if (videos.length === reference.videos.length) return { pairs: videos.map((v, i) => [v, reference.videos[i]!]), rule: 'index' };
  const missing = videos.filter((v) => !byId.has(v.id)).slice(0, 3).map((v) => `'${v.id}'`);
  throw new MetricInputError(
    `${metric}: cannot pair the ${videos.length} generated videos with the ${reference.videos.length} reference videos of ${reference.name}: ` +
      `ids such as ${missing.join(', ')} are not in the reference and the counts differ. Name generated videos after the reference ids, ` +
      'or pass a reference with one video per generated video in the same order (or use b_psnr / b_ssim, which compare with the caption bucket).',
  );
}

/** Videos grouped by prompt (caption), in first-appearance order. */
export function groupByPrompt(videos: readonly EvalVideo[]): Map<string, EvalVideo[]> {
  const out = new Map<string, EvalVideo[]>();
  for (const v of videos) {
    const g = out.get(v.prompt);
    if (g) g.push(v);
    else out.set(v.prompt, [v]);
  }
  return out;
}

/** Mean and population std of the finite values; NaN for both when there are none. */
export function meanStd(values: readonly number[]): { mean: number; std: number; count: number } {
  const xs = values.filter((x) => Number.isFinite(x));
  if (xs.length === 0) return { mean: NaN, std: NaN, count: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(variance), count: xs.length };
}

/** Split `items` into consecutive chunks of at most `size`. */
export function chunks<X>(items: readonly X[], size: number): X[][] {
  const out: X[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** How many videos of this size fit one float64 working block (~8 M elements, 64 MB), at least 1. */
export function videosPerBlock(v: VideoU8, channels: 1 | 3): number {
  return Math.max(1, Math.floor((1 << 23) / (v.frames * v.height * v.width * channels)));
}

/** Throw a MetricInputError unless every video has the size (T, H, W) of the first. */
export function checkSameSize(videos: readonly EvalVideo[], metric: string): void {
  const first = videos[0];
  if (!first) return;
  const bad = videos.find((v) => v.video.frames !== first.video.frames || v.video.height !== first.video.height || v.video.width !== first.video.width);
  if (bad) {
    throw new MetricInputError(`${metric}: '${bad.id}' is ${sizeOf(bad.video)} but '${first.id}' is ${sizeOf(first.video)} (frames×height×width); ` +
      'this metric compares videos pixel by pixel: generate at the reference resolution and length, or resize the reference first');
  }
}

/** Pairwise scores of two video lists: N·M values row-major (see ssimMatrix / psnrMatrix). */
export type PairMatrix = (a: Tensor, b: Tensor) => Float64Array;

/**
 * Call `visit(i, j, score)` for every pair (a_i, b_j), computing `matrix` over blocks of videos
 * that fit in memory. All videos must have one size (checked).
 */
export function forEachPair(
  a: readonly EvalVideo[],
  b: readonly EvalVideo[],
  channels: 1 | 3,
  matrix: PairMatrix,
  visit: (i: number, j: number, score: number) => void,
  metric: string,
): void {
  if (a.length === 0 || b.length === 0) return;
  checkSameSize([...a, ...b], metric);
  const per = videosPerBlock(a[0]!.video, channels);
  const device = metricDevice();
  for (let i0 = 0; i0 < a.length; i0 += per) {
    const ta = videosToTensor(a.slice(i0, i0 + per), channels, device, metric); // (n, C, T, H, W)
    try {
      for (let j0 = 0; j0 < b.length; j0 += per) {
        const bj = b.slice(j0, j0 + per);
        const tb = videosToTensor(bj, channels, device, metric); // (m, C, T, H, W)
        let scores: Float64Array;
        try {
          scores = matrix(ta, tb); // (n·m)
        } finally {
          tb.dispose();
        }
        const m = bj.length;
        for (let k = 0; k < scores.length; k++) visit(i0 + Math.floor(k / m), j0 + (k % m), scores[k]!);
      }
    } finally {
      ta.dispose();
    }
  }
}
