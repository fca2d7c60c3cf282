import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decimalsFor, esc, formatInterval, formatNumber, formatSeconds } from '../../../src/study/report/format.js';
import { niceTicks } from '../../../src/study/report/svg.js';

test('formatInterval: mean [low, high] with three significant digits; mean only for one seed; dash for null', () => {
  assert.equal(formatInterval({ mean: 0.3123, low: 0.29, high: 0.3341, n: 3 }), '0.312 [0.290, 0.334]');
  assert.equal(formatInterval({ mean: 512.34, low: 498.2, high: 526.9, n: 3 }), '512 [498, 527]');
  assert.equal(formatInterval({ mean: 0.3123, low: 0.3123, high: 0.3123, n: 1 }), '0.312');
  assert.equal(formatInterval(null), '—');
  assert.equal(formatInterval({ mean: -0.05, low: -0.12, high: 0.02, n: 2 }, 3), '\u22120.050 [\u22120.120, 0.020]');
  assert.equal(formatInterval({ mean: 0.31, low: 0.3096, high: 0.3104, n: 4 }), '0.3100 [0.3096, 0.3104]');
});

test('decimalsFor / formatNumber: digits from magnitude and half-width; no negative zero', () => {
  assert.equal(decimalsFor([0.312, 0.287]), 3);
  assert.equal(decimalsFor([512.3]), 0);
  assert.equal(decimalsFor([12.3]), 1);
  assert.equal(decimalsFor([0.0123]), 4);
  assert.equal(decimalsFor([0.31], [0.0004]), 4); // a 0.0004 half-width needs a 4th decimal
  assert.equal(decimalsFor([]), 2);
  assert.equal(formatNumber(-0.0001, 2), '0.00');
  assert.equal(formatNumber(null), '—');
  assert.equal(formatNumber(Number.NaN), '—');
  assert.equal(formatSeconds(42), '42 s');
  assert.equal(formatSeconds(150), '2.5 min');
  assert.equal(esc('<a href="x">&\''), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
});

test('niceTicks: round steps of 1, 2 or 5 covering the range', () => {
  assert.deepEqual(niceTicks(0.27, 0.33, 4), { lo: 0.25, hi: 0.35, step: 0.05, ticks: [0.25, 0.3, 0.35] });
  assert.deepEqual(niceTicks(0, 400, 5).ticks, [0, 100, 200, 300, 400]);
  const flat = niceTicks(2, 2, 5);
  assert.ok(flat.lo < 2 && flat.hi > 2);
});
