/**
 * `t2v data export`: write a split of a dataset folder as plain files other tools read — one
 * `.npy` per video, uint8 (T, H, W, C), plus `captions.json` (file name -> caption, bucket,
 * attributes). `t2v data show`: print what a dataset folder holds and write a sample grid GIF
 * (rows = captions, columns = videos of that caption).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, parseFlags, type Command } from '../command.js';
import { writeJsonAtomic } from '../../io/atomic.js';
import { writeNpy } from '../../io/npy.js';
import { DatasetError, DatasetReader, SPLITS, type Split, type VideoEntry } from '../../data/format.js';
import { writeGif } from '../../media/gif.js';
import { videoGrid } from '../../media/grid.js';
import type { VideoU8 } from '../../media/video.js';

/** One exported file's record in captions.json. */
export interface ExportedCaption {
  caption: string;
  bucket: number;
  id: string;
  attributes: Record<string, unknown>;
}

/** A file name for a video id: unsafe characters become '_', clashes get a numeric suffix. */
function fileNameFor(id: string, used: Set<string>): string {
  const base = id.replace(/[^A-Za-z0-9._-]+/g, '_') || 'video';
  let name = `${base}.npy`;
  for (let k = 1; used.has(name); k++) name = `${base}-${k}.npy`;
  used.add(name);
  return name;
}

/**
 * Export the first `count` videos of a split (all when undefined) to `out`: `<id>.npy` files and
 * captions.json. Returns the captions record. `out` must be new or empty.
 */
export function exportSplit(dir: string, split: Split, out: string, count?: number): Record<string, ExportedCaption> {
  const reader = DatasetReader.open(dir);
  try {
    const m = reader.manifest;
    const videos = reader.videos(split).slice(0, count ?? Infinity);
    if (existsSync(out) && readdirSync(out).length > 0) {
      throw new DatasetError(`export folder '${out}' is not empty; choose a new or empty folder`);
    }
    mkdirSync(out, { recursive: true });
    const used = new Set<string>(['captions.json']);
    const captions: Record<string, ExportedCaption> = {};
    for (const e of videos) {
      const file = fileNameFor(e.id, used);
      const data = reader.read(e); // (T, H, W, C) uint8
      writeNpy(join(out, file), { dtype: 'u1', shape: [m.frames, m.height, m.width, m.channels], data });
      captions[file] = { caption: e.caption, bucket: e.bucket, id: e.id, attributes: e.attributes };
    }
    writeJsonAtomic(join(out, 'captions.json'), captions);
    return captions;
  } finally {
    reader.close();
  }
}

/** The text `t2v data show` prints: name, resolution, generator, split counts, buckets, shards. */
export function describeDataset(reader: DatasetReader): string {
  const m = reader.manifest;
  const perBucket = new Map<number, number>();
  for (const v of m.videos) perBucket.set(v.bucket, (perBucket.get(v.bucket) ?? 0) + 1);
  const sizes = [...perBucket.values()];
  const largest = [...perBucket].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 5);
  return [
    `dataset   ${m.name}  (${reader.dir})`,
    `clips     ${m.frames} frames x ${m.height}x${m.width} x ${m.channels} channel${m.channels > 1 ? 's' : ''} (uint8)`,
    `generator ${m.generator.name} ${m.generator.version} ${JSON.stringify(m.generator.params)}`,
    `videos    ${m.videos.length}: ${SPLITS.map((s) => `${s} ${m.splits[s]}`).join(', ')}`,
    `buckets   ${m.buckets.length} captions` + (sizes.length === 0 ? '' : `; videos per caption min ${Math.min(...sizes)}, ` +
      `mean ${(m.videos.length / m.buckets.length).toFixed(1)}, max ${Math.max(...sizes)}`),
    ...largest.map(([b, n]) => `          ${String(n).padStart(6)}  "${m.buckets[b]}"`),
    `shards    ${m.shards.length} (${m.shards.map((s) => s.count).join(', ')})`,
  ].join('\n');
}

