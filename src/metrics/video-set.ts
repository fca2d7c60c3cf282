/**
 * The videos `t2v eval` scores, with their prompts, and the reference (real) sets.
 *
 * - A folder of video files (.mp4/.gif/.webm/.avi/... via ffmpeg, .npy uint8 (T, H, W, C) or
 *   (T, H, W)), taken in file-name order (code-point order, as `LC_ALL=C ls`). A file that cannot
 *   be read is skipped and reported; the run stops only when no video is left.
 * - Prompts for a folder: a `.json` file mapping file name → caption (a value may also be an
 *   object with a `caption` field, as `t2v data export` writes), or a text file with one caption
 *   per line in file-name order.
 * - A t2vlab dataset folder (it has manifest.json) passed as the videos: one split with its own
 *   captions — the real-video ceiling of every metric.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { DatasetReader, MANIFEST_FILE, SPLITS, isDatasetDir, type Split } from '../data/format.js';
import { VIDEO_EXTENSIONS, readVideoFile } from '../media/ffmpeg.js';
import type { VideoU8 } from '../media/video.js';
import { MetricInputError, type EvalVideo, type ReferenceSet } from './types.js';

/** A file that could not be read, and why. */
export interface SkippedFile {
  file: string;
  error: string;
}

/** The videos under evaluation. */
export interface VideoSet {
  /** e.g. 'samples/' or '/data/single:test'. */
  name: string;
  kind: 'folder' | 'dataset';
  videos: EvalVideo[];
  skipped: SkippedFile[];
}

export interface LoadVideoSetOptions {
  /** A folder of video files, or a t2vlab dataset folder. */
  videos: string;
  /** Prompt file (required for a folder of files; not used with a dataset folder). */
  prompts?: string;
  /** Split of a dataset folder; default 'test'. */
  split?: Split;
  /** Progress and warnings. */
  log?: (message: string) => void;
}

/** The video files of a folder (by extension), sorted by file name. */
export function listVideoFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new MetricInputError(`videos folder '${dir}' does not exist or is not a folder; pass the folder holding the generated videos`);
  }
  return readdirSync(dir)
    .filter((n) => VIDEO_EXTENSIONS.includes(extname(n).toLowerCase()) && statSync(join(dir, n)).isFile())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A dataset split as EvalVideos (ids = dataset ids, prompts = captions). */
function datasetVideos(dir: string, split: Split): { name: string; videos: EvalVideo[] } {
  if (!SPLITS.includes(split)) throw new MetricInputError(`split must be one of ${SPLITS.join(', ')}, got '${String(split)}'`);
  const reader = DatasetReader.open(dir);
  try {
    const m = reader.manifest;
    const channels = m.channels === 1 ? 1 : 3;
    if (m.channels !== 1 && m.channels !== 3) throw new MetricInputError(`dataset '${dir}' has ${m.channels} channels; only 1 or 3 can be evaluated`);
    const videos = reader.videos(split).map((e): EvalVideo => {
      const video: VideoU8 = { frames: m.frames, height: m.height, width: m.width, channels, data: reader.read(e) }; // (T, H, W, C)
      return { id: e.id, prompt: e.caption, video };
    });
    if (videos.length === 0) throw new MetricInputError(`dataset '${dir}' has no ${split} videos; choose another split (it has ${SPLITS.map((s) => `${s} ${m.splits[s]}`).join(', ')})`);
    return { name: `${dir}:${split}`, videos };
  } finally {
    reader.close();
  }
}

/** The prompts of `files` (file names, in order) from a prompt file; see the module comment. */
export function readPrompts(path: string, files: readonly string[]): string[] {
  if (!existsSync(path)) throw new MetricInputError(`prompt file '${path}' does not exist; pass --prompts FILE (.json or one caption per line)`);
  const text = readFileSync(path, 'utf8');
  if (extname(path).toLowerCase() === '.json') return jsonPrompts(path, text, files);
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  if (lines.length !== files.length) {
    throw new MetricInputError(`prompt file '${path}' has ${lines.length} line(s) but the folder has ${files.length} video file(s); ` +
      'give one caption per line in file-name order, or a .json file mapping file name to caption');
  }
  const empty = lines.findIndex((l) => l.trim() === '');
  if (empty >= 0) throw new MetricInputError(`prompt file '${path}': line ${empty + 1} (for ${files[empty]}) is empty; every video needs a caption`);
  return lines.map((l) => l.trim());
}

