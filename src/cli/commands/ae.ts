/**
 * `t2v ae encode | decode | reconstruct`: use a trained video autoencoder (a `t2v train ae` run
 * folder) on a data set or on saved latents.
 *
 *   encode       a split's videos → latents.safetensors: `latents` (N, ...latent) float32 (the
 *                posterior means), `buckets` (N) int32; metadata: arch, run, data, split, aeSha256, ids and
 *                captions (JSON lists)
 *   decode       latents.safetensors → one GIF per video (named by id when the file has ids) and
 *                grid.gif of the first 16
 *   reconstruct  a split's first N videos → reconstruction.gif (animated: each pair of rows is
 *                originals over reconstructions), reconstruction.png (frame strips, same order),
 *                metrics.json (PSNR / SSIM mean and per video); prints PSNR and SSIM
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { UsageError, parseFlags, type Command } from '../command.js';
import { DatasetError, DatasetReader, SPLITS, type Split } from '../../data/format.js';
import { DataLoader } from '../../data/loader.js';
import { loadTensors, saveTensors } from '../../io/tensors.js';
import { writeJsonAtomic } from '../../io/atomic.js';
import { writeGif } from '../../media/gif.js';
import { writePng } from '../../media/png.js';
import { imageGrid, videoGrid } from '../../media/grid.js';
import { frameAt, type VideoU8 } from '../../media/video.js';
import { videosFromTensor } from '../../media/tensor-video.js';
import { psnrVideos, ssimVideos } from '../../metrics/stats/ssim.js';
import { AeRunError, loadAeRun } from '../../models/ae/index.js';
import type { ReconMetrics } from '../../models/ae/wae-task.js';
import type { VideoAeBase } from '../../models/ae/base.js';
import { LATENTS_FORMAT, aeWeightsDigest } from '../../diffusion/latents-file.js';

interface SplitBatches {
  reader: DatasetReader;
  loader: DataLoader;
  /** Videos to use (the first `count` of the split). */
  count: number;
}

/** A sequential loader over the first `n` videos of a split (n = 0: all), converted to the AE's channels. */
function openSplit(ae: VideoAeBase, data: string, split: Split, n: number, batch: number): SplitBatches {
  const reader = DatasetReader.open(data);
  const m = reader.manifest;
  const [, t, h, w] = ae.input;
  if (m.frames !== t || m.height !== h || m.width !== w) {
    reader.close();
    throw new DatasetError(`dataset '${data}' has ${m.frames}×${m.height}×${m.width} clips but the autoencoder was trained on ${t}×${h}×${w}; use matching data`);
  }
  const loader = new DataLoader(reader, { split, batchSize: batch, shuffle: false, channels: ae.input[0] as 1 | 3 });
  const total = loader.entries.length;
  return { reader, loader, count: n === 0 ? total : Math.min(n, total) };
}

/** Feed the first `count` videos of the split to `fn` batch by batch (the batch tensor is freed after). */
async function forEachBatch(s: SplitBatches, fn: (videos: Tensor, ids: string[], captions: string[], buckets: Int32Array) => void): Promise<void> {
  let seen = 0;
  for await (const b of s.loader.epoch(0)) {
    try {
      const take = Math.min(b.videos.size(0), s.count - seen);
      if (take <= 0) break;
      const v = take < b.videos.size(0) ? b.videos.narrow(0, 0, take) : b.videos; // (take, C, T, H, W)
      fn(v, b.ids.slice(0, take), b.captions.slice(0, take), b.buckets.slice(0, take));
      if (v !== b.videos) v.dispose();
      seen += take;
    } finally {
      b.videos.dispose();
    }
    if (seen >= s.count) break;
  }
}

/** Encode a split to a latents file; returns the latents' shape. */
export async function encodeSplit(runDir: string, data: string, split: Split, out: string, opts: { n?: number; batch?: number } = {}): Promise<number[]> {
  const ae = await loadAeRun(runDir);
  const digest = aeWeightsDigest(runDir); // the weights the latents came from (src/diffusion/latents-file.ts checks it)
  const s = openSplit(ae, data, split, opts.n ?? 0, opts.batch ?? 16);
  const parts: Tensor[] = [];
  const ids: string[] = [];
  const captions: string[] = [];
  const buckets: number[] = [];
  try {
    await forEachBatch(s, (v, bi, bc, bb) => {
      parts.push(T.noGrad(() => ae.encode(v))); // (b, ...latent)
      ids.push(...bi);
      captions.push(...bc);
      buckets.push(...bb);
    });
    const latents = T.cat(parts, { dim: 0 }); // (N, ...latent)
    const bucketT = T.tensor(Int32Array.from(buckets)); // (N)
    try {
      saveTensors(out, new Map([['latents', latents], ['buckets', bucketT]]), {
        format: LATENTS_FORMAT, arch: ae.arch, run: resolve(runDir), data: resolve(data), split, ids: JSON.stringify(ids), captions: JSON.stringify(captions),
        ...(digest !== null ? { aeSha256: digest } : {}),
      });
      return latents.shape;
    } finally {
      latents.dispose();
      bucketT.dispose();
    }
  } finally {
    for (const p of parts) p.dispose();
    s.reader.close();
    ae.dispose();
  }
}

