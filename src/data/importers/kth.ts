/**
 * KTH human actions (Schüldt, Laptev & Caputo, ICPR 2004; https://www.csc.kth.se/cvap/actions/)
 * as used in the paper (Section 4.1): walking, jogging and running only, captions
 * "person N is <action> <left to right|right to left>", 25 persons x 3 actions x 2 directions
 * = 150 buckets.
 *
 * Layout: SRC/**\/personNN_<action>_dN_uncomp.avi (the official zips, any folder nesting);
 * boxing, handclapping and handwaving files are ignored.
 *
 * Direction, per clip:
 * - from --annotations when given: CSV `file,start_frame,end_frame,direction`, one row per
 *   segment in which the person crosses the scene once; `file` is the video's name with or
 *   without `_uncomp.avi` (e.g. person01_walking_d1), frames count from 1 and the end is
 *   included, direction is `left to right` / `right to left` (or `ltr` / `rtl`). Clips are cut
 *   inside segments only. Videos with no row fall back to estimation.
 * - otherwise estimated from the frames: the x centroid of |frame[t+1] - frame[t]| follows the
 *   moving person; the sign of its mean step gives the direction ({@link estimateDirection}).
 *   Clips with too little motion (nobody in view) are dropped and counted.
 * `attributes.direction_source` says which ('annotation' | 'estimated').
 *
 * Splits follow the standard person-based protocol (train 11-18; val 19-21, 23-25, 1, 4; test
 * 22, 2, 3, 5-10).
 */
import { basename, join } from 'node:path';
import type { Split } from '../format.js';
import type { VideoU8 } from '../../media/video.js';
import {
  IMPORTER_VERSION, ImportInputError, clipStarts, countDrop, listFiles, requireDir, sourceRangeToDecoded,
  takeClip, type Clip, type CutResult, type ImportPlan, type PlanOptions, type SourceJob,
} from './common.js';
import { cell, numberCell, readTable } from './table.js';

/** Actions kept from KTH (the paper's subset). */
export const KTH_ACTIONS = ['walking', 'jogging', 'running'] as const;
/** One of {@link KTH_ACTIONS}. */
export type KthAction = (typeof KTH_ACTIONS)[number];
/** Horizontal direction of motion, as written in captions. */
export type Direction = 'left to right' | 'right to left';

/** Persons of each split in the standard KTH protocol. */
export const KTH_SPLITS: Record<Split, readonly number[]> = {
  train: [11, 12, 13, 14, 15, 16, 17, 18],
  val: [19, 20, 21, 23, 24, 25, 1, 4],
  test: [22, 2, 3, 5, 6, 7, 8, 9, 10],
};

const NAME = /^person(\d{2})_(boxing|handclapping|handwaving|jogging|running|walking)_d(\d+)(?:_uncomp)?\.avi$/i;

/** The split of a KTH person (1..25). */
export function kthSplit(person: number): Split | undefined {
  return (Object.keys(KTH_SPLITS) as Split[]).find((s) => KTH_SPLITS[s].includes(person));
}

/** The caption of a KTH clip, e.g. "person 2 is walking left to right". */
export function kthCaption(person: number, action: KthAction, direction: Direction): string {
  return `person ${person} is ${action} ${direction}`;
}

/**
 * Horizontal motion of a clip: the mean step (pixels per decoded frame) of the x centroid of the
 * thresholded absolute frame difference. `direction` is undefined when fewer than two frame
 * differences show motion or the mean step is under `minStep`.
 */
export function estimateDirection(v: VideoU8, threshold = 20, minStep = 0.1): { dx: number; direction?: Direction } {
  const { height: H, width: W, channels: C } = v;
  const n = H * W * C;
  const cx: number[] = []; // centroid x per frame pair, NaN when nothing moved
  for (let t = 0; t + 1 < v.frames; t++) {
    let mass = 0, sx = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let d = 0;
        for (let c = 0; c < C; c++) {
          const i = (y * W + x) * C + c;
          d = Math.max(d, Math.abs(v.data[(t + 1) * n + i]! - v.data[t * n + i]!));
        }
        if (d > threshold) { mass += d; sx += d * x; }
      }
    }
    cx.push(mass > 0.002 * H * W * 255 ? sx / mass : NaN);
  }
  const steps: number[] = [];
  for (let t = 0; t + 1 < cx.length; t++) if (!Number.isNaN(cx[t]!) && !Number.isNaN(cx[t + 1]!)) steps.push(cx[t + 1]! - cx[t]!);
  if (steps.length === 0) return { dx: 0 };
  const dx = steps.reduce((a, b) => a + b, 0) / steps.length;
  if (Math.abs(dx) < minStep) return { dx };
  return { dx, direction: dx > 0 ? 'left to right' : 'right to left' };
}

/** One annotated segment of a KTH video. */
export interface KthSegment {
  startFrame: number;
  endFrame: number;
  direction: Direction;
}