/** A rows x cols grid of videos from one split: the `rows` largest buckets, `cols` videos each. */
export function sampleGrid(reader: DatasetReader, split: Split, rows: number, cols: number): VideoU8 | undefined {
  const m = reader.manifest;
  const byBucket = new Map<number, VideoEntry[]>();
  for (const v of reader.videos(split)) byBucket.set(v.bucket, [...(byBucket.get(v.bucket) ?? []), v]);
  const chosen = [...byBucket].sort((a, b) => b[1].length - a[1].length || a[0] - b[0]).slice(0, rows);
  if (chosen.length === 0) return undefined;
  const channels = m.channels === 1 ? 1 : 3;
  return videoGrid(chosen.map(([, vs]) => vs.slice(0, cols).map((e) => ({
    frames: m.frames, height: m.height, width: m.width, channels, data: reader.read(e),
  }))), { pad: 2, padValue: 255 });
}

const EXPORT_USAGE = `usage: t2v data export DIR --split train|val|test --out OUT [--count N]

Write the videos of one split as OUT/<id>.npy, uint8 (T, H, W, C), and OUT/captions.json
mapping each file name to {caption, bucket, id, attributes}. OUT must be new or empty.
  --count N   export only the first N videos of the split (manifest order)`;

const SHOW_USAGE = `usage: t2v data show DIR [--out FILE.gif] [--split S] [--rows N] [--cols N] [--fps F]

Print a summary of a dataset folder (resolution, generator, videos per split, buckets, shards)
and write an animated sample grid: rows = the largest caption buckets of the split, columns =
videos with that caption.
  --out FILE.gif   where the grid goes                    [<name>-samples.gif]
  --split S        train | val | test                     [train]
  --rows N --cols N                                       [4, 4]
  --fps F          playback rate                          [8]`;

function splitFlag(v: unknown): Split {
  if (!SPLITS.includes(v as Split)) throw new UsageError(`--split must be one of ${SPLITS.join(', ')}, got '${String(v)}'`);
  return v as Split;
}

function onePositional(positional: string[], what: string): string {
  if (positional.length !== 1) throw new UsageError(`expected one ${what}, got ${positional.length ? positional.join(' ') : 'none'}`);
  return positional[0]!;
}

function countFlag(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UsageError(`--${name} must be a positive integer, got ${String(v)}`);
  return v;
}

async function guarded(name: string, fn: () => number): Promise<number> {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DatasetError) {
      process.stderr.write(`t2v data ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

const dataExport: Command = {
  path: ['data', 'export'],
  summary: 'write a split of a dataset as .npy files + captions.json',
  usage: EXPORT_USAGE,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, {
      split: { type: 'string', required: true },
      out: { type: 'string', required: true },
      count: { type: 'number' },
    });
    const dir = onePositional(positional, 'dataset folder');
    const split = splitFlag(flags.split);
    const count = countFlag(flags.count, 'count');
    return guarded('export', () => {
      const caps = exportSplit(dir, split, flags.out as string, count);
      process.stdout.write(`wrote ${Object.keys(caps).length} ${split} videos and captions.json to ${flags.out as string}\n`);
      return 0;
    });
  },
};

const dataShow: Command = {
  path: ['data', 'show'],
  summary: 'summarise a dataset folder and write a sample grid GIF',
  usage: SHOW_USAGE,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, {
      out: { type: 'string' },
      split: { type: 'string', default: 'train' },
      rows: { type: 'number', default: 4 },
      cols: { type: 'number', default: 4 },
      fps: { type: 'number', default: 8 },
    });
    const dir = onePositional(positional, 'dataset folder');
    const split = splitFlag(flags.split);
    const rows = countFlag(flags.rows, 'rows')!;
    const cols = countFlag(flags.cols, 'cols')!;
    const fps = flags.fps as number;
    if (!(fps > 0)) throw new UsageError(`--fps must be positive, got ${fps}`);
    return guarded('show', () => {
      const reader = DatasetReader.open(dir);
      try {
        process.stdout.write(`${describeDataset(reader)}\n`);
        const grid = sampleGrid(reader, split, rows, cols);
        if (!grid) {
          process.stdout.write(`no ${split} videos: no grid written\n`);
          return 0;
        }
        const out = (flags.out as string | undefined) ?? `${reader.manifest.name.replace(/[^A-Za-z0-9._-]+/g, '_')}-samples.gif`;
        writeGif(out, grid, { fps });
        process.stdout.write(`wrote ${out} (${split}: ${grid.height}x${grid.width}, ${grid.frames} frames)\n`);
        return 0;
      } finally {
        reader.close();
      }
    });
  },
};

/** `t2v data export` and `t2v data show`, for the registry. */
export const commands: Command[] = [dataExport, dataShow];