/** Decode a latents file into GIFs under `outDir`; returns how many videos were written. */
export async function decodeLatents(runDir: string, latentsPath: string, outDir: string, opts: { n?: number; batch?: number; fps?: number } = {}): Promise<number> {
  if (!existsSync(latentsPath)) throw new UsageError(`latents file '${latentsPath}' does not exist; make one with \`t2v ae encode\``);
  const ae = await loadAeRun(runDir);
  const { tensors, metadata } = loadTensors(latentsPath);
  try {
    const z = tensors.get('latents');
    if (!z) throw new UsageError(`'${latentsPath}' has no 'latents' tensor (it has: ${[...tensors.keys()].join(', ') || 'none'}); make one with \`t2v ae encode\``);
    const ids: string[] = metadata.ids ? (JSON.parse(metadata.ids) as string[]) : [];
    const n = opts.n ? Math.min(opts.n, z.size(0)) : z.size(0);
    const batch = opts.batch ?? 16;
    mkdirSync(outDir, { recursive: true });
    const firsts: VideoU8[] = [];
    for (let i = 0; i < n; i += batch) {
      const videos = T.noGrad(() => T.tidy(() => videosFromTensor(ae.decode(z.narrow(0, i, Math.min(batch, n - i)).toDType('float32'))))); // each (T, H, W, C)
      videos.forEach((v, k) => {
        const name = (ids[i + k] ?? String(i + k).padStart(5, '0')).replace(/[^A-Za-z0-9._-]+/g, '_');
        writeGif(join(outDir, `${name}.gif`), v, { fps: opts.fps ?? 8 });
        if (firsts.length < 16) firsts.push(v);
      });
    }
    if (firsts.length > 0) writeGif(join(outDir, 'grid.gif'), videoGrid(rowsOf(firsts, 4)), { fps: opts.fps ?? 8 });
    return n;
  } finally {
    for (const t of tensors.values()) t.dispose();
    ae.dispose();
  }
}

function rowsOf<V>(xs: V[], cols: number): V[][] {
  const rows: V[][] = [];
  for (let i = 0; i < xs.length; i += cols) rows.push(xs.slice(i, i + cols));
  return rows;
}

export interface ReconstructResult {
  n: number;
  psnr: number;
  ssim: number;
  perVideo: { id: string; psnr: number; ssim: number }[];
}

/** Reconstruct the first `n` videos of a split (0 = all), write grids and metrics.json to `outDir`. */
export async function reconstructSplit(
  runDir: string, data: string, split: Split, outDir: string,
  opts: { n?: number; batch?: number; show?: number; fps?: number; metrics?: ReconMetrics } = {},
): Promise<ReconstructResult> {
  const metrics = opts.metrics ?? { psnr: psnrVideos, ssim: ssimVideos };
  const ae = await loadAeRun(runDir);
  const s = openSplit(ae, data, split, opts.n ?? 16, opts.batch ?? 16);
  const perVideo: ReconstructResult['perVideo'] = [];
  const shown: [VideoU8, VideoU8][] = [];
  const show = opts.show ?? 16;
  try {
    await forEachBatch(s, (x, ids) => {
      const { y, p, q } = T.noGrad(() => T.tidy(() => {
        const y = ae.decode(ae.encode(x)); // (b, C, T, H, W) in [0, 1]
        return { y, p: metrics.psnr(y, x), q: metrics.ssim(y, x) };
      }));
      try {
        ids.forEach((id, k) => perVideo.push({ id, psnr: p[k]!, ssim: q[k]! }));
        if (shown.length < show) {
          const a = videosFromTensor(x);
          const b = videosFromTensor(y);
          for (let k = 0; k < a.length && shown.length < show; k++) shown.push([a[k]!, b[k]!]);
        }
      } finally {
        y.dispose();
      }
    });
  } finally {
    s.reader.close();
    ae.dispose();
  }
  if (perVideo.length === 0) throw new DatasetError(`split '${split}' of '${data}' has no videos to reconstruct`);
  const mean = (k: 'psnr' | 'ssim'): number => perVideo.reduce((a, r) => a + r[k], 0) / perVideo.length;
  const result: ReconstructResult = { n: perVideo.length, psnr: mean('psnr'), ssim: mean('ssim'), perVideo };
  mkdirSync(outDir, { recursive: true });
  // Rows in pairs: up to 4 originals, then their reconstructions.
  const rows: VideoU8[][] = [];
  for (const group of rowsOf(shown, 4)) rows.push(group.map(([a]) => a), group.map(([, b]) => b));
  writeGif(join(outDir, 'reconstruction.gif'), videoGrid(rows), { fps: opts.fps ?? 8 });
  writePng(join(outDir, 'reconstruction.png'), imageGrid(shown.flatMap(([a, b]) => [a, b]).map((v) => Array.from({ length: v.frames }, (_, t) => frameAt(v, t)))));
  writeJsonAtomic(join(outDir, 'metrics.json'), { run: runDir, data, split, ...result });
  return result;
}

