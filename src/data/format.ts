/**
 * The t2vlab dataset folder: every video data set (SyncDraw-MM, KTH, TACoS; paper Section 4.1,
 * Table A.1) is stored the same way so that one loader serves them all.
 *
 *   DIR/shard-00000.safetensors   one U8 tensor "videos", (n, T, H, W, C), n ≤ shardSize
 *   DIR/shard-00001.safetensors   …
 *   DIR/manifest.json             written last and atomically: a folder without it is incomplete
 *
 * The manifest lists every video (id, caption, split, attributes, and where its bytes are: shard
 * and index in the shard) and the caption **buckets** — the videos sharing one caption (the
 * one-to-many case of the bucket loss, paper eq. 4). Bucket ids are indices into the sorted list of
 * unique captions, so they do not depend on the order videos were added.
 *
 * Writes are deterministic: the same videos in the same order give byte-identical files (no
 * timestamps, fixed key order, sorted buckets).
 *
 * @example
 * const w = DatasetWriter.create('data/toy', { name: 'toy', frames: 16, height: 64, width: 64, channels: 1,
 *   generator: { name: 'mine', version: '1', params: {} } });
 * w.add({ id: 'train-00000', caption: 'digit 6 is moving up and down', split: 'train', attributes: {} }, video);
 * w.finish();                                      // → manifest with 1 bucket, 1 shard
 * const r = DatasetReader.open('data/toy');
 * const v = r.read(r.videos('train')[0]!);         // (16, 64, 64, 1) uint8 — the same bytes as `video`
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { SafetensorsFile, writeSafetensors } from '../io/safetensors.js';

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

export interface VideoMeta {
  id: string;
  caption: string;
  split: Split;
  attributes: Record<string, unknown>;
  source?: string;
}

export interface VideoEntry extends VideoMeta {
  /** Index into `manifest.buckets` (the video's caption). */
  bucket: number;
  /** Index into `manifest.shards`. */
  shard: number;
  /** Position of the video inside its shard's "videos" tensor. */
  index: number;
}

export interface DatasetManifest {
  format: typeof DATASET_FORMAT;
  formatVersion: 1;
  name: string;
  /** Every video is uint8 (T, H, W, C) with these sizes. */
  frames: number;
  height: number;
  width: number;
  channels: number;
  generator: { name: string; version: string; params: Record<string, unknown> };
  /** bucket id → caption; ids are indices in the sorted list of unique captions. */
  buckets: string[];
  splits: Record<Split, number>;
  shards: { file: string; count: number }[];
  videos: VideoEntry[];
}

/** A dataset folder that is missing, incomplete or inconsistent; the message says what to do. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

export const MANIFEST_FILE = 'manifest.json';
/** The `format` field of every dataset manifest. */
export const DATASET_FORMAT = 't2vlab-dataset';

/**
 * True when `dir` holds a dataset manifest: a manifest.json that says `"format": "t2vlab-dataset"`,
 * or one that is not valid JSON (a damaged dataset; DatasetReader.open reports it). Another
 * tool's manifest.json (`t2v generate` writes one beside its videos) is not one.
 */
export function isDatasetDir(dir: string): boolean {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return false;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return true;
  }
  return typeof raw === 'object' && raw !== null && (raw as { format?: unknown }).format === DATASET_FORMAT;
}
export const SHARD_TENSOR = 'videos';

/** Name of shard k: `shard-00000.safetensors`. */
export function shardFileName(k: number): string {
  return `shard-${String(k).padStart(5, '0')}.safetensors`;
}

/** Files a dataset writer owns in its folder (including interrupted atomic-write temporaries). */
function isDatasetFile(name: string): boolean {
  return name.startsWith(MANIFEST_FILE) || /^shard-\d{5,}\.safetensors/.test(name);
}

interface WriterOptions {
  name: string;
  frames: number;
  height: number;
  width: number;
  channels: number;
  generator: DatasetManifest['generator'];
  /** Videos per shard file (default 1000). */
  shardSize?: number;
}

/**
 * Writes a dataset folder. Videos are buffered up to `shardSize` and written one shard file at a
 * time; `finish()` writes the manifest. Creating a writer over an existing dataset folder first
 * deletes that dataset's manifest and shards (so an interrupted rewrite is never mistaken for a
 * complete data set); a folder holding any other file is refused.
 */
export class DatasetWriter {
  private readonly videoBytes: number;
  private readonly shardSize: number;
  private buffer: Uint8Array | undefined; // (shardSize, T, H, W, C) uint8, allocated on first add
  private pending = 0;
  private readonly shards: { file: string; count: number }[] = [];
  private readonly entries: Omit<VideoEntry, 'bucket'>[] = [];
  private readonly ids = new Set<string>();
  private finished = false;

