/**
 * SyncDraw-MM: captioned moving digits (paper Section 4.1, Table A.1). Each video shows one or two
 * digits, each moving "up and down" or "left and right" and bouncing off the borders, with one
 * caption per video, e.g. "digit 6 is moving up and down". Clips are 16 frames of 64×64, one
 * channel; the paper's split is 10000 / 2000 / 2000 train / val / test, and single-digit captions
 * form 10 digits × 2 motions = 20 buckets.
 *
 * Presets:
 *   single  one digit per video (20 captions)
 *   double  two different digits, "digit 3 is moving left and right and digit 7 is moving up and
 *           down" (10·2·9·2 = 360 captions); overlapping ink combines with max
 *   mixed   each video is single or double by a fair seeded coin
 *
 * Determinism: video i of a split is a pure function of (params, split, i) — its random stream is
 * `Rng.fromSeed(seed).fork(split).fork(i)` — so the same parameters always give byte-identical
 * folders, and a different seed gives different videos.
 *
 * Rendering is cheap: each digit's 28×28 glyph is drawn once per video (procedurally, or copied
 * from MNIST with `mnistDir`) and then blitted at whole-pixel positions in every frame.
 */
import { DatasetWriter, SPLITS, type DatasetManifest, type Split, type VideoMeta } from '../format.js';
import { GLYPH_PARAMS, GLYPH_SIZE, renderGlyph } from './glyphs.js';
import { loadMnist, mnistGlyph, type MnistSet } from './mnist.js';
import { DEFAULT_SPEED, MOTIONS, sampleMotion, trajectory, type Motion, type MotionParams } from './motion.js';
import { Rng } from './rng.js';

export const SYNCDRAW_NAME = 'syncdraw-mm';
/** Bump when the bytes produced for the same parameters change. */
export const SYNCDRAW_VERSION = '1.0.0';

export type Preset = 'single' | 'double' | 'mixed';
export const PRESETS: readonly Preset[] = ['single', 'double', 'mixed'];

/** Paper Table A.1 split sizes. */
export const DEFAULT_SPLITS: Readonly<Record<Split, number>> = { train: 10000, val: 2000, test: 2000 };

export interface SyncDrawOptions {
  /** Output dataset folder. */
  out: string;
  preset?: Preset; // default 'single'
  splits?: Partial<Record<Split, number>>; // default 10000 / 2000 / 2000
  frames?: number; // default 16
  size?: number; // canvas side, default 64
  seed?: number; // default 0
  /** Folder with MNIST idx files; train split uses MNIST train digits, val/test use MNIST test digits. */
  mnistDir?: string;
  /** |velocity| range in px/frame, default [2, 5]. */
  speed?: [number, number];
  shardSize?: number; // videos per shard file, default 1000
  /** Called every few hundred videos and once at the end. */
  onProgress?: (done: number, total: number) => void;
}

/** The resolved parameters; recorded verbatim as the manifest's `generator.params`. */
export interface SyncDrawParams {
  preset: Preset;
  splits: Record<Split, number>;
  frames: number;
  size: number;
  seed: number;
  glyphs: 'procedural' | 'mnist';
  mnistDir?: string;
  speed: [number, number];
  glyphSize: number;
}

/** Per-video attributes written to the manifest (`preset` is this video's kind). */
export interface SyncDrawAttributes {
  preset: 'single' | 'double';
  digits: number[];
  motions: Motion[];
  /** Top-left corner [x, y] of each digit's 28×28 glyph box at frame 0. */
  starts: [number, number][];
  /** [vx, vy] in px/frame per digit. */
  velocities: [number, number][];
}

