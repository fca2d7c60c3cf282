/**
 * TACoS / TACoS multi-level (Regneri et al. 2013; Rohrbach et al. 2014): cooking videos with
 * sentences describing time intervals. One clip per described interval, caption = the sentence.
 *
 * Inputs: SRC holds the videos (any nesting; .avi/.mp4/...); --annotations FILE is a CSV or TSV
 * with a header naming the columns:
 *   video                       file name, relative path or stem of the video in SRC
 *   start_frame, end_frame      interval in source frames (from 1, end included), or
 *   start_sec, end_sec          interval in seconds
 *   description                 the sentence (also accepted: caption, sentence)
 *   split                       optional: train / val (validate) / test
 * Other columns (e.g. level, annotator) are copied into the clip's attributes.
 *
 * The clip (frames x stride source frames) is taken from the centre of the interval (or its
 * start with clipAt 'start'); intervals shorter than a clip are dropped and counted. Without a
 * split column videos are split by a hash of their name (64% / 16% / 20%, the paper's TACoS
 * proportions), so all clips of one video share a split.
 */
import { join } from 'node:path';
import type { Split } from '../format.js';
import type { VideoU8 } from '../../media/video.js';
import {
  IMPORTER_VERSION, ImportInputError, countDrop, hashedSplit, parseSplit, requireDir, requireFile, safeKey,
  singleClipStart, sourceRangeToDecoded, stem, takeClip, videoIndex, type Clip, type CutResult, type ImportPlan, type PlanOptions,
  type SourceJob,
} from './common.js';
import { cell, numberCell, readTable, type Table, type TableRow } from './table.js';

/** The paper's TACoS split sizes 31392 / 7848 / 9811 as fractions. */
export const TACOS_RATIOS = { train: 0.64, val: 0.16, test: 0.2 };

const KNOWN = new Set(['video', 'file', 'start_frame', 'end_frame', 'start_sec', 'end_sec', 'description', 'caption', 'sentence', 'split']);

/** One described interval. */
interface Interval {
  line: number;
  description: string;
  unit: 'frame' | 'sec';
  start: number;
  end: number;
  split?: Split;
  extra: Record<string, string>;
}

function parseInterval(t: Table, row: TableRow, bySec: boolean): Interval {
  const description = cell(row, 'description', 'caption', 'sentence');
  if (!description) throw new ImportInputError(`${t.path}:${row.line}: empty description`);
  const start = bySec ? numberCell(t, row, 'start_sec') : numberCell(t, row, 'start_frame');
  const end = bySec ? numberCell(t, row, 'end_sec') : numberCell(t, row, 'end_frame');
  if (end < start) throw new ImportInputError(`${t.path}:${row.line}: interval end ${end} is before its start ${start}`);
  const rawSplit = cell(row, 'split');
  const split = rawSplit ? parseSplit(rawSplit) : undefined;
  if (rawSplit && !split) throw new ImportInputError(`${t.path}:${row.line}: split '${rawSplit}' must be train, val or test`);
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(row.cells)) if (!KNOWN.has(k) && v !== '') extra[k] = v;
  return { line: row.line, description, unit: bySec ? 'sec' : 'frame', start, end, ...(split ? { split } : {}), extra };
}

function cutTacos(v: VideoU8, fps: number, video: string, rel: string, split: Split, rows: Interval[], opts: PlanOptions): CutResult {
  const p = opts.params;
  const clips: Clip[] = [];
  const dropped: Record<string, number> = {};
  rows.forEach((r, k) => {
    // Seconds -> source frames (1-based, end included): frame f covers [(f-1)/fps, f/fps).
    const [a, b] = r.unit === 'sec' ? [Math.floor(r.start * fps) + 1, Math.max(1, Math.ceil(r.end * fps))] : [r.start, r.end];
    const [first, last] = sourceRangeToDecoded(a, b, p.stride, v.frames);
    const start = singleClipStart(first, last, p.frames, opts.clipAt ?? 'center');
    if (start === undefined) { countDrop(dropped, 'interval shorter than a clip (or past the end of the video)'); return; }
    const interval = r.unit === 'sec' ? { start_sec: r.start, end_sec: r.end } : { start_frame: r.start, end_frame: r.end };
    clips.push({
      meta: {
        id: `${safeKey(rel)}_${String(k).padStart(4, '0')}`, caption: r.description, split: r.split ?? split, source: rel,
        attributes: { video, ...interval, clip_start_frame: start * p.stride + 1, annotation_line: r.line, ...r.extra },
      },
      video: takeClip(v, start, p.frames), // (T, H, W, C) uint8
    });
  });
  return { clips, dropped };
}

/** Plan a TACoS import: one job per video named in the annotation table. */
export function planTacos(opts: PlanOptions): ImportPlan {
  requireDir(opts.src, '--src');
  const file = requireFile(opts.annotations ?? opts.captions, 'a TACoS annotation table', '--annotations',
    'CSV/TSV with columns video,start_frame,end_frame,description (or start_sec,end_sec)');
  const t = readTable(file, 'TACoS annotation table', '--annotations', [['video', 'file'], ['description', 'caption', 'sentence']]);
  const bySec = t.columns.includes('start_sec');
  if (!bySec && !t.columns.includes('start_frame')) {
    throw new ImportInputError(`${file} (--annotations): needs start_frame,end_frame or start_sec,end_sec columns (found: ${t.columns.join(', ')})`);
  }
  // Group rows by the file they resolve to ('s13-d21' and 's13-d21.avi' name the same video).
  const index = videoIndex(opts.src);
  const byFile = new Map<string, Interval[]>();
  const missing = new Set<string>();
  for (const row of t.rows) {
    const v = cell(row, 'video', 'file');
    if (!v) throw new ImportInputError(`${file}:${row.line}: empty video column`);
    const interval = parseInterval(t, row, bySec);
    const rel = index.get(v.replace(/\\/g, '/')) ?? index.get(stem(v));
    if (!rel) { missing.add(v); continue; }
    byFile.set(rel, [...(byFile.get(rel) ?? []), interval]);
  }
  const jobs: SourceJob[] = [];
  for (const [rel, rows] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    const video = stem(rel);
    const split = hashedSplit(video, opts.splitSeed, TACOS_RATIOS);
    jobs.push({
      key: safeKey(rel), file: join(opts.src, rel), needsFps: bySec,
      fingerprint: { rows, split, clipAt: opts.clipAt ?? 'center' },
      cut: (v, fps) => cutTacos(v, fps, video, rel, split, rows, opts),
    });
  }
  if (jobs.length === 0) {
    throw new ImportInputError(`none of the videos named in ${file} was found under ${opts.src} ` +
      `(first: '${[...missing][0] ?? ''}'); check --src and the table's video column`);
  }
  const { frames, size, stride, hop, channels, filter } = opts.params;
  return {
    name: 'tacos',
    generator: {
      name: 'import-tacos', version: IMPORTER_VERSION,
      params: { frames, size, stride, hop, channels, filter, annotations: file, clipAt: opts.clipAt ?? 'center', splitSeed: opts.splitSeed },
    },
    jobs, missing: [...missing],
    notes: [`${t.rows.length} intervals over ${byFile.size + missing.size} videos`],
  };
}
