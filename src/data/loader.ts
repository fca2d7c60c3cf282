/**
 * The data loader: batches of float video tensors from a t2vlab dataset folder (format.ts).
 *
 * One epoch:
 *   1. the sampler (sampler.ts) gives the epoch's batches as positions in the split's video list;
 *   2. each batch's uint8 bytes are read into one (B, T, H, W, C) buffer with asynchronous
 *      positional reads (`fs.read` on libuv's thread pool; consecutive videos of a shard in one
 *      read), `prefetch` batches ahead, so disk reads overlap the consumer's compute;
 *   3. the buffer becomes a tensor in one `fromBytes` copy, then one permute + float + scale on
 *      the engine gives (B, C, T, H, W) float32 in `range` (gray ↔ RGB on the engine as well).
 *
 * The caller owns `batch.videos` and disposes it; nothing else the loader makes outlives a batch.
 *
 * @example
 * const reader = DatasetReader.open('data/syncdraw');
 * const loader = new DataLoader(reader, { split: 'train', batchSize: 32, sampler: 'bucket', perBucket: 4, seed: 0 });
 * loader.len();                                   // 312 batches per epoch (10000 videos, 20 buckets)
 * for await (const batch of loader.epoch(0)) {
 *   batch.videos.shape;                           // [32, 1, 16, 64, 64], float32 in [0, 1]
 *   batch.buckets;                                // 8 bucket ids, each 4 times in a row
 *   batch.videos.dispose();
 * }
 */
import { closeSync, openSync, read } from 'node:fs';
import { join } from 'node:path';
import * as T from '../tensor/index.js';
import { DatasetError, SHARD_TENSOR, type DatasetReader, type Split, type VideoEntry } from './format.js';
import { SafetensorsFile } from '../io/safetensors.js';
import { BatchSampler, BucketBatchSampler, RandomSampler, SequentialSampler, type Sampler } from './sampler.js';

export type SamplerKind = 'random' | 'sequential' | 'bucket';
export const SAMPLER_KINDS: readonly SamplerKind[] = ['random', 'sequential', 'bucket'];

export interface DataLoaderOptions {
  /** Which split to load; default every video of the data set. */
  split?: Split;
  batchSize: number;
  /** Default true. `false` means the sequential sampler; the others always shuffle. */
  shuffle?: boolean;
  /** Seed of the shuffling; default 0. */
  seed?: number;
  /** Default `shuffle ? 'random' : 'sequential'`. */
  sampler?: SamplerKind;
  /** Videos of one caption bucket per group, for `sampler: 'bucket'`; default 4. */
  perBucket?: number;
  /** Drop the last, short batch (bucket sampler: batches with fewer groups). Default false. */
  dropLast?: boolean;
  /** Float range that uint8 0..255 maps to linearly; default [0, 1]. */
  range?: [number, number];
  /** Output channels; default the data set's. 1 → 3 repeats gray; 3 → 1 takes BT.601 luma. */
  channels?: 1 | 3;
  /** Batches read ahead of the consumer; default 2, 0 reads each batch when asked. */
  prefetch?: number;
  /** Load only this rank's share of each epoch's batches (data-parallel training). */
  shard?: { rank: number; worldSize: number; even?: boolean };
}

/** One batch; `videos` belongs to the caller, who disposes it. */
export interface Batch {
  /** (B, C, T, H, W) float32 in the loader's range. */
  videos: T.Tensor;
  captions: string[];
  /** Caption bucket id of each video (index into `manifest.buckets`). */
  buckets: Int32Array;
  /** The manifest's attributes of each video (shared with the manifest: do not modify). */
  attributes: Record<string, unknown>[];
  ids: string[];
  /** Positions in `loader.entries`. */
  indices: number[];
}

/** ITU-R BT.601 luma weights (as PIL's convert('L') and torchvision's rgb_to_grayscale). */
const LUMA = [0.299, 0.587, 0.114];

interface Resolved {
  sampler: SamplerKind;
  range: [number, number];
  channels: number;
  prefetch: number;
}

export class DataLoader {
  /** The videos this loader serves (the split's, in manifest order); batch indices point here. */
  readonly entries: readonly VideoEntry[];
  readonly sampler: Sampler<number[]>;
  private readonly opts: Resolved;
  /** Absolute file offset of each shard's video tensor, checked on first use. */
  private readonly shardOffsets = new Map<number, number>();