/** Read the --annotations CSV into segments per video stem (e.g. "person01_walking_d1"). */
export function readKthAnnotations(path: string): Map<string, KthSegment[]> {
  const t = readTable(path, 'KTH annotation file', '--annotations', [['file'], ['start_frame'], ['end_frame'], ['direction']]);
  const out = new Map<string, KthSegment[]>();
  for (const row of t.rows) {
    const file = basename(cell(row, 'file')).replace(/(_uncomp)?(\.avi)?$/i, '');
    const raw = cell(row, 'direction').toLowerCase();
    const direction: Direction | undefined = raw === 'left to right' || raw === 'ltr' ? 'left to right'
      : raw === 'right to left' || raw === 'rtl' ? 'right to left' : undefined;
    if (!direction) throw new ImportInputError(`${path}:${row.line}: direction '${raw}' must be 'left to right' or 'right to left' (or ltr/rtl)`);
    const seg = { startFrame: numberCell(t, row, 'start_frame'), endFrame: numberCell(t, row, 'end_frame'), direction };
    if (seg.endFrame < seg.startFrame) throw new ImportInputError(`${path}:${row.line}: end_frame ${seg.endFrame} is before start_frame ${seg.startFrame}`);
    out.set(file, [...(out.get(file) ?? []), seg]);
  }
  return out;
}

/** Clips of one KTH video. */
function cutKth(v: VideoU8, o: { stemName: string; person: number; action: KthAction; scenario: string; split: Split; rel: string },
  segments: KthSegment[] | undefined, opts: PlanOptions): CutResult {
  const p = opts.params;
  const clips: Clip[] = [];
  const dropped: Record<string, number> = {};
  const ranges = segments
    ? segments.map((s) => ({ s, r: sourceRangeToDecoded(s.startFrame, s.endFrame, p.stride, v.frames) }))
    : [{ s: undefined, r: [0, v.frames - 1] as [number, number] }];
  ranges.forEach(({ s, r }, si) => {
    const starts = clipStarts(r[0], r[1], p.frames, p.hop);
    if (starts.length === 0) countDrop(dropped, 'segment shorter than a clip');
    for (const start of starts) {
      const video = takeClip(v, start, p.frames); // (T, H, W, C) uint8
      let direction = s?.direction;
      let dx: number | undefined;
      if (!direction) {
        const est = estimateDirection(video);
        dx = Number(est.dx.toFixed(3));
        direction = est.direction;
        if (!direction) { countDrop(dropped, 'no horizontal motion'); continue; }
      }
      const id = `${o.stemName}${segments ? `_s${si}` : ''}_f${String(start * p.stride).padStart(5, '0')}`;
      clips.push({
        meta: {
          id, caption: kthCaption(o.person, o.action, direction), split: o.split, source: o.rel,
          attributes: {
            person: o.person, action: o.action, scenario: o.scenario, direction,
            direction_source: s ? 'annotation' : 'estimated', ...(dx !== undefined ? { motion_dx: dx } : {}),
            start_frame: start * p.stride + 1, end_frame: (start + p.frames - 1) * p.stride + 1,
          },
        },
        video,
      });
    }
  });
  return { clips, dropped };
}

/** Plan a KTH import: one job per walking/jogging/running video. */
export function planKth(opts: PlanOptions): ImportPlan {
  requireDir(opts.src, '--src');
  const annotations = opts.annotations ? readKthAnnotations(opts.annotations) : undefined;
  const files = listFiles(opts.src, ['.avi']);
  const jobs: SourceJob[] = [];
  let unmatched = 0, otherActions = 0, estimated = 0;
  for (const rel of files) {
    const m = NAME.exec(basename(rel));
    if (!m) { unmatched++; continue; }
    const action = m[2]!.toLowerCase();
    if (!(KTH_ACTIONS as readonly string[]).includes(action)) { otherActions++; continue; }
    const person = Number(m[1]);
    const split = kthSplit(person);
    if (!split) { unmatched++; continue; }
    const stemName = `person${m[1]}_${action}_d${m[3]}`;
    const segments = annotations?.get(stemName);
    if (annotations && !segments) estimated++;
    const info = { stemName, person, action: action as KthAction, scenario: `d${m[3]}`, split, rel };
    jobs.push({
      key: stemName,
      file: join(opts.src, rel),
      fingerprint: { segments: segments ?? null },
      cut: (v) => cutKth(v, info, segments, opts),
    });
  }
  if (jobs.length === 0) {
    throw new ImportInputError(`no KTH walking/jogging/running videos found under ${opts.src}; ` +
      'expected files named personNN_<action>_dN_uncomp.avi (the official KTH zips, unpacked)');
  }
  const notes = [`${jobs.length} KTH videos (${otherActions} boxing/handclapping/handwaving videos ignored)`];
  if (unmatched) notes.push(`${unmatched} .avi files did not match the KTH name pattern and were ignored`);
  if (estimated) notes.push(`${estimated} videos have no rows in ${opts.annotations}; their direction is estimated`);
  const { frames, size, stride, hop, channels, filter } = opts.params;
  return {
    name: 'kth',
    generator: {
      name: 'import-kth', version: IMPORTER_VERSION,
      params: { frames, size, stride, hop, channels, filter, annotations: opts.annotations ?? null, direction: annotations ? 'annotation' : 'estimated' },
    },
    jobs, missing: [], notes,
  };
}