  private constructor(
    readonly dir: string,
    private readonly opts: WriterOptions,
  ) {
    const { frames, height, width, channels } = opts;
    this.videoBytes = frames * height * width * channels;
    this.shardSize = opts.shardSize ?? 1000;
  }

  static create(dir: string, opts: WriterOptions): DatasetWriter {
    for (const k of ['frames', 'height', 'width', 'channels'] as const) {
      const v = opts[k];
      if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`DatasetWriter: ${k} must be a positive integer, got ${v}`);
    }
    const shardSize = opts.shardSize ?? 1000;
    if (!(Number.isInteger(shardSize) && shardSize > 0)) throw new RangeError(`DatasetWriter: shardSize must be a positive integer, got ${shardSize}`);
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) throw new DatasetError(`dataset path '${dir}' exists and is not a folder; choose another output path`);
      const names = readdirSync(dir).sort();
      const foreign = names.filter((n) => !isDatasetFile(n));
      if (foreign.length > 0) {
        throw new DatasetError(
          `output folder '${dir}' is not empty and not a t2vlab dataset (it holds '${foreign[0]}'${foreign.length > 1 ? ` and ${foreign.length - 1} more` : ''}); choose a new or empty folder`,
        );
      }
      // Manifest first: from here on the folder reads as incomplete.
      for (const n of names.sort((a, b) => Number(b.startsWith(MANIFEST_FILE)) - Number(a.startsWith(MANIFEST_FILE)))) {
        unlinkSync(join(dir, n));
      }
    } else mkdirSync(dir, { recursive: true });
    return new DatasetWriter(dir, opts);
  }

  /** Append one video: `frames` must hold exactly T·H·W·C bytes, layout (T, H, W, C) uint8. */
  add(meta: VideoMeta, frames: Uint8Array): void {
    if (this.finished) throw new Error('DatasetWriter.add after finish()');
    if (frames.length !== this.videoBytes) {
      const { frames: T, height: H, width: W, channels: C } = this.opts;
      throw new RangeError(`video '${meta.id}' has ${frames.length} bytes; (T, H, W, C) = (${T}, ${H}, ${W}, ${C}) needs ${this.videoBytes}`);
    }
    if (!SPLITS.includes(meta.split)) throw new RangeError(`video '${meta.id}': split must be one of ${SPLITS.join(', ')}, got '${meta.split}'`);
    if (this.ids.has(meta.id)) throw new RangeError(`duplicate video id '${meta.id}'`);
    this.ids.add(meta.id);
    this.buffer ??= new Uint8Array(this.shardSize * this.videoBytes);
    this.buffer.set(frames, this.pending * this.videoBytes);
    // A JSON copy: the returned manifest then equals what is on disk, whatever the caller does later.
    const attributes = JSON.parse(JSON.stringify(meta.attributes)) as Record<string, unknown>;
    const src = meta.source !== undefined ? { source: meta.source } : {};
    this.entries.push({ id: meta.id, caption: meta.caption, split: meta.split, shard: this.shards.length, index: this.pending, ...src, attributes });
    this.pending++;
    if (this.pending === this.shardSize) this.flush();
  }

  /** Write the buffered videos as the next shard file. */
  private flush(): void {
    if (this.pending === 0 || !this.buffer) return;
    const { frames: T, height: H, width: W, channels: C } = this.opts;
    const file = shardFileName(this.shards.length);
    const data = this.buffer.subarray(0, this.pending * this.videoBytes); // (n, T, H, W, C) uint8
    writeSafetensors(join(this.dir, file), { [SHARD_TENSOR]: { dtype: 'U8', shape: [this.pending, T, H, W, C], data } }, { format: 't2vlab-dataset-shard', layout: 'N,T,H,W,C' });
    this.shards.push({ file, count: this.pending });
    this.pending = 0;
  }

  /** Flush the last shard, assign buckets and write manifest.json (last, atomically). */
  finish(): DatasetManifest {
    if (this.finished) throw new Error('DatasetWriter.finish called twice');
    this.flush();
    this.finished = true;
    this.buffer = undefined;
    const buckets = [...new Set(this.entries.map((e) => e.caption))].sort();
    const bucketOf = new Map(buckets.map((c, i) => [c, i]));
    const splits: Record<Split, number> = { train: 0, val: 0, test: 0 };
    const videos: VideoEntry[] = this.entries.map((e) => {
      splits[e.split]++;
      // Fixed key order: id, caption, split, bucket, shard, index, [source], attributes.
      const src = e.source !== undefined ? { source: e.source } : {};
      return { id: e.id, caption: e.caption, split: e.split, bucket: bucketOf.get(e.caption)!, shard: e.shard, index: e.index, ...src, attributes: e.attributes };
    });
    const { name, frames, height, width, channels, generator } = this.opts;
    const manifest: DatasetManifest = {
      format: DATASET_FORMAT,
      formatVersion: 1,
      name,
      frames,
      height,
      width,
      channels,
      generator: { name: generator.name, version: generator.version, params: generator.params },
      buckets,
      splits,
      shards: this.shards,
      videos,
    };
    writeFileAtomic(join(this.dir, MANIFEST_FILE), manifestJson(manifest));
    return manifest;
  }
}

