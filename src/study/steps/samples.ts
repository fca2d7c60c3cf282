/**
 * The sample folder of a method and seed (`<run>/samples/`), written by every sampling step and
 * read back by its evaluation:
 *
 *   p<ii>-s<j>.npy   sample j of prompt ii: uint8 (T, H, W, C) (`t2v eval --videos` reads it)
 *   prompts.json     { "<file>": "<caption>" } (`t2v eval --prompts`)
 *   samples.json     the index: prompts in order, samples per prompt, each file's prompt and sample
 *   grid.gif         looping grid: rows = the grid prompts, columns = the first samples
 *
 * Prompts are every distinct test caption (sorted); sample 0 of each is the one-per-caption set
 * (grids, `t2v generate`'s default); every metric is computed on all k samples (steps/evaluate.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../io/atomic.js';
import { readNpy, writeNpy } from '../../io/npy.js';
import { writeGif } from '../../media/gif.js';
import { videoGrid } from '../../media/grid.js';
import type { VideoU8 } from '../../media/video.js';
import type { EvalVideo } from '../../metrics/types.js';
import type { DatasetManifest } from '../../data/format.js';

export const SAMPLES_INDEX = 'samples.json';
export const SAMPLES_PROMPTS = 'prompts.json';
export const SAMPLES_GRID = 'grid.gif';
/** Samples of each prompt shown side by side in the grid. */
export const GRID_COLUMNS = 2;

export interface SampleEntry {
  file: string;
  prompt: string;
  promptIndex: number;
  sample: number;
  /** Where a real video came from (the reference: 'val' or 'test'); absent for generated ones. */
  source?: string;
}

export interface SamplesIndex {
  format: 't2vlab-study-samples';
  version: 1;
  method: string;
  seed: number;
  prompts: string[];
  /** k: samples asked per prompt (the reference may have fewer real videos of a caption). */
  perPrompt: number;
  gridPrompts: string[];
  files: SampleEntry[];
  /** Seconds spent generating (model loading excluded). */
  generationSeconds: number;
}

/** Every distinct caption of the test split, sorted (the study's prompts). */
export function testPrompts(m: DatasetManifest): string[] {
  const caps = [...new Set(m.videos.filter((v) => v.split === 'test').map((v) => v.caption))].sort();
  if (caps.length === 0) throw new Error(`data set '${m.name}' has no test videos; the study needs a test split (its captions are the prompts)`);
  return caps;
}

/** `n` prompts spread evenly over the sorted list (all of them when there are fewer). */
export function gridPrompts(prompts: readonly string[], n: number): string[] {
  if (prompts.length <= n) return [...prompts];
  return Array.from({ length: n }, (_, i) => prompts[Math.floor((i * prompts.length) / n)]!);
}

export const sampleFile = (promptIndex: number, sample: number): string => `p${String(promptIndex).padStart(3, '0')}-s${sample}.npy`;

/**
 * Write `videos[i]` for prompt `groups[i].promptIndex`, sample `groups[i].sample`, the index,
 * prompts.json and the grid GIF into `dir`; returns the index.
 */
export function writeSamples(dir: string, meta: Omit<SamplesIndex, 'format' | 'version' | 'files'>, videos: readonly VideoU8[], which: readonly { promptIndex: number; sample: number; source?: string }[]): SamplesIndex {
  if (videos.length !== which.length) throw new Error(`writeSamples: ${videos.length} videos for ${which.length} (prompt, sample) pairs`);
  const files: SampleEntry[] = which.map((w, i) => {
    const v = videos[i]!;
    const file = sampleFile(w.promptIndex, w.sample);
    writeNpy(join(dir, file), { dtype: 'u1', shape: [v.frames, v.height, v.width, v.channels], data: v.data });
    return { file, prompt: meta.prompts[w.promptIndex]!, promptIndex: w.promptIndex, sample: w.sample, ...(w.source !== undefined ? { source: w.source } : {}) };
  });
  const byKey = new Map(files.map((f, i) => [`${f.promptIndex}/${f.sample}`, videos[i]!]));
  const rows = meta.gridPrompts.map((p) => {
    const pi = meta.prompts.indexOf(p);
    return Array.from({ length: GRID_COLUMNS }, (_, s) => byKey.get(`${pi}/${s}`)).filter((v): v is VideoU8 => v !== undefined);
  }).filter((r) => r.length > 0);
  if (rows.length > 0) writeGif(join(dir, SAMPLES_GRID), videoGrid(rows), { fps: 8 });
  const index: SamplesIndex = { format: 't2vlab-study-samples', version: 1, ...meta, files };
  writeJsonAtomic(join(dir, SAMPLES_PROMPTS), Object.fromEntries(files.map((f) => [f.file, f.prompt])));
  writeJsonAtomic(join(dir, SAMPLES_INDEX), index);
  return index;
}

/** The (prompt, sample) pairs of k samples per prompt, prompt-major. */
export function promptMajor(prompts: number, k: number): { promptIndex: number; sample: number }[] {
  return Array.from({ length: prompts * k }, (_, i) => ({ promptIndex: Math.floor(i / k), sample: i % k }));
}

export interface LoadedSamples {
  index: SamplesIndex;
  /** Sample 0 of each prompt. */
  primary: EvalVideo[];
  /** Every sample. */
  all: EvalVideo[];
}

/** Read a sample folder back (ids = file names). */
export function readSamples(dir: string): LoadedSamples {
  const file = join(dir, SAMPLES_INDEX);
  if (!existsSync(file)) throw new Error(`'${dir}' holds no samples (${SAMPLES_INDEX} is missing); run the study again to regenerate them`);
  const index = JSON.parse(readFileSync(file, 'utf8')) as SamplesIndex;
  const all = index.files.map((f): EvalVideo => {
    const a = readNpy(join(dir, f.file));
    if (a.dtype !== 'u1' || a.shape.length !== 4) throw new Error(`'${join(dir, f.file)}' must hold uint8 (T, H, W, C), got ${a.dtype} [${a.shape.join(', ')}]`);
    const [frames, height, width, channels] = a.shape as [number, number, number, number];
    if (channels !== 1 && channels !== 3) throw new Error(`'${join(dir, f.file)}' has ${channels} channels; expected 1 or 3`);
    return { id: f.file, prompt: f.prompt, video: { frames, height, width, channels, data: a.data } };
  });
  const primary = all.filter((_, i) => index.files[i]!.sample === 0);
  return { index, primary, all };
}
