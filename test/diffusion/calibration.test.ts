// Tests for src/diffusion/calibration.ts: μ and 1/σ̂ over the first n videos of the seeded order,
// against a plain float64 computation from the dataset bytes; independent of the chunk size;
// pooledStats against a hand computation.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetReader } from '../../src/data/format.js';
import { RandomSampler } from '../../src/data/sampler.js';
import { generateSyncDraw } from '../../src/data/syncdraw/generator.js';
import { calibrateLatents, pooledStats } from '../../src/diffusion/calibration.js';
import { PoolAutoencoder } from '../../src/diffusion/stand-ins.js';
import { assertNoLeak } from '../helpers/leak.js';

let data = '';
before(async () => {
  data = join(mkdtempSync(join(tmpdir(), 't2v-calibration-')), 'data');
  await generateSyncDraw({ out: data, splits: { train: 12, val: 0, test: 0 }, frames: 4, size: 32, seed: 9 });
});

test('pooledStats: mean and unbiased std over all parts', () => {
  const r = pooledStats([Float32Array.from([1, 2]), Float32Array.from([3, 4, 5])]);
  assert.equal(r.n, 5);
  assert.equal(r.mean, 3);
  assert.ok(Math.abs(r.std - Math.sqrt(2.5)) < 1e-12); // Σ(x−3)² = 10, /(5−1)
});

test('μ and λ come from the first n videos of RandomSampler(seed) epoch 0, whatever the chunk size', async () => {
  const reader = DatasetReader.open(data);
  try {
    const ae = new PoolAutoencoder([4, 32, 32]); // one latent value per video: 2·mean(pixels) − 1
    // Independent: the order, the per-video means, the statistics.
    const entries = reader.videos('train');
    const order = new RandomSampler(entries.length, 3).epoch(0).slice(0, 5);
    const z = order.map((i) => {
      const v = reader.read(entries[i]!);
      return (2 * v.reduce((a, b) => a + b / 255, 0)) / v.length - 1;
    });
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const std = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / (z.length - 1));
    await assertNoLeak(async () => {
      for (const chunk of [2, 16]) {
        const c = await calibrateLatents(ae, reader, { split: 'train', videos: 5, seed: 3, chunk });
        assert.equal(c.videos, 5);
        assert.equal(c.elements, 5);
        assert.ok(Math.abs(c.shift - mean) < 1e-6, `chunk ${chunk}: shift ${c.shift} vs ${mean}`);
        assert.ok(Math.abs(c.scale * std - 1) < 1e-5, `chunk ${chunk}: scale ${c.scale} vs ${1 / std}`);
      }
    });
    const other = await calibrateLatents(ae, reader, { split: 'train', videos: 5, seed: 4 });
    assert.notEqual(other.shift, mean, 'another seed, other videos');
    await assert.rejects(calibrateLatents(ae, reader, { split: 'val', videos: 5, seed: 3 }), /has no videos in split 'val'/);
    await assert.rejects(calibrateLatents(ae, reader, { split: 'train', videos: 1, seed: 3 }), /videos must be an integer ≥ 2, got 1/);
  } finally {
    reader.close();
  }
});