function splitFlag(v: unknown): Split {
  if (!SPLITS.includes(v as Split)) throw new UsageError(`--split must be one of ${SPLITS.join(', ')}, got '${String(v)}'`);
  return v as Split;
}

function intFlag(v: unknown, name: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${String(v)}`);
  return v;
}

/** Turn data-set and run-folder errors into a message and exit code 2. */
async function guarded(name: string, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (err instanceof DatasetError || err instanceof AeRunError) {
      process.stderr.write(`t2v ae ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

const ENCODE_USAGE = `usage: t2v ae encode --run RUN --data DIR --out FILE.safetensors [--split test] [--n N] [--batch 16]

Encode the videos of one split with the autoencoder of run folder RUN (posterior means) and write
FILE.safetensors: 'latents' (N, ...latent) float32, 'buckets' (N) int32, and metadata with the
video ids and captions.
  --split S   train | val | test                                  [test]
  --n N       only the first N videos of the split (0 = all)      [0]`;

const DECODE_USAGE = `usage: t2v ae decode --run RUN --latents FILE.safetensors --out DIR [--n N] [--batch 16] [--fps 8]

Decode the 'latents' of FILE (as written by \`t2v ae encode\`, or by a generator) with the
autoencoder of RUN; writes DIR/<id>.gif per video and DIR/grid.gif of the first 16.
  --n N       only the first N latents (0 = all)                  [0]`;

const RECONSTRUCT_USAGE = `usage: t2v ae reconstruct --run RUN --data DIR --out OUTDIR [--split test] [--n 16] [--show 16] [--batch 16]

Encode and decode the first N videos of a split; print PSNR and SSIM (mean over videos) and write
OUTDIR/reconstruction.gif (rows in pairs: originals over reconstructions), reconstruction.png
(frame strips, original then reconstruction) and metrics.json (mean and per video).
  --split S   train | val | test                                  [test]
  --n N       videos to reconstruct and score (0 = the whole split) [16]
  --show K    videos shown in the grids                           [16]`;

export const commands: Command[] = [
  {
    path: ['ae', 'encode'],
    summary: 'encode a split of a dataset into latents with a trained autoencoder',
    usage: ENCODE_USAGE,
    async run(argv) {
      const { flags } = parseFlags(argv, {
        run: { type: 'string', required: true }, data: { type: 'string', required: true }, out: { type: 'string', required: true },
        split: { type: 'string', default: 'test' }, n: { type: 'number', default: 0 }, batch: { type: 'number', default: 16 },
      });
      return guarded('encode', async () => {
        const shape = await encodeSplit(String(flags.run), String(flags.data), splitFlag(flags.split), String(flags.out), {
          n: intFlag(flags.n, 'n', 0), batch: intFlag(flags.batch, 'batch', 1),
        });
        process.stdout.write(`wrote ${flags.out}: latents [${shape.join(', ')}]\n`);
        return 0;
      });
    },
  },
  {
    path: ['ae', 'decode'],
    summary: 'decode saved latents into GIFs with a trained autoencoder',
    usage: DECODE_USAGE,
    async run(argv) {
      const { flags } = parseFlags(argv, {
        run: { type: 'string', required: true }, latents: { type: 'string', required: true }, out: { type: 'string', required: true },
        n: { type: 'number', default: 0 }, batch: { type: 'number', default: 16 }, fps: { type: 'number', default: 8 },
      });
      return guarded('decode', async () => {
        const n = await decodeLatents(String(flags.run), String(flags.latents), String(flags.out), {
          n: intFlag(flags.n, 'n', 0), batch: intFlag(flags.batch, 'batch', 1), fps: Number(flags.fps),
        });
        process.stdout.write(`wrote ${n} videos to ${flags.out}\n`);
        return 0;
      });
    },
  },
  {
    path: ['ae', 'reconstruct'],
    summary: 'reconstruct videos with a trained autoencoder; print PSNR/SSIM, write grids',
    usage: RECONSTRUCT_USAGE,
    async run(argv) {
      const { flags } = parseFlags(argv, {
        run: { type: 'string', required: true }, data: { type: 'string', required: true }, out: { type: 'string', required: true },
        split: { type: 'string', default: 'test' }, n: { type: 'number', default: 16 }, show: { type: 'number', default: 16 },
        batch: { type: 'number', default: 16 },
      });
      return guarded('reconstruct', async () => {
        const r = await reconstructSplit(String(flags.run), String(flags.data), splitFlag(flags.split), String(flags.out), {
          n: intFlag(flags.n, 'n', 0), show: intFlag(flags.show, 'show', 0), batch: intFlag(flags.batch, 'batch', 1),
        });
        process.stdout.write(`${r.n} videos: PSNR ${r.psnr.toFixed(2)} dB, SSIM ${r.ssim.toFixed(4)}; wrote ${join(String(flags.out), 'reconstruction.gif')}, reconstruction.png, metrics.json\n`);
        return 0;
      });
    },
  },
];
