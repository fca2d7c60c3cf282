// The motion metrics are registered by name, each naming its reference and what it needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getMetric, listMetrics } from '../../../src/metrics/registry.js';
import { METRICS } from '../../../src/metrics/motion/index.js';

test('motion metrics are in the registry with references and needs', () => {
  const names = METRICS.map((m) => m.name);
  assert.deepEqual(names, ['warping_error', 'temporal_flickering', 'motion_smoothness', 'dynamic_degree', 'fvmd']);
  for (const m of METRICS) {
    assert.equal(getMetric(m.name), m);
    assert.ok(listMetrics().includes(m));
    assert.match(m.reference, /metrics\.md/);
  }
  assert.deepEqual(getMetric('fvmd').needs, ['reference']);
  assert.deepEqual(getMetric('warping_error').needs, []);
  assert.equal(getMetric('warping_error').higherIsBetter, false);
  assert.equal(getMetric('motion_smoothness').higherIsBetter, true);
});
