import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interval, tQuantile975 } from '../../src/study/stats.js';
import { assertClose } from '../helpers/close.js';

test('tQuantile975: table values (ν ≤ 30) and the expansion beyond, against standard t tables', () => {
  // Student-t 0.975 quantiles (two-sided 95%) from published tables.
  const table: [number, number][] = [[1, 12.7062], [2, 4.3027], [3, 3.1824], [5, 2.5706], [10, 2.2281], [30, 2.0423], [31, 2.0395], [40, 2.0211], [60, 2.0003], [120, 1.9799], [1000, 1.9623]];
  for (const [df, t] of table) assert.ok(Math.abs(tQuantile975(df) - t) < 1e-4, `df ${df}: ${tQuantile975(df)} vs ${t}`);
  assert.throws(() => tQuantile975(0), /degrees of freedom/);
  assert.throws(() => tQuantile975(1.5), /degrees of freedom/);
});

test('interval n = 1: low = high = mean', () => {
  assert.deepEqual(interval([0.42]), { mean: 0.42, low: 0.42, high: 0.42, n: 1 });
  assert.deepEqual(interval([null, 7, null]), { mean: 7, low: 7, high: 7, n: 1 });
});

test('interval n = 2: [1, 3] → mean 2, s = √2, half-width t(1) · √2 / √2 = 12.7062', () => {
  const iv = interval([1, 3])!;
  assert.equal(iv.n, 2);
  assertClose([iv.mean], [2], 1e-12, 0);
  assertClose([iv.low], [2 - 12.7062], 1e-9, 0);
  assertClose([iv.high], [2 + 12.7062], 1e-9, 0);
});

test('interval n = 3: [1, 2, 6] → mean 3, s² = 7, half-width 4.30265 · √(7/3) = 6.572406', () => {
  const iv = interval([6, 1, 2])!;
  assert.equal(iv.n, 3);
  assertClose([iv.mean], [3], 1e-12, 0);
  assertClose([iv.low], [3 - 6.572406], 1e-6, 0);
  assertClose([iv.high], [3 + 6.572406], 1e-6, 0);
});

test('interval: nulls and non-finite values are left out; none left → null; equal values → zero width', () => {
  const iv = interval([1, null, 3, Number.NaN])!;
  assert.equal(iv.n, 2);
  assertClose([iv.high], [14.7062], 1e-9, 0);
  assert.equal(interval([]), null);
  assert.equal(interval([null, null]), null);
  assert.deepEqual(interval([5, 5, 5]), { mean: 5, low: 5, high: 5, n: 3 });
});