/** Fill defaults and check every option; errors name the option and the accepted values. */
export function resolveSyncDrawParams(opts: Omit<SyncDrawOptions, 'out' | 'onProgress' | 'shardSize'>): SyncDrawParams {
  const preset = opts.preset ?? 'single';
  if (!PRESETS.includes(preset)) throw new RangeError(`preset must be one of ${PRESETS.join(', ')}, got '${String(preset)}'`);
  const splits = { ...DEFAULT_SPLITS, ...opts.splits };
  for (const s of SPLITS) {
    if (!(Number.isInteger(splits[s]) && splits[s] >= 0)) throw new RangeError(`${s} split size must be an integer ≥ 0, got ${splits[s]}`);
  }
  if (splits.train + splits.val + splits.test === 0) throw new RangeError('all split sizes are 0: ask for at least one video');
  const frames = opts.frames ?? 16;
  if (!(Number.isInteger(frames) && frames >= 2)) throw new RangeError(`frames must be an integer ≥ 2, got ${frames}`);
  const size = opts.size ?? 64;
  if (!(Number.isInteger(size) && size >= GLYPH_SIZE + 4)) {
    throw new RangeError(`size must be an integer ≥ ${GLYPH_SIZE + 4} (a ${GLYPH_SIZE}-px digit must have room to move), got ${size}`);
  }
  const seed = opts.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const speed: [number, number] = opts.speed ? [opts.speed[0], opts.speed[1]] : [DEFAULT_SPEED[0], DEFAULT_SPEED[1]];
  if (!(speed[0] > 0 && speed[1] >= speed[0])) throw new RangeError(`speed range must satisfy 0 < min ≤ max, got [${speed.join(', ')}]`);
  const p: SyncDrawParams = { preset, splits, frames, size, seed, glyphs: opts.mnistDir ? 'mnist' : 'procedural', speed, glyphSize: GLYPH_SIZE };
  if (opts.mnistDir) p.mnistDir = opts.mnistDir;
  return p;
}

/** Where a video's digit images come from: the procedural renderer or MNIST (per split). */
interface GlyphSource {
  /** Fill `out` (28×28) with an instance of `digit`; returns a provenance string or undefined. */
  draw(digit: number, split: Split, rng: Rng, out: Uint8Array): string | undefined;
}

const proceduralGlyphs: GlyphSource = {
  draw(digit, _split, rng, out) {
    renderGlyph(digit, rng, out);
    return undefined;
  },
};

/**
 * MNIST glyphs: train split from the MNIST training set, val/test from the MNIST test set. The
 * parts the splits need are loaded up front, so bad files fail before any output is written.
 */
function mnistGlyphs(dir: string, splits: Record<Split, number>): GlyphSource {
  const parts: Partial<Record<'train' | 'test', MnistSet>> = {};
  if (splits.train > 0) parts.train = loadMnist(dir, 'train');
  if (splits.val + splits.test > 0) parts.test = loadMnist(dir, 'test');
  return {
    draw(digit, split, rng, out) {
      const part = split === 'train' ? 'train' : 'test';
      const set = (parts[part] ??= loadMnist(dir, part));
      const list = set.byDigit[digit]!;
      const n = list[rng.int(0, list.length)]!;
      mnistGlyph(set, n, out);
      return `mnist:${part}:${n}`;
    },
  };
}

/**
 * Renders SyncDraw-MM videos one at a time. `render(split, i, out)` fills `out` — (T, S, S, 1)
 * uint8 — with video i of `split` and returns its metadata; it depends on nothing else.
 */
export class SyncDrawRenderer {
  readonly videoBytes: number;
  private readonly root: Rng;
  private readonly glyphSource: GlyphSource;
  private readonly glyph = new Uint8Array(GLYPH_SIZE * GLYPH_SIZE); // (28, 28) uint8 scratch

  constructor(readonly params: SyncDrawParams) {
    this.videoBytes = params.frames * params.size * params.size;
    this.root = Rng.fromSeed(params.seed);
    this.glyphSource = params.mnistDir ? mnistGlyphs(params.mnistDir, params.splits) : proceduralGlyphs;
  }

