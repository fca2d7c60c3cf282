/**
 * Shared pieces of the video importers (KTH, TACoS, MSR-VTT, generic folder): the import
 * parameters, the plan an importer hands to the pipeline (one job per source video), and small
 * helpers for file discovery, deterministic splits and cutting clips out of decoded frames.
 *
 * Frame numbering: a job's video is decoded at a stride, so decoded frame i is source frame
 * i * stride (0-based). Annotation files count source frames from 1, end inclusive (as KTH's
 * 00sequences.txt); {@link sourceRangeToDecoded} converts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { Split, VideoMeta } from '../format.js';
import { VIDEO_EXTENSIONS } from '../../media/ffmpeg.js';
import { sliceFrames, type VideoU8 } from '../../media/video.js';

/** A problem with the importer's inputs (missing file, bad column); reported before any decoding. */
export class ImportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportInputError';
  }
}

/** How clips are sampled and stored; part of every cache key. */
export interface ImportParams {
  /** Frames per clip (T). */
  frames: number;
  /** Clip height = width (pixels). */
  size: number;
  /** Keep every stride-th source frame. */
  stride: number;
  /** Decoded frames between the starts of consecutive clips of one segment (>= 1; = frames: no overlap). */
  hop: number;
  channels: 1 | 3;
  /** Scaler used when shrinking: 'area' or 'bilinear'. */
  filter: 'area' | 'bilinear';
}

/** Where in a file (or segment) a single clip is taken from. */
export type ClipAt = 'start' | 'center';

/** Everything an importer's planner may read. */
export interface PlanOptions {
  src: string;
  params: ImportParams;
  captions?: string;
  annotations?: string;
  /** Seed of the hashed split assignment (sources without a given split). */
  splitSeed: number;
  clipAt?: ClipAt;
  /** MSR-VTT: one entry with the first caption ('first') or one entry per caption ('all'). */
  captionsPerVideo?: 'first' | 'all';
}

/** One clip cut from a job's decoded video. */
export interface Clip {
  meta: VideoMeta;
  video: VideoU8; // (T, H, W, C) uint8, T = params.frames
}

/** What a job's `cut` returns: the clips and how many candidate clips it dropped, and why. */
export interface CutResult {
  clips: Clip[];
  dropped: Record<string, number>;
}

/** One source video: the pipeline decodes `file` (at the stride and size), then calls `cut`. */
export interface SourceJob {
  /** Unique among the plan's jobs; used in cache file names. */
  key: string;
  /** Path of the source video (the cache key uses its absolute form). */
  file: string;
  /** True when `cut` needs the source frame rate (times given in seconds). */
  needsFps?: boolean;
  /** Everything besides the file and the params that the clips depend on (captions, segments). */
  fingerprint: unknown;
  /** Turn the decoded video, (N, H, W, C) uint8 at the stride, into clips. */
  cut(video: VideoU8, fps: number): CutResult;
}

/** An importer's plan: the data set name, generator record, jobs, and notes for the summary. */
export interface ImportPlan {
  name: string;
  generator: { name: string; version: string; params: Record<string, unknown> };
  jobs: SourceJob[];
  /** Source files the annotations name but the folder lacks (counted, not fatal). */
  missing: string[];
  notes: string[];
}

/** Version of the importers' clip cutting; bump it to invalidate old caches. */
export const IMPORTER_VERSION = '1';

/** Throw an {@link ImportInputError} unless `dir` is an existing folder. */
export function requireDir(dir: string, flag: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ImportInputError(`source folder ${dir} (${flag}) does not exist or is not a folder`);
  }
}

/** Throw an {@link ImportInputError} unless the file named by `flag` was given and exists. */
export function requireFile(path: string | undefined, what: string, flag: string, hint: string): string {
  if (!path) throw new ImportInputError(`this format needs ${what}: pass ${flag} FILE (${hint})`);
  if (!existsSync(path) || !statSync(path).isFile()) throw new ImportInputError(`${what} ${path} (${flag}) does not exist; check the path`);
  return path;
}

/** Every file under `dir` (recursively, skipping dot-folders) whose extension is in `exts`, sorted, relative. */
export function listFiles(dir: string, exts: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (exts.includes(extname(e.name).toLowerCase())) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Map every way a table may name a video (relative path, file name, stem) to its relative path. */
export function videoIndex(src: string): Map<string, string> {
  const index = new Map<string, string>();
  for (const rel of listFiles(src, VIDEO_EXTENSIONS)) {
    const norm = rel.replace(/\\/g, '/');
    for (const k of [norm, norm.split('/').pop()!, stem(norm)]) if (!index.has(k)) index.set(k, rel);
  }
  return index;
}

/** A file-name-safe key: path separators and odd characters become '_'. */
export function safeKey(name: string): string {
  return name.replace(/\.[^./\\]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Stem of a path: the file name without folder and extension. */
export function stem(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Fractions of sources going to train / val / test when no split is given. */
export type SplitRatios = Record<Split, number>;

/**
 * A deterministic split for a source: SHA-1 of `seed:key` read as a number in [0, 1), compared
 * with the cumulative ratios. The same source always lands in the same split, whatever the order
 * or number of other sources, and all clips of one source share it (no train/test leakage).
 */
export function hashedSplit(key: string, seed: number, ratios: SplitRatios): Split {
  const u = createHash('sha1').update(`${seed}:${key}`).digest().readUInt32BE(0) / 2 ** 32;
  const total = ratios.train + ratios.val + ratios.test;
  if (u < ratios.train / total) return 'train';
  if (u < (ratios.train + ratios.val) / total) return 'val';
  return 'test';
}

/** Parse a split name as written in annotation files ('validate'/'validation' mean val). */
export function parseSplit(raw: string): Split | undefined {
  const s = raw.trim().toLowerCase();
  if (s === 'train' || s === 'training') return 'train';
  if (s === 'val' || s === 'valid' || s === 'validate' || s === 'validation') return 'val';
  if (s === 'test' || s === 'testing') return 'test';
  return undefined;
}

/** Decoded-frame range [first, last] (inclusive) of source frames `startFrame..endFrame` (1-based, inclusive). */
export function sourceRangeToDecoded(startFrame: number, endFrame: number, stride: number, decoded: number): [number, number] {
  const first = Math.max(0, Math.ceil((startFrame - 1) / stride));
  const last = Math.min(decoded - 1, Math.floor((endFrame - 1) / stride));
  return [first, last];
}

/** Starts of clips of `frames` frames inside [first, last], `hop` apart, starting at `first`. */
export function clipStarts(first: number, last: number, frames: number, hop: number): number[] {
  const starts: number[] = [];
  for (let s = first; s + frames - 1 <= last; s += Math.max(1, hop)) starts.push(s);
  return starts;
}

/** Start of one clip inside [first, last]: at `first` or centred; undefined when it does not fit. */
export function singleClipStart(first: number, last: number, frames: number, at: ClipAt): number | undefined {
  const room = last - first + 1 - frames;
  if (room < 0) return undefined;
  return at === 'start' ? first : first + Math.floor(room / 2);
}

/** Copy `frames` decoded frames starting at `start` out of a job's video. */
export function takeClip(video: VideoU8, start: number, frames: number): VideoU8 {
  return sliceFrames(video, start, frames); // (T, H, W, C) uint8
}

/** Add `n` to `counts[reason]`. */
export function countDrop(counts: Record<string, number>, reason: string, n = 1): void {
  if (n > 0) counts[reason] = (counts[reason] ?? 0) + n;
}
