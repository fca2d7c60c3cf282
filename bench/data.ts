/**
 * Data benchmarks (`npm run bench -- data`): SyncDraw-MM generation speed on the paper's default
 * set (Section 4.1, Table A.1: 10000 / 2000 / 2000 single-digit clips of (16, 64, 64, 1) uint8).
 * and data loader throughput on that set (one shuffled epoch of the train split into (64, 1, 16, 64,
 * 64) float32 batches). Each figure comes from one named function.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetReader } from '../src/data/format.js';
import { DataLoader } from '../src/data/loader.js';
import { DEFAULT_SPLITS, generateSyncDraw } from '../src/data/syncdraw/generator.js';

/**
 * Generate the default 14,000-video `single` SyncDraw-MM set into `dir` (a fresh temp folder by
 * default, removed afterwards) and time it, shard writes and the manifest included.
 */
export async function benchSyncDrawGeneration(dir?: string): Promise<{ syncdraw_videos_per_s: number; syncdraw_seconds: number }> {
  const out = dir ?? mkdtempSync(join(tmpdir(), 't2v-bench-syncdraw-'));
  try {
    const t0 = performance.now();
    const manifest = await generateSyncDraw({ out, preset: 'single', splits: { ...DEFAULT_SPLITS }, seed: 0 });
    const seconds = (performance.now() - t0) / 1000;
    return { syncdraw_videos_per_s: Math.round(manifest.videos.length / seconds), syncdraw_seconds: Number(seconds.toFixed(2)) };
  } finally {
    if (dir === undefined) rmSync(out, { recursive: true, force: true });
  }
}

/**
 * Iterate one shuffled epoch of the train split of the data set in `dir` into (B, C, T, H, W)
 * float32 batches in [0, 1] (B = 64, default prefetch), disposing each batch, and time it.
 */
export async function benchLoader(dir: string, batchSize = 64): Promise<{ loader_videos_per_s: number; loader_seconds: number; loader_batch: number[] }> {
  using reader = DatasetReader.open(dir);
  const loader = new DataLoader(reader, { split: 'train', batchSize, shuffle: true, seed: 0 });
  let videos = 0;
  let shape: number[] = [];
  const t0 = performance.now();
  for await (const batch of loader.epoch(0)) {
    videos += batch.indices.length;
    if (shape.length === 0) shape = batch.videos.shape;
    batch.videos.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { loader_videos_per_s: Math.round(videos / seconds), loader_seconds: Number(seconds.toFixed(2)), loader_batch: shape };
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 't2v-bench-data-'));
  try {
    const generation = await benchSyncDrawGeneration(dir);
    return { ...generation, ...(await benchLoader(dir)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
