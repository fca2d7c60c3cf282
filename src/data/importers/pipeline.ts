/**
 * The import pipeline shared by every format: decode each source video once (in parallel child
 * ffmpeg processes), cut it into clips, cache the clips, then pack every cached clip into a
 * dataset folder.
 *
 *   OUT/.import-cache/<job>-<hash>.npy    (N, T, H, W, C) uint8: the job's N clips
 *   OUT/.import-cache/<job>-<hash>.json   their metadata; written last, so it marks the entry done
 *
 * The hash covers the file (path, size, mtime), the import params and the job's fingerprint
 * (captions, segments), so a re-run decodes only sources that are new or changed: an interrupted
 * import resumes where it stopped. A source that fails to decode is named in a warning, counted
 * and left out; it never aborts the import.
 *
 * Packing writes the dataset into OUT/.import-cache/pack with {@link DatasetWriter}, then moves
 * the shards and (last) manifest.json up into OUT, replacing any previous import's files.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { writeJsonAtomic } from '../../io/atomic.js';
import { readNpy, writeNpy } from '../../io/npy.js';
import { decodeVideo, probeVideo, readVideoFile } from '../../media/ffmpeg.js';
import { resizeCropVideo, sliceFrames, withChannels, type VideoU8 } from '../../media/video.js';
import { DatasetWriter, MANIFEST_FILE, SPLITS, type DatasetManifest, type Split, type VideoMeta } from '../format.js';
import { IMPORTER_VERSION, ImportInputError, type ImportParams, type ImportPlan, type SourceJob } from './common.js';
import { Progress, type ProgressSink } from './progress.js';

/** Folder (inside the output folder) holding decoded clips between runs. */
export const CACHE_DIR = '.import-cache';

/** How the pipeline runs. */
export interface RunOptions {
  out: string;
  params: ImportParams;
  /** Concurrent decodes (child ffmpeg processes). */
  jobs: number;
  /** Progress bar and warnings; undefined = silent. */
  progress?: ProgressSink;
}

/** What an import did; `decoded` = 0 on a re-run of a finished import. */
export interface ImportSummary {
  out: string;
  sources: number;
  /** Sources decoded in this run. */
  decoded: number;
  /** Sources whose clips came from the cache. */
  cached: number;
  /** Sources that failed to decode: file and the first line of the error. */
  failed: { file: string; error: string }[];
  /** Files the annotations name that the source folder lacks. */
  missing: string[];
  clips: number;
  splits: Record<Split, number>;
  buckets: number;
  /** Candidate clips left out, by reason (too short, no motion, ...). */
  dropped: Record<string, number>;
  notes: string[];
  seconds: number;
}

/** The metadata half of a cache entry. */
interface CacheEntry {
  version: string;
  file: string;
  clips: VideoMeta[];
  dropped: Record<string, number>;
  shape: number[];
}

/** Cache file stem of a job: key plus a hash of everything its clips depend on. */
function cacheStem(job: SourceJob, params: ImportParams): string {
  const st = statSync(job.file);
  const h = createHash('sha1')
    .update(JSON.stringify({ v: IMPORTER_VERSION, file: resolve(job.file), size: st.size, mtime: st.mtimeMs, params, fp: job.fingerprint }))
    .digest('hex')
    .slice(0, 12);
  return `${job.key}-${h}`;
}

/** Decode a source at the stride, resized and cropped to the clip size. `.npy` sources are resized here. */
async function decodeSource(file: string, p: ImportParams): Promise<VideoU8> {
  if (extname(file).toLowerCase() === '.npy') {
    const v = await readVideoFile(file);
    const strided = sliceFrames(v, 0, Math.ceil(v.frames / p.stride), p.stride);
    return withChannels(resizeCropVideo(strided, p.size, p.size, p.filter), p.channels); // (N, S, S, C)
  }
  return decodeVideo(file, { stride: p.stride, size: { height: p.size, width: p.size }, channels: p.channels, filter: p.filter });
}

/** Decode, cut and cache one job. */
async function processJob(job: SourceJob, stem: string, cacheDir: string, p: ImportParams): Promise<CacheEntry> {
  const fps = job.needsFps ? (await probeVideo(job.file)).fps : NaN;
  const video = await decodeSource(job.file, p);
  const { clips, dropped } = job.cut(video, fps);
  const shape = [clips.length, p.frames, p.size, p.size, p.channels];
  if (clips.length > 0) {
    const per = p.frames * p.size * p.size * p.channels;
    const data = new Uint8Array(clips.length * per); // (N, T, H, W, C) uint8
    clips.forEach((c, i) => data.set(c.video.data, i * per));
    writeNpy(join(cacheDir, `${stem}.npy`), { dtype: 'u1', shape, data });
  }
  const entry: CacheEntry = { version: IMPORTER_VERSION, file: job.file, clips: clips.map((c) => c.meta), dropped, shape };
  writeJsonAtomic(join(cacheDir, `${stem}.json`), entry);
  return entry;
}