  render(split: Split, i: number, out: Uint8Array): VideoMeta {
    const { preset, frames: T, size: S, speed } = this.params;
    if (out.length !== this.videoBytes) throw new RangeError(`SyncDrawRenderer.render: out must hold ${this.videoBytes} bytes, got ${out.length}`);
    // 1. the video's own stream; kind and layout
    const rng = this.root.fork(split).fork(i);
    const kind = preset === 'mixed' ? (rng.fork('kind').bool() ? 'double' : 'single') : preset;
    const layout = rng.fork('layout');
    const digits = [layout.int(0, 10)];
    if (kind === 'double') {
      const d = layout.int(0, 9); // a different digit: skip the first one
      digits.push(d >= digits[0]! ? d + 1 : d);
    }
    const max = S - GLYPH_SIZE; // largest top-left coordinate on either axis
    const motions: MotionParams[] = digits.map(() => sampleMotion(layout.pick(MOTIONS), layout, max, max, speed));

    // 2. draw each digit's glyph once, then max-blit it at its position in every frame
    out.fill(0); // (T, S, S, 1) uint8
    const sources: string[] = [];
    digits.forEach((d, k) => {
      const src = this.glyphSource.draw(d, split, rng.fork(`glyph${k}`), this.glyph);
      if (src) sources.push(src);
      const path = trajectory(motions[k]!, T, max, max); // (T, 2) int32
      for (let t = 0; t < T; t++) blitMax(out, t * S * S, S, this.glyph, path[2 * t]!, path[2 * t + 1]!);
    });

    // 3. caption and attributes
    const parts = digits.map((d, k) => `digit ${d} is moving ${motions[k]!.motion}`);
    const attributes: SyncDrawAttributes = {
      preset: kind,
      digits,
      motions: motions.map((m) => m.motion),
      starts: motions.map((m) => m.start),
      velocities: motions.map((m) => m.velocity),
    };
    const meta: VideoMeta = { id: `${split}-${String(i).padStart(5, '0')}`, caption: parts.join(' and '), split, attributes: { ...attributes } };
    if (sources.length > 0) meta.source = sources.join(',');
    return meta;
  }
}

/** Composite a (28, 28) glyph into one (S, S) frame at top-left (x, y) with max. */
function blitMax(video: Uint8Array, frameOffset: number, S: number, glyph: Uint8Array, x: number, y: number): void {
  for (let gy = 0; gy < GLYPH_SIZE; gy++) {
    const row = frameOffset + (y + gy) * S + x;
    const g = gy * GLYPH_SIZE;
    for (let gx = 0; gx < GLYPH_SIZE; gx++) {
      const v = glyph[g + gx]!;
      if (v > video[row + gx]!) video[row + gx] = v;
    }
  }
}

/**
 * Generate a SyncDraw-MM dataset folder (train, then val, then test, in index order) through
 * {@link DatasetWriter}, and return its manifest.
 *
 * @example
 * const m = await generateSyncDraw({ out: 'data/syncdraw', preset: 'single', seed: 0 });
 * m.buckets.length; // 20
 * m.splits;         // { train: 10000, val: 2000, test: 2000 }
 */
export async function generateSyncDraw(opts: SyncDrawOptions): Promise<DatasetManifest> {
  const params = resolveSyncDrawParams(opts);
  const renderer = new SyncDrawRenderer(params);
  const writer = DatasetWriter.create(opts.out, {
    name: `${SYNCDRAW_NAME}-${params.preset}`,
    frames: params.frames,
    height: params.size,
    width: params.size,
    channels: 1,
    generator: { name: SYNCDRAW_NAME, version: SYNCDRAW_VERSION, params: { ...params, ...(params.glyphs === 'procedural' ? { glyphParams: GLYPH_PARAMS } : {}) } },
    ...(opts.shardSize !== undefined ? { shardSize: opts.shardSize } : {}),
  });
  const total = params.splits.train + params.splits.val + params.splits.test;
  const video = new Uint8Array(renderer.videoBytes); // (T, S, S, 1) uint8, reused: add() copies it
  let done = 0;
  for (const split of SPLITS) {
    for (let i = 0; i < params.splits[split]; i++) {
      const meta = renderer.render(split, i, video);
      writer.add(meta, video);
      done++;
      if (opts.onProgress && done % 500 === 0 && done < total) opts.onProgress(done, total);
    }
  }
  const manifest = writer.finish();
  opts.onProgress?.(total, total);
  return manifest;
}
