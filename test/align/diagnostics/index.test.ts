import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../../src/tensor/index.js';
import { generateSyncDraw } from '../../../src/data/syncdraw/generator.js';
import { DatasetReader } from '../../../src/data/format.js';
import { DataLoader } from '../../../src/data/loader.js';
import { createAlignTask } from '../../../src/align/methods.js';
import { NoiseWords } from '../../../src/align/noise-words.js';
import { alignmentDiagnostics } from '../../../src/align/diagnostics/index.js';
import { alignPreset } from '../../../src/align/presets.js';
import { decodePng } from '../../../src/media/png.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { FakeAe, FakeConditioner } from '../fakes.js';

const INPUT: [number, number, number, number] = [1, 4, 32, 32];

test('diagnostics write PCA/t-SNE/UMAP PNGs for both spaces and collapse measures to JSON', async () => {
  const root = mkdtempSync(join(tmpdir(), 't2v-diag-'));
  await generateSyncDraw({ out: join(root, 'sd'), preset: 'single', splits: { train: 0, val: 0, test: 40 }, frames: 4, size: 32, seed: 5 });
  const reader = DatasetReader.open(join(root, 'sd'));
  T.manualSeed(0);
  const ae = new FakeAe('conv3d-base', [6], INPUT);
  const methods = ['progressive-bucket', 'nonprog-infonce'] as const;
  try {
    for (const method of methods) {
      const task = createAlignTask(method, { ae, conditioner: new FakeConditioner(), input: INPUT, trainSize: 1, noise: NoiseWords.fromCorpus(reader.manifest.buckets) }, { hidden: 16, sharedDim: 4 });
      const out = join(root, method);
      const budget = { ...alignPreset('micro').diagnostics, points: 30, plotPoints: 20 };
      task.textFeatures(reader.manifest.buckets); // fill the caption cache first: cached rows are host memory, not tensors
      await assertNoLeak(async () => {
        const loader = new DataLoader(reader, { split: 'test', batchSize: 16, sampler: 'sequential' });
        await alignmentDiagnostics(task, loader, out, budget, { seed: 0 });
      });
      const report = JSON.parse(readFileSync(join(out, 'diagnostics.json'), 'utf8'));
      assert.equal(report.points, 30);
      const spaces = method === 'progressive-bucket' ? ['video_latent', 'shared'] : ['video_latent'];
      assert.deepEqual(Object.keys(report.spaces), spaces);
      for (const s of spaces) {
        const r = report.spaces[s];
        assert.ok(r.collapse.varianceRatio >= 0 && r.collapse.centroidAccuracy >= 0 && r.collapse.centroidAccuracy <= 1);
        assert.ok(r.collapseClean.varianceRatio < 1e-9, `clean captions: every code of a bucket coincides (${JSON.stringify(r.collapseClean)})`);
        for (const k of ['pca', 'tsne', 'umap']) {
          const im = decodePng(readFileSync(join(out, r.plots[k])));
          assert.deepEqual([im.width, im.height, im.channels], [512, 512, 3]);
          assert.ok(im.data.some((v) => v !== 255), `${s} ${k} plot is blank`);
        }
      }
      assert.ok(report.buckets.length > 1 && report.buckets.every((b: { color: string }) => /^#[0-9a-f]{6}$/.test(b.color)));
      task.dispose();
    }
  } finally {
    ae.dispose();
    reader.close();
    rmSync(root, { recursive: true, force: true });
  }
});