/** Readable, deterministic JSON: top level indented, one line per bucket, shard and video. */
export function manifestJson(m: DatasetManifest): string {
  const list = (xs: readonly unknown[]): string =>
    xs.length === 0 ? '[]' : `[\n${xs.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]`;
  const lines = Object.entries(m).map(([k, v]) => `  ${JSON.stringify(k)}: ${Array.isArray(v) ? list(v) : JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

/**
 * Reads a dataset folder. `open` validates the manifest (format, version, fields, counts, bucket
 * and shard references) and that every shard file exists; shards are opened lazily on first read
 * and cached, and `read` fetches one video with a positional read (never a whole shard).
 */
export class DatasetReader {
  readonly videoBytes: number;
  private readonly open_ = new Map<number, SafetensorsFile>();

  private constructor(
    readonly dir: string,
    readonly manifest: DatasetManifest,
  ) {
    this.videoBytes = manifest.frames * manifest.height * manifest.width * manifest.channels;
  }

  static open(dir: string): DatasetReader {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new DatasetError(`dataset folder '${dir}' does not exist; build it first (e.g. \`t2v data syncdraw --out ${dir}\`) or fix the path`);
    }
    const path = join(dir, MANIFEST_FILE);
    if (!existsSync(path)) {
      const shards = readdirSync(dir).filter((n) => /^shard-\d+\.safetensors$/.test(n));
      throw new DatasetError(
        shards.length > 0
          ? `dataset folder '${dir}' has ${shards.length} shard file(s) but no ${MANIFEST_FILE}: it is incomplete (the writer writes ${MANIFEST_FILE} last, so it was interrupted); build the data set again into this folder`
          : `'${dir}' has no ${MANIFEST_FILE}, so it is not a t2vlab dataset folder; build one (e.g. \`t2v data syncdraw --out ${dir}\`) or pass the right folder`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new DatasetError(`'${path}' is not valid JSON (${(err as Error).message}); the file is damaged: build the data set again`);
    }
    const manifest = validateManifest(raw, path);
    for (const s of manifest.shards) {
      if (!existsSync(join(dir, s.file))) {
        throw new DatasetError(`'${path}' lists shard '${s.file}' but '${join(dir, s.file)}' is missing; the folder is incomplete: build the data set again`);
      }
    }
    return new DatasetReader(dir, manifest);
  }

  /** Every video, or those of one split, in manifest order. */
  videos(split?: Split): VideoEntry[] {
    return split === undefined ? this.manifest.videos.slice() : this.manifest.videos.filter((v) => v.split === split);
  }

  /** One video's bytes, (T, H, W, C) uint8; into `into` (≥ videoBytes long) when given. */
  read(entry: VideoEntry, into?: Uint8Array): Uint8Array {
    const shard = this.manifest.shards[entry.shard];
    if (!shard || !Number.isInteger(entry.index) || entry.index < 0 || entry.index >= shard.count) {
      throw new RangeError(`video '${entry.id}': shard ${entry.shard} / index ${entry.index} is not in dataset '${this.dir}'; pass an entry from this reader's videos()`);
    }
    const b = entry.index * this.videoBytes;
    return this.shard(entry.shard).readRange(SHARD_TENSOR, b, b + this.videoBytes, into);
  }

  /** Close every open shard file. Idempotent. */
  close(): void {
    for (const f of this.open_.values()) f.close();
    this.open_.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private shard(k: number): SafetensorsFile {
    let f = this.open_.get(k);
    if (f) return f;
    const m = this.manifest;
    const path = join(this.dir, m.shards[k]!.file);
    f = SafetensorsFile.open(path);
    const want = [m.shards[k]!.count, m.frames, m.height, m.width, m.channels];
    const e = f.has(SHARD_TENSOR) ? f.entry(SHARD_TENSOR) : undefined;
    if (!e || e.dtype !== 'U8' || e.shape.join(',') !== want.join(',')) {
      f.close();
      const got = e ? `${e.dtype} (${e.shape.join(', ')})` : `no "${SHARD_TENSOR}" tensor`;
      throw new DatasetError(`shard '${path}' holds ${got} but the manifest expects U8 (${want.join(', ')}); the shard does not belong to this manifest: build the data set again`);
    }
    this.open_.set(k, f);
    return f;
  }
}

/** Check every field and cross-reference of a parsed manifest; errors name the file and the field. */
function validateManifest(raw: unknown, path: string): DatasetManifest {
  const bad = (what: string): never => {
    throw new DatasetError(`'${path}': ${what}; the manifest is damaged or from another tool: build the data set again`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const posInt = (v: unknown, f: string, min = 1): number => (Number.isInteger(v) && (v as number) >= min ? (v as number) : bad(`${f} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`));
  const str = (v: unknown, f: string): string => (typeof v === 'string' ? v : bad(`${f} must be a string, got ${JSON.stringify(v)}`));
  if (!isObj(raw)) return bad('the top level is not a JSON object');
  if (raw.format !== DATASET_FORMAT) return bad(`format is ${JSON.stringify(raw.format)}, expected "${DATASET_FORMAT}"`);
  if (raw.formatVersion !== 1) {
    throw new DatasetError(`'${path}': formatVersion ${JSON.stringify(raw.formatVersion)} is not supported (this t2vlab reads version 1); update t2vlab or rebuild the data set with this version`);
  }
  str(raw.name, 'name');
  for (const k of ['frames', 'height', 'width', 'channels']) posInt(raw[k], k);
  const g = raw.generator;
  if (!isObj(g) || typeof g.name !== 'string' || typeof g.version !== 'string' || !isObj(g.params)) return bad('generator must be {name: string, version: string, params: object}');
  if (!Array.isArray(raw.buckets) || !raw.buckets.every((b) => typeof b === 'string')) return bad('buckets must be an array of caption strings');
  const buckets = raw.buckets as string[];
  for (let i = 1; i < buckets.length; i++) if (!(buckets[i - 1]! < buckets[i]!)) bad(`buckets must be sorted and unique (entry ${i})`);
  if (!isObj(raw.splits)) return bad('splits must be an object {train, val, test}');
  const splits = raw.splits;
  for (const s of SPLITS) posInt(splits[s], `splits.${s}`, 0);
  if (!Array.isArray(raw.shards)) return bad('shards must be an array');
  const shards = raw.shards.map((s: unknown, k: number) => {
    if (!isObj(s)) return bad(`shards[${k}] must be {file, count}`);
    const file = str(s.file, `shards[${k}].file`);
    if (file !== shardFileName(k)) bad(`shards[${k}].file is ${JSON.stringify(file)}, expected "${shardFileName(k)}"`);
    return { file, count: posInt(s.count, `shards[${k}].count`) };
  });
  if (!Array.isArray(raw.videos)) return bad('videos must be an array');
  const seen = shards.map((s) => new Uint8Array(s.count));
  const counts: Record<Split, number> = { train: 0, val: 0, test: 0 };
  const ids = new Set<string>();
  raw.videos.forEach((v: unknown, i: number) => {
    const at = `videos[${i}]`;
    if (!isObj(v)) return bad(`${at} must be an object`);
    const id = str(v.id, `${at}.id`);
    if (ids.has(id)) bad(`${at}: duplicate id '${id}'`);
    ids.add(id);
    const caption = str(v.caption, `${at}.caption`);
    if (!SPLITS.includes(v.split as Split)) bad(`${at}.split must be one of ${SPLITS.join(', ')}`);
    counts[v.split as Split]++;
    const b = posInt(v.bucket, `${at}.bucket`, 0);
    if (buckets[b] !== caption) bad(`${at}: bucket ${b} is ${JSON.stringify(buckets[b])}, not its caption ${JSON.stringify(caption)}`);
    const k = posInt(v.shard, `${at}.shard`, 0);
    const n = posInt(v.index, `${at}.index`, 0);
    if (k >= shards.length || n >= shards[k]!.count) bad(`${at}: shard ${k} index ${n} is outside the listed shards`);
    if (seen[k]![n]) bad(`${at}: shard ${k} index ${n} is used by two videos`);
    seen[k]![n] = 1;
    if (!isObj(v.attributes)) bad(`${at}.attributes must be an object`);
    if (v.source !== undefined) str(v.source, `${at}.source`);
  });
  const total = shards.reduce((a, s) => a + s.count, 0);
  if (total !== raw.videos.length) bad(`the shards hold ${total} videos but ${raw.videos.length} are listed`);
  for (const s of SPLITS) if (counts[s] !== splits[s]) bad(`splits.${s} says ${String(splits[s])} but ${counts[s]} videos are in that split`);
  return raw as unknown as DatasetManifest;
}