/** A cached entry, or undefined when absent or unreadable (then the job runs again). */
function readCached(cacheDir: string, stem: string): CacheEntry | undefined {
  const path = join(cacheDir, `${stem}.json`);
  if (!existsSync(path)) return undefined;
  try {
    const e = JSON.parse(readFileSync(path, 'utf8')) as CacheEntry;
    if (e.version !== IMPORTER_VERSION || !Array.isArray(e.clips)) return undefined;
    if (e.clips.length > 0 && !existsSync(join(cacheDir, `${stem}.npy`))) return undefined;
    return e;
  } catch {
    return undefined;
  }
}

/** Run `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Move the packed dataset from `staging` into `out`: old manifest out first, new manifest in last. */
function publish(staging: string, out: string, m: DatasetManifest): void {
  const oldManifest = join(out, MANIFEST_FILE);
  if (existsSync(oldManifest)) unlinkSync(oldManifest);
  for (const n of readdirSync(out)) if (/^shard-\d{5,}\.safetensors/.test(n)) unlinkSync(join(out, n));
  for (const s of m.shards) renameSync(join(staging, s.file), join(out, s.file));
  renameSync(join(staging, MANIFEST_FILE), oldManifest);
  rmSync(staging, { recursive: true, force: true });
}

/** Refuse an output folder that holds anything besides a dataset and our cache. */
function checkOutDir(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new ImportInputError(`output path ${out} (--out) exists and is not a folder; choose another path`);
  const foreign = readdirSync(out).filter((n) => n !== CACHE_DIR && !n.startsWith(MANIFEST_FILE) && !/^shard-\d{5,}\.safetensors/.test(n));
  if (foreign.length > 0) {
    throw new ImportInputError(`output folder ${out} (--out) is not empty and not a t2vlab dataset (it holds '${foreign[0]}'` +
      `${foreign.length > 1 ? ` and ${foreign.length - 1} more` : ''}); choose a new or empty folder`);
  }
}

/**
 * Run an import plan: decode/cut/cache every job (skipping cached ones), then pack the clips, in
 * plan order, into the dataset folder `opts.out`.
 */
export async function runImport(plan: ImportPlan, opts: RunOptions): Promise<ImportSummary> {
  const t0 = Date.now();
  const p = opts.params;
  checkOutDir(opts.out);
  const cacheDir = join(opts.out, CACHE_DIR);
  mkdirSync(cacheDir, { recursive: true });
  const stems = plan.jobs.map((j) => cacheStem(j, p));
  const entries: (CacheEntry | undefined)[] = new Array(plan.jobs.length);
  const failed: ImportSummary['failed'] = [];
  let decoded = 0;
  let cached = 0;
  // 1. Decode, cut and cache, `jobs` sources at a time.
  const bar = new Progress(plan.jobs.length, `import ${plan.name}`, opts.progress);
  await pool(plan.jobs, opts.jobs, async (job, i) => {
    const hit = readCached(cacheDir, stems[i]!);
    if (hit) {
      entries[i] = hit;
      cached++;
    } else {
      try {
        entries[i] = await processJob(job, stems[i]!, cacheDir, p);
        decoded++;
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        failed.push({ file: job.file, error: msg.split('\n')[0]! });
        bar.warn(`warning: skipping ${job.file}: ${msg.replace(/\n/g, '\n  ')}`);
      }
    }
    bar.tick(failed.length ? `${failed.length} failed` : '');
  });
  bar.end();
  // 2. Pack every cached clip into a staging dataset, then move it into place.
  const staging = join(cacheDir, 'pack');
  rmSync(staging, { recursive: true, force: true });
  const writer = DatasetWriter.create(staging, {
    name: plan.name, frames: p.frames, height: p.size, width: p.size, channels: p.channels, generator: plan.generator,
  });
  const dropped: Record<string, number> = {};
  entries.forEach((e, i) => {
    if (!e) return;
    for (const [k, n] of Object.entries(e.dropped)) dropped[k] = (dropped[k] ?? 0) + n;
    if (e.clips.length === 0) return;
    const arr = readNpy(join(cacheDir, `${stems[i]}.npy`)); // (N, T, H, W, C) uint8
    const per = p.frames * p.size * p.size * p.channels;
    if (arr.dtype !== 'u1' || arr.data.length !== e.clips.length * per) {
      throw new Error(`import cache entry ${join(cacheDir, stems[i]!)}.npy does not match its .json; delete ${cacheDir} and import again`);
    }
    e.clips.forEach((meta, k) => writer.add(meta, arr.data.subarray(k * per, (k + 1) * per)));
  });
  const manifest = writer.finish();
  publish(staging, opts.out, manifest);
  failed.sort((a, b) => a.file.localeCompare(b.file));
  const splits = Object.fromEntries(SPLITS.map((s) => [s, manifest.splits[s]])) as Record<Split, number>;
  return {
    out: opts.out, sources: plan.jobs.length, decoded, cached, failed, missing: plan.missing,
    clips: manifest.videos.length, splits, buckets: manifest.buckets.length, dropped, notes: plan.notes,
    seconds: (Date.now() - t0) / 1000,
  };
}
