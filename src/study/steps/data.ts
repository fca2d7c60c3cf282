/**
 * The study's own data set: a `single` SyncDraw-MM set (paper §4.1; `t2v data syncdraw`) at the
 * preset's size, generated once into `data/single` and shared by every seed (method.md: the same
 * data split for every method).
 */
import { join } from 'node:path';
import { generateSyncDraw } from '../../data/syncdraw/generator.js';
import type { StepOf } from '../plan.js';
import type { RunContext } from '../run.js';

export async function generateDataStep(step: StepOf<'data'>, ctx: RunContext): Promise<Record<string, unknown>> {
  const d = step.data;
  const t0 = performance.now();
  let last = 0;
  const m = await generateSyncDraw({
    out: ctx.abs(step.datasetDir), preset: 'single', splits: { train: d.train, val: d.val, test: d.test }, frames: d.frames, size: d.size, seed: d.seed,
    onProgress: (done, total) => {
      const now = performance.now();
      if (done === total || now - last > 10_000) {
        last = now;
        ctx.log(`  ${done}/${total} videos (${((now - t0) / 1000).toFixed(0)} s)`);
      }
    },
  });
  return { dir: join(step.datasetDir), name: m.name, splits: m.splits, frames: m.frames, size: m.height, buckets: m.buckets.length };
}
