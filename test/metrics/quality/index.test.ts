// The quality group registers its metrics under the agreed names, with their needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { METRICS } from '../../../src/metrics/quality/index.js';
import { getMetric } from '../../../src/metrics/registry.js';

test('quality metrics are registered by name with their needs and secondary flags', () => {
  const names = METRICS.map((m) => m.name);
  assert.deepEqual(names, [
    'psnr', 'ssim', 't_ssim', 'b_psnr', 'b_ssim', 'intra_bucket_diversity', 'fvd', 'kvd', 'subject_consistency',
    'blur_laplacian_var', 'checkerboard_entropy', 'color_inconsistency',
  ]);
  for (const n of names) assert.equal(getMetric(n).name, n);
  for (const n of ['psnr', 'ssim', 'b_psnr', 'b_ssim', 'fvd', 'kvd']) assert.ok(getMetric(n).needs.includes('reference'), n);
  assert.deepEqual(getMetric('subject_consistency').wants, ['dino', 'clip', 'domain']);
  assert.deepEqual(METRICS.filter((m) => m.secondary).map((m) => m.name), ['blur_laplacian_var', 'checkerboard_entropy', 'color_inconsistency']);
});