function jsonPrompts(path: string, text: string, files: readonly string[]): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new MetricInputError(`prompt file '${path}' is not valid JSON (${(err as Error).message}); it must map file name to caption`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new MetricInputError(`prompt file '${path}' must be a JSON object mapping file name to caption, e.g. {"000.mp4": "a red ball rolls"}`);
  }
  const map = raw as Record<string, unknown>;
  const captionOf = (file: string): string | undefined => {
    const v = Object.hasOwn(map, file) ? map[file] : map[basename(file, extname(file))];
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null && typeof (v as { caption?: unknown }).caption === 'string') return (v as { caption: string }).caption;
    return undefined;
  };
  const prompts = files.map(captionOf);
  const missing = files.filter((_, i) => prompts[i] === undefined || prompts[i]!.trim() === '');
  if (missing.length > 0) {
    throw new MetricInputError(`prompt file '${path}' has no caption for ${missing.length} video file(s): ${missing.slice(0, 5).join(', ')}` +
      `${missing.length > 5 ? ', ...' : ''}; add "<file name>": "<caption>" entries`);
  }
  return prompts as string[];
}

/** Read every file of a folder; unreadable ones go to `skipped`. */
async function folderVideos(dir: string, prompts: string, log?: (m: string) => void): Promise<VideoSet> {
  const files = listVideoFiles(dir);
  if (files.length === 0) {
    throw new MetricInputError(`videos folder '${dir}' holds no video files (${VIDEO_EXTENSIONS.join(', ')}); pass the folder of generated videos`);
  }
  const captions = readPrompts(prompts, files);
  const videos: EvalVideo[] = [];
  const skipped: SkippedFile[] = [];
  for (const [i, file] of files.entries()) {
    try {
      const video = await readVideoFile(join(dir, file));
      if (video.frames < 1) throw new Error('the video has no frames');
      videos.push({ id: file, prompt: captions[i]!, video });
    } catch (err) {
      const error = (err as Error).message;
      skipped.push({ file, error });
      log?.(`skipping ${file}: ${error.split('\n')[0]}`);
    }
  }
  if (videos.length === 0) {
    throw new MetricInputError(`none of the ${files.length} video file(s) in '${dir}' could be read; first error: ${skipped[0]!.file}: ${skipped[0]!.error}`);
  }
  return { name: dir, kind: 'folder', videos, skipped };
}

/**
 * Load the videos to evaluate: a dataset folder's split (its captions are the prompts), or a
 * folder of video files with a prompt file.
 */
export async function loadVideoSet(opts: LoadVideoSetOptions): Promise<VideoSet> {
  if (isDatasetDir(opts.videos)) {
    if (opts.prompts !== undefined) {
      throw new MetricInputError(`'${opts.videos}' is a dataset folder: its captions are the prompts; drop --prompts`);
    }
    const { name, videos } = datasetVideos(opts.videos, opts.split ?? 'test');
    return { name, kind: 'dataset', videos, skipped: [] };
  }
  if (opts.prompts === undefined) {
    throw new MetricInputError(`pass --prompts FILE with the captions of the videos in '${opts.videos}' (.json mapping file name to caption, or one caption per line in file-name order)`);
  }
  return folderVideos(opts.videos, opts.prompts, opts.log);
}

/** The real videos of a dataset split, for the metrics that compare with them (FVD, B-PSNR, ...). */
export function loadReferenceSet(datasetDir: string, split: Split = 'test'): ReferenceSet {
  if (!isDatasetDir(datasetDir)) {
    throw new MetricInputError(`--reference '${datasetDir}' is not a t2vlab dataset folder (no ${MANIFEST_FILE}, or one of another tool); pass the data set the model was trained on`);
  }
  return datasetVideos(datasetDir, split);
}
