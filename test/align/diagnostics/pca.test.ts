import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matrix, pca } from '../../../src/align/diagnostics/pca.js';
import { assertNoLeak } from '../../helpers/leak.js';

test('points on a line: the first component explains all the variance and is the line direction', () => {
  const u = [1, -2, 0.5, 3, 0];
  const norm = Math.hypot(...u);
  const ts = Array.from({ length: 30 }, (_, i) => i / 3 - 4);
  const x = matrix(30, 5, ts.flatMap((t) => u.map((v, k) => 7 + k + t * v)));
  assertNoLeak(() => {
    const { model, projected } = pca(x, 2);
    assert.ok(model.explainedVarianceRatio[0]! > 1 - 1e-9, `${model.explainedVarianceRatio}`);
    assert.ok(model.explainedVarianceRatio[1]! < 1e-9);
    const c = Array.from(model.components.data.subarray(0, 5));
    const cosine = c.reduce((s, v, k) => s + v * u[k]!, 0) / norm;
    assert.ok(Math.abs(Math.abs(cosine) - 1) < 1e-9);
    // projections are ±(t − mean t)·|u|
    const sign = Math.sign(cosine);
    const tm = ts.reduce((a, b) => a + b, 0) / ts.length;
    ts.forEach((t, i) => assert.ok(Math.abs(projected.data[i * 2]! - sign * (t - tm) * norm) < 1e-9));
  });
});

test('explained variance by hand: (±2, 0), (0, ±1) → variances 8/3 and 2/3, ratios 0.8 and 0.2', () => {
  const { model } = pca(matrix(4, 2, [2, 0, -2, 0, 0, 1, 0, -1]), 2);
  assert.ok(Math.abs(model.explainedVariance[0]! - 8 / 3) < 1e-12);
  assert.ok(Math.abs(model.explainedVariance[1]! - 2 / 3) < 1e-12);
  assert.ok(Math.abs(model.explainedVarianceRatio[0]! - 0.8) < 1e-12);
  assert.ok(Math.abs(Math.abs(model.components.data[0]!) - 1) < 1e-12, 'first axis is x');
});
