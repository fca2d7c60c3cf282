/**
 * MSR-VTT (Xu et al., CVPR 2016): 10k web videos with 20 captions each.
 *
 * Inputs: SRC holds the videos named `<video_id>.<ext>` (e.g. video0.mp4; any nesting);
 * --annotations FILE is the MSR-VTT JSON (`train_val_videodatainfo.json`, `test_videodatainfo.json`;
 * several files may be joined with commas), of which we read
 *   videos:    [{ video_id, split: 'train' | 'validate' | 'test', ... }]
 *   sentences: [{ video_id, caption, ... }]
 *
 * One clip per video, from its centre (clipAt 'start' takes the first frames). Captions:
 * - 'first' (default): one entry per video with its first caption; `attributes.captions` keeps
 *   all of them (for retrieval-style metrics).
 * - 'all': one entry per caption (ids `<video_id>_c<k>`); the frames are stored once per caption,
 *   so the data set is ~20x larger. Buckets then group identical sentences.
 * Videos without captions, and annotated videos missing from SRC, are counted in the summary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Split } from '../format.js';
import type { VideoU8 } from '../../media/video.js';
import {
  IMPORTER_VERSION, ImportInputError, parseSplit, requireDir, safeKey, singleClipStart, takeClip, videoIndex,
  type Clip, type CutResult, type ImportPlan, type PlanOptions, type SourceJob,
} from './common.js';

interface MsrVttJson {
  videos?: { video_id?: unknown; split?: unknown; category?: unknown }[];
  sentences?: { video_id?: unknown; caption?: unknown }[];
}

/** Video id -> split and captions, merged over the given JSON files. */
export function readMsrVtt(paths: string[]): Map<string, { split: Split; captions: string[]; category?: number }> {
  const out = new Map<string, { split: Split; captions: string[]; category?: number }>();
  for (const path of paths) {
    if (!existsSync(path)) throw new ImportInputError(`MSR-VTT annotation file ${path} (--annotations) does not exist; check the path`);
    let json: MsrVttJson;
    try {
      json = JSON.parse(readFileSync(path, 'utf8')) as MsrVttJson;
    } catch (e) {
      throw new ImportInputError(`MSR-VTT annotation file ${path} (--annotations) is not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(json.videos) || !Array.isArray(json.sentences)) {
      throw new ImportInputError(`${path} (--annotations): expected the MSR-VTT JSON with 'videos' and 'sentences' arrays`);
    }
    json.videos.forEach((v, i) => {
      const split = parseSplit(String(v.split ?? ''));
      if (typeof v.video_id !== 'string' || !split) {
        throw new ImportInputError(`${path}: videos[${i}] needs a string video_id and split train/validate/test, got ${JSON.stringify(v)}`);
      }
      out.set(v.video_id, { split, captions: [], ...(typeof v.category === 'number' ? { category: v.category } : {}) });
    });
  }
  for (const path of paths) {
    const json = JSON.parse(readFileSync(path, 'utf8')) as MsrVttJson;
    for (const s of json.sentences ?? []) {
      const entry = typeof s.video_id === 'string' ? out.get(s.video_id) : undefined;
      if (entry && typeof s.caption === 'string' && s.caption.trim()) entry.captions.push(s.caption.trim());
    }
  }
  return out;
}

function cutMsrVtt(v: VideoU8, id: string, rel: string, info: { split: Split; captions: string[]; category?: number }, opts: PlanOptions): CutResult {
  const p = opts.params;
  const start = singleClipStart(0, v.frames - 1, p.frames, opts.clipAt ?? 'center');
  if (start === undefined) return { clips: [], dropped: { 'video shorter than a clip': 1 } };
  const video = takeClip(v, start, p.frames); // (T, H, W, C) uint8
  const base = { video_id: id, clip_start_frame: start * p.stride + 1, ...(info.category !== undefined ? { category: info.category } : {}) };
  const clips: Clip[] = opts.captionsPerVideo === 'all'
    ? info.captions.map((caption, k) => ({ meta: { id: `${id}_c${String(k).padStart(2, '0')}`, caption, split: info.split, source: rel, attributes: { ...base, caption_index: k } }, video }))
    : [{ meta: { id, caption: info.captions[0]!, split: info.split, source: rel, attributes: { ...base, captions: info.captions } }, video }];
  return { clips, dropped: {} };
}

/** Plan an MSR-VTT import: one job per annotated video present in SRC. */
export function planMsrVtt(opts: PlanOptions): ImportPlan {
  requireDir(opts.src, '--src');
  const spec = opts.annotations ?? opts.captions;
  if (!spec) throw new ImportInputError('msrvtt needs the MSR-VTT JSON: pass --annotations FILE[,FILE] (e.g. train_val_videodatainfo.json)');
  const files = spec.split(',').map((s) => s.trim()).filter((s) => s);
  const info = readMsrVtt(files);
  const index = videoIndex(opts.src);
  const jobs: SourceJob[] = [];
  const missing: string[] = [];
  let uncaptioned = 0;
  for (const [id, entry] of [...info].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
    if (entry.captions.length === 0) { uncaptioned++; continue; }
    const rel = index.get(id);
    if (!rel) { missing.push(id); continue; }
    jobs.push({
      key: safeKey(id), file: join(opts.src, rel),
      fingerprint: { entry, mode: opts.captionsPerVideo ?? 'first', clipAt: opts.clipAt ?? 'center' },
      cut: (v) => cutMsrVtt(v, id, rel, entry, opts),
    });
  }
  if (jobs.length === 0) {
    throw new ImportInputError(`none of the ${info.size} videos in ${files.join(', ')} was found under ${opts.src} ` +
      `(looked for <video_id>.mp4 etc., e.g. '${[...info.keys()][0] ?? ''}.mp4')`);
  }
  const notes = [`${info.size} annotated videos; captions per video: ${opts.captionsPerVideo ?? 'first'}`];
  if (uncaptioned) notes.push(`${uncaptioned} videos have no caption and were left out`);
  const { frames, size, stride, hop, channels, filter } = opts.params;
  return {
    name: 'msrvtt',
    generator: {
      name: 'import-msrvtt', version: IMPORTER_VERSION,
      params: { frames, size, stride, hop, channels, filter, annotations: files, captionsPerVideo: opts.captionsPerVideo ?? 'first', clipAt: opts.clipAt ?? 'center' },
    },
    jobs, missing, notes,
  };
}