  constructor(
    readonly reader: DatasetReader,
    options: DataLoaderOptions,
  ) {
    this.opts = resolveOptions(options, reader.manifest.channels);
    const { split, batchSize, seed = 0, dropLast = false, perBucket = 4 } = options;
    this.entries = reader.videos(split);
    if (this.entries.length === 0) {
      throw new DatasetError(`dataset '${reader.dir}' has no videos${split ? ` in split '${split}'` : ''}; pick another split or rebuild the data set`);
    }
    const n = this.entries.length;
    let sampler: Sampler<number[]>;
    switch (this.opts.sampler) {
      case 'sequential':
        sampler = new BatchSampler(new SequentialSampler(n), batchSize, dropLast);
        break;
      case 'random':
        sampler = new BatchSampler(new RandomSampler(n, seed), batchSize, dropLast);
        break;
      case 'bucket':
        sampler = new BucketBatchSampler(this.entries.map((e) => e.bucket), { batchSize, perBucket, seed, dropLast });
        break;
    }
    if (options.shard) {
      const { rank, worldSize, even } = options.shard;
      sampler = sampler.shard(rank, worldSize, { even: even ?? false });
    }
    this.sampler = sampler;
  }

  /** Batches per epoch. */
  len(): number {
    return this.sampler.len();
  }

  /**
   * The batches of epoch `e`, in the sampler's order, from batch `from` on (a resumed run starts
   * mid-epoch without reading the batches before). Breaking out of the loop early is fine:
   * reads in flight are awaited and the shard files closed.
   */
  async *epoch(e: number, from = 0): AsyncGenerator<Batch, void, undefined> {
    if (!(Number.isInteger(from) && from >= 0)) throw new RangeError(`DataLoader.epoch: from must be an integer ≥ 0, got ${from}`);
    const batches = this.sampler.epoch(e).slice(from);
    const fds = new Map<number, number>(); // shard → file descriptor, opened on first read
    const pool: Uint8Array[] = []; // batch buffers free for reuse (fromBytes copies)
    const pending: Promise<Uint8Array>[] = [];
    let next = 0;
    const fill = (inFlight: number): void => {
      while (next < batches.length && pending.length < inFlight) {
        const p = this.readBatch(batches[next++]!, fds, pool.pop());
        p.catch(() => undefined); // surfaced when awaited below; never an unhandled rejection
        pending.push(p);
      }
    };
    try {
      for (const indices of batches) {
        fill(Math.max(1, this.opts.prefetch));
        const bytes = await pending.shift()!;
        fill(this.opts.prefetch); // the next `prefetch` batches are read while this one is converted and consumed
        const batch = this.toBatch(indices, bytes);
        pool.push(new Uint8Array(bytes.buffer)); // the whole buffer: a short last batch used a prefix
        yield batch;
      }
    } finally {
      await Promise.allSettled(pending);
      for (const fd of fds.values()) closeSync(fd);
    }
  }

  /**
   * (B, T, H, W, C) uint8 bytes of the videos at `indices` (in `buffer` when it is large enough),
   * read concurrently on libuv's thread pool.
   */
  private readBatch(indices: number[], fds: Map<number, number>, buffer: Uint8Array | undefined): Promise<Uint8Array> {
    const vb = this.reader.videoBytes;
    const n = indices.length * vb;
    // Buffers own their ArrayBuffer (allocUnsafeSlow is unpooled), so `bytes.buffer` is all of it;
    // no need to zero them: every byte is read into.
    const out = buffer && buffer.length >= n ? buffer.subarray(0, n) : new Uint8Array(Buffer.allocUnsafeSlow(n).buffer);
    // Runs of videos that follow each other in one shard are one read: [shard, first index, slot, count].
    const runs: [number, number, number, number][] = [];
    for (let i = 0; i < indices.length; ) {
      const first = this.entries[indices[i]!]!;
      let k = 1;
      while (i + k < indices.length) {
        const e = this.entries[indices[i + k]!]!;
        if (e.shard !== first.shard || e.index !== first.index + k) break;
        k++;
      }
      runs.push([first.shard, first.index, i, k]);
      i += k;
    }
    return new Promise((resolve, reject) => {
      let left = runs.length;
      let failed = false;
      const done = (err: Error | null): void => {
        if (failed) return;
        if (err) {
          failed = true;
          reject(err);
        } else if (--left === 0) resolve(out);
      };
      try {
        for (const [shard, index, slot, count] of runs) {
          let fd = fds.get(shard);
          if (fd === undefined) fds.set(shard, (fd = openSync(this.shardPath(shard), 'r')));
          const into = out.subarray(slot * vb, (slot + count) * vb); // (count, T, H, W, C)
          readFully(fd, into, this.videoOffset(shard) + index * vb, this.shardPath(shard), done);
        }
      } catch (err) {
        done(err as Error);
      }
    });
  }

