/**
 * A minimal training loop for the alignment tasks, standing in for the generic trainer
 * (src/train/trainer.ts, written in parallel) until they are merged: epochs of the loader's
 * batches, one `trainStep` per batch, figures averaged over `logEvery` steps, and the trained
 * modules written in the trainer's run layout:
 *
 *   RUN/model/<module>.safetensors   each module's state dict (PyTorch keys)
 *   RUN/model/task.json              {kind, ...task.describe()}: what rebuilds the modules
 *
 * No checkpoints, resume, EMA or validation cadence: the trainer brings those.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataLoader } from '../data/loader.js';
import type { DatasetReader } from '../data/format.js';
import type { TrainTask } from '../train/types.js';
import { saveTensors } from '../io/tensors.js';
import { writeJsonAtomic } from '../io/atomic.js';
import type { AlignTask } from './base.js';

export interface TrainAlignOptions {
  steps: number;
  /** Max gradient norm per optimizer; null: no clipping. */
  clipNorm: number | null;
  /** Called every `logEvery` steps (and after the last) with the window's mean figures. */
  log?: (record: Record<string, number>) => void;
  logEvery?: number;
}

export interface TrainAlignResult {
  steps: number;
  epochs: number;
  seconds: number;
  /** Mean figures of the last logged window. */
  last: Record<string, number>;
}

export async function trainAlign(task: TrainTask, loader: DataLoader, opts: TrainAlignOptions): Promise<TrainAlignResult> {
  const logEvery = opts.logEvery ?? 50;
  const t0 = performance.now();
  let step = 0;
  let epoch = 0;
  let window: Record<string, number[]> = {};
  let last: Record<string, number> = {};
  const flush = (): void => {
    last = Object.fromEntries(Object.entries(window).map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length]));
    opts.log?.({ step, epoch, seconds: (performance.now() - t0) / 1000, ...last });
    window = {};
  };
  while (step < opts.steps) {
    let batches = 0;
    for await (const batch of loader.epoch(epoch)) {
      batches++;
      try {
        const figures = task.trainStep(batch, { step, epoch, clipNorm: opts.clipNorm, syncGrads: () => {} });
        for (const [k, v] of Object.entries(figures)) (window[k] ??= []).push(v);
      } finally {
        batch.videos.dispose();
      }
      step++;
      if (step % logEvery === 0 || step === opts.steps) flush();
      if (step >= opts.steps) break;
    }
    if (batches === 0) throw new Error('trainAlign: the loader gave no batches in an epoch; use a smaller batch size or more training videos');
    epoch++;
  }
  return { steps: step, epochs: epoch, seconds: (performance.now() - t0) / 1000, last };
}

/**
 * Encode every video of the training split, in order, into the task's latent cache (the cache is
 * keyed by the training loader's positions, so it must be that split, read sequentially).
 * Returns how many were encoded (cached ones are skipped).
 */
export async function precomputeLatents(
  task: AlignTask, reader: DatasetReader, opts: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<number> {
  const loader = new DataLoader(reader, { split: 'train', batchSize: opts.batchSize ?? 64, sampler: 'sequential' });
  let done = 0;
  let encoded = 0;
  for await (const batch of loader.epoch(0)) {
    try {
      encoded += task.cacheLatents(batch);
    } finally {
      batch.videos.dispose();
    }
    done += batch.indices.length;
    opts.onProgress?.(done, loader.entries.length);
  }
  return encoded;
}

/** Write `RUN/model/<module>.safetensors` and `RUN/model/task.json` (the trainer's layout). */
export function saveAlignModel(task: TrainTask, runDir: string, extra: Record<string, unknown> = {}): void {
  const dir = join(runDir, 'model');
  mkdirSync(dir, { recursive: true });
  for (const [name, m] of Object.entries(task.modules())) {
    const sd = m.stateDict();
    try {
      saveTensors(join(dir, `${name}.safetensors`), sd, { format: 'pt' });
    } finally {
      for (const t of sd.values()) t.dispose();
    }
  }
  writeJsonAtomic(join(dir, 'task.json'), { kind: task.kind, ...task.describe(), ...extra });
}
