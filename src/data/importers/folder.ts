/**
 * A generic folder of captioned videos (any format readVideoFile reads: .mp4/.avi/.webm/.gif/...
 * and .npy). One clip per file, from its start (clipAt 'center' takes the middle).
 *
 * --captions FILE is either
 * - CSV/TSV with a header `file,caption[,split]` (`file` relative to SRC, its file name, or its
 *   stem; split train / val / test), or
 * - JSON mapping file -> caption: `{ "a.mp4": "a dog runs", ... }` (values may also be
 *   `{ "caption": "...", "split": "test" }`).
 * Files without a split are split by a hash of their name (80% / 10% / 10%, --split-seed).
 * Captioned files missing from SRC and video files without a caption are counted in the summary.
 */
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Split } from '../format.js';
import type { VideoU8 } from '../../media/video.js';
import {
  IMPORTER_VERSION, ImportInputError, hashedSplit, parseSplit, requireDir, requireFile, safeKey, singleClipStart,
  stem, takeClip, videoIndex, type CutResult, type ImportPlan, type PlanOptions, type SourceJob,
} from './common.js';
import { cell, readTable } from './table.js';

/** Split fractions for files without a split. */
export const FOLDER_RATIOS = { train: 0.8, val: 0.1, test: 0.1 };

interface Captioned {
  file: string;
  caption: string;
  split?: Split;
  where: string;
}

/** Read the --captions file (CSV/TSV or JSON) into (file, caption, split?) rows. */
export function readFolderCaptions(path: string): Captioned[] {
  const badSplit = (raw: string, where: string) => new ImportInputError(`${where}: split '${raw}' must be train, val or test`);
  if (extname(path).toLowerCase() === '.json') {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ImportInputError(`captions file ${path} (--captions) is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new ImportInputError(`captions file ${path} (--captions) must be a JSON object mapping file -> caption`);
    }
    return Object.entries(json as Record<string, unknown>).map(([file, v]) => {
      const where = `${path} ["${file}"]`;
      const o = typeof v === 'string' ? { caption: v } : (v as { caption?: unknown; split?: unknown } | null);
      if (!o || typeof o.caption !== 'string' || !o.caption.trim()) throw new ImportInputError(`${where}: needs a caption string`);
      const split = o.split === undefined ? undefined : parseSplit(String(o.split));
      if (o.split !== undefined && !split) throw badSplit(String(o.split), where);
      return { file, caption: o.caption.trim(), ...(split ? { split } : {}), where };
    });
  }
  const t = readTable(path, 'captions file', '--captions', [['file', 'video'], ['caption', 'description']]);
  return t.rows.map((row) => {
    const where = `${path}:${row.line}`;
    const caption = cell(row, 'caption', 'description');
    if (!caption) throw new ImportInputError(`${where}: empty caption`);
    const raw = cell(row, 'split');
    const split = raw ? parseSplit(raw) : undefined;
    if (raw && !split) throw badSplit(raw, where);
    return { file: cell(row, 'file', 'video'), caption, ...(split ? { split } : {}), where };
  });
}

function cutFolder(v: VideoU8, c: Captioned, rel: string, split: Split, opts: PlanOptions): CutResult {
  const p = opts.params;
  const start = singleClipStart(0, v.frames - 1, p.frames, opts.clipAt ?? 'start');
  if (start === undefined) return { clips: [], dropped: { 'video shorter than a clip': 1 } };
  return {
    clips: [{
      meta: { id: safeKey(rel), caption: c.caption, split, source: rel, attributes: { file: rel, clip_start_frame: start * p.stride + 1 } },
      video: takeClip(v, start, p.frames), // (T, H, W, C) uint8
    }],
    dropped: {},
  };
}

/** Plan a folder import: one job per captioned file. */
export function planFolder(opts: PlanOptions): ImportPlan {
  requireDir(opts.src, '--src');
  const file = requireFile(opts.captions, 'a captions file', '--captions', 'CSV file,caption[,split] or JSON {file: caption}');
  const rows = readFolderCaptions(file);
  const index = videoIndex(opts.src);
  const jobs: SourceJob[] = [];
  const missing: string[] = [];
  const used = new Set<string>();
  for (const c of rows) {
    const rel = index.get(c.file.replace(/\\/g, '/')) ?? index.get(stem(c.file));
    if (!rel) { missing.push(c.file); continue; }
    if (used.has(rel)) throw new ImportInputError(`${c.where}: ${rel} is captioned twice; give one caption per file`);
    used.add(rel);
    const split = c.split ?? hashedSplit(rel, opts.splitSeed, FOLDER_RATIOS);
    jobs.push({
      key: safeKey(rel), file: join(opts.src, rel),
      fingerprint: { caption: c.caption, split, clipAt: opts.clipAt ?? 'start' },
      cut: (v) => cutFolder(v, c, rel, split, opts),
    });
  }
  if (jobs.length === 0) {
    throw new ImportInputError(`none of the ${rows.length} files in ${file} was found under ${opts.src}` +
      `${rows[0] ? ` (first: '${rows[0].file}')` : ''}; file names are relative to --src`);
  }
  const uncaptioned = new Set(index.values()).size - used.size;
  const notes = [`${rows.length} captioned files`];
  if (uncaptioned > 0) notes.push(`${uncaptioned} video files under ${opts.src} have no caption and were left out`);
  const { frames, size, stride, hop, channels, filter } = opts.params;
  return {
    name: 'folder',
    generator: {
      name: 'import-folder', version: IMPORTER_VERSION,
      params: { frames, size, stride, hop, channels, filter, captions: file, clipAt: opts.clipAt ?? 'start', splitSeed: opts.splitSeed },
    },
    jobs, missing, notes,
  };
}