  /** The batch record and its (B, C, T, H, W) float tensor from the batch's uint8 bytes. */
  private toBatch(indices: number[], bytes: Uint8Array): Batch {
    const { frames, height, width, channels } = this.reader.manifest;
    const B = indices.length;
    const [lo, hi] = this.opts.range;
    const scale = (hi - lo) / 255;
    const C = this.opts.channels;
    const videos = T.tidy(() => {
      const u8 = T.fromBytes(bytes, 'uint8', [B, frames, height, width, channels]); // (B, T, H, W, Cs)
      let x: T.Tensor;
      if (C === channels || channels === 1) {
        const v = channels === C ? u8 : u8.expand([B, frames, height, width, C]); // (B, T, H, W, C)
        // uint8 · float scalar promotes to float32: one pass converts and scales.
        x = v.permute([0, 4, 1, 2, 3]).contiguous().mulScalar(scale); // (B, C, T, H, W)
      } else if (C === 1 && channels === 3) {
        const w = T.tensor(new Float32Array(LUMA.map((l) => l * scale)), { shape: [1, 3, 1, 1, 1] }); // (1, 3, 1, 1, 1)
        x = u8.permute([0, 4, 1, 2, 3]).toDType('float32').mul(w).sumDim(1, { keepdim: true }); // (B, 1, T, H, W)
      } else {
        throw new Error(`unreachable: ${channels} → ${C} channels passed resolveOptions`);
      }
      return lo === 0 ? x : x.addScalar_(lo);
    });
    const es = indices.map((i) => this.entries[i]!);
    return {
      videos,
      captions: es.map((e) => e.caption),
      buckets: Int32Array.from(es, (e) => e.bucket),
      attributes: es.map((e) => e.attributes),
      ids: es.map((e) => e.id),
      indices,
    };
  }

  private shardPath(k: number): string {
    return join(this.reader.dir, this.reader.manifest.shards[k]!.file);
  }

  /** Where shard k's "videos" tensor starts in its file; checks it is U8 of the manifest's shape. */
  private videoOffset(k: number): number {
    let at = this.shardOffsets.get(k);
    if (at !== undefined) return at;
    const m = this.reader.manifest;
    const path = this.shardPath(k);
    using f = SafetensorsFile.open(path);
    const want = [m.shards[k]!.count, m.frames, m.height, m.width, m.channels];
    const e = f.has(SHARD_TENSOR) ? f.entry(SHARD_TENSOR) : undefined;
    if (!e || e.dtype !== 'U8' || e.shape.join(',') !== want.join(',')) {
      const got = e ? `${e.dtype} (${e.shape.join(', ')})` : `no "${SHARD_TENSOR}" tensor`;
      throw new DatasetError(`shard '${path}' holds ${got} but the manifest expects U8 (${want.join(', ')}); the shard does not belong to this manifest: build the data set again`);
    }
    at = f.dataStart + e.begin;
    this.shardOffsets.set(k, at);
    return at;
  }
}

/** Fill defaults and check every option; errors name the option and what it accepts. */
function resolveOptions(o: DataLoaderOptions, stored: number): Resolved {
  const posInt = (v: number, what: string, min: number): void => {
    if (!(Number.isInteger(v) && v >= min)) throw new RangeError(`DataLoader: ${what} must be an integer ≥ ${min}, got ${v}`);
  };
  posInt(o.batchSize, 'batchSize', 1);
  if (o.perBucket !== undefined) posInt(o.perBucket, 'perBucket', 1);
  const shuffle = o.shuffle ?? true;
  const sampler = o.sampler ?? (shuffle ? 'random' : 'sequential');
  if (!SAMPLER_KINDS.includes(sampler)) throw new RangeError(`DataLoader: sampler must be one of ${SAMPLER_KINDS.join(', ')}, got '${String(sampler)}'`);
  if ((sampler === 'sequential') === shuffle && o.shuffle !== undefined && o.sampler !== undefined) {
    throw new RangeError(`DataLoader: shuffle: ${shuffle} contradicts sampler '${sampler}' (only 'sequential' does not shuffle); pass one of the two`);
  }
  const range = o.range ?? [0, 1];
  if (!(range.length === 2 && Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[0] < range[1])) {
    throw new RangeError(`DataLoader: range must be [lo, hi] with finite lo < hi, got [${range.join(', ')}]`);
  }
  const channels = o.channels ?? stored;
  if (channels !== 1 && channels !== 3) throw new RangeError(`DataLoader: channels must be 1 or 3, got ${channels}`);
  if (channels !== stored && stored !== 1 && stored !== 3) {
    throw new RangeError(`DataLoader: cannot convert ${stored}-channel videos to ${channels} channels (only gray ↔ RGB); leave channels unset to get the stored ${stored}`);
  }
  const prefetch = o.prefetch ?? 2;
  posInt(prefetch, 'prefetch', 0);
  return { sampler, range: [range[0], range[1]], channels, prefetch };
}

/** Fill `out` from `fd` at `position` (asynchronous, looping over short reads), then call `done`. */
function readFully(fd: number, out: Uint8Array, position: number, path: string, done: (err: Error | null) => void): void {
  const step = (filled: number): void => {
    if (filled === out.length) return done(null);
    read(fd, out, filled, out.length - filled, position + filled, (err, bytesRead) => {
      if (err) done(err);
      else if (bytesRead === 0) done(new DatasetError(`'${path}' ended ${out.length - filled} bytes early at offset ${position + filled}; the shard is truncated: build the data set again`));
      else step(filled + bytesRead);
    });
  };
  step(0);
}
