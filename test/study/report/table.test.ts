import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beyondCeiling, renderTables } from '../../../src/study/report/table.js';
import { bestInColumn, splitMetrics } from '../../../src/study/report/view.js';
import { fixtureResults } from '../fixture.js';

const col = (pairs: [string, number | null][]) => pairs.map(([id, value]) => ({ id, value }));

test('bestInColumn: higher is better, lower is better, nulls never win', () => {
  const v = col([['a', 0.3], ['b', 0.5], ['c', null], ['d', 0.4]]);
  assert.deepEqual([...bestInColumn(v, true)], ['b']);
  assert.deepEqual([...bestInColumn(v, false)], ['a']);
  assert.deepEqual([...bestInColumn(col([['a', null], ['b', null]]), true)], []);
  assert.deepEqual([...bestInColumn(col([['a', -2], ['b', -1]]), false)], ['a']);
});

test('bestInColumn: ties are all marked, exactly or as displayed', () => {
  assert.deepEqual([...bestInColumn(col([['a', 0.5], ['b', 0.4], ['c', 0.5]]), true)], ['a', 'c']);
  assert.deepEqual([...bestInColumn(col([['a', 0.1], ['b', 0.1], ['c', 0.4]]), false)], ['a', 'b']);
  // 0.501 and 0.499 both read 0.50 at two decimals: both best; at full precision only a.
  const close = col([['a', 0.501], ['b', 0.499], ['c', 0.3]]);
  assert.deepEqual([...bestInColumn(close, true, 2)], ['a', 'b']);
  assert.deepEqual([...bestInColumn(close, true)], ['a']);
});

/** The <td> cells of one method's row in a table (by id), in column order. */
function cells(html: string, table: string, method: string): string[] {
  const t = html.slice(html.indexOf(`<table id="${table}"`));
  const row = t.slice(t.indexOf(`<tr data-method="${method}"`));
  return row.slice(0, row.indexOf('</tr>')).split('<td').slice(1);
}

test('renderTables: the best cells of the fixture are marked per column (higherIsBetter respected, ties both)', () => {
  const r = fixtureResults();
  const { primary, secondary } = splitMetrics(r);
  const html = renderTables(r, primary, secondary);
  const idx = (name: string) => primary.findIndex((m) => m.name === name);
  const best = (method: string, metric: string) => cells(html, 'comparison', method)[idx(metric)]!.includes('class="num best"');
  // CLIPSIM (higher better): dit-conv3d-base 0.315 is the largest mean.
  assert.deepEqual(r.methods.filter((m) => best(m.id, 'clipsim')).map((m) => m.id), ['dit-conv3d-base']);
  // Warping error and FVD (lower better): dit-conv3d-base has the smallest means (0.0105, 381).
  assert.deepEqual(r.methods.filter((m) => best(m.id, 'warping_error')).map((m) => m.id), ['dit-conv3d-base']);
  assert.deepEqual(r.methods.filter((m) => best(m.id, 'fvd')).map((m) => m.id), ['dit-conv3d-base']);
  // Attribute accuracy: progressive-bucket and dit-conv3d-base tie at 0.720.
  assert.deepEqual(r.methods.filter((m) => best(m.id, 'attribute_acc')).map((m) => m.id), ['progressive-bucket', 'dit-conv3d-base']);
  // Interval shown under the mean: (0.31 + 0.32) / 2 = 0.315, half-width 12.706 * 0.00707 / 1.414 = 0.0635.
  assert.match(cells(html, 'comparison', 'dit-conv3d-base')[idx('clipsim')]!, /<span class="mean">0\.315<\/span><span class="ci">\[0\.251, 0\.379\]<\/span>/);
  // One column per primary metric plus steps/train/sample; the secondary table holds the rest.
  assert.equal(cells(html, 'comparison', 'joint-fixed').length, primary.length + 3);
  assert.equal(cells(html, 'secondary', 'joint-fixed').length, secondary.length);
});

test('renderTables: a null aggregate is a dash whose title explains it (with the run note)', () => {
  const r = fixtureResults();
  const { primary, secondary } = splitMetrics(r);
  const html = renderTables(r, primary, secondary);
  const cell = cells(html, 'secondary', 'joint-fixed')[secondary.findIndex((m) => m.name === 'b_psnr')]!;
  assert.match(cell, /class="num none"/);
  assert.match(cell, />—<\/td>/);
  assert.match(cell, /title="No value: B-PSNR is undefined for Joint, fixed length.*seed 0: b_psnr: undefined, the method generates a single bucket/);
  // The ceiling row: a value where given, a dash with a reason for FVD (null ceiling).
  const t = html.slice(html.indexOf('<table id="comparison"'));
  const ceiling = t.slice(t.indexOf('<tr class="ceiling"'), t.indexOf('</tr>', t.indexOf('<tr class="ceiling"')));
  assert.match(ceiling, /<td class="num" title="real test videos, mean over seeds">0\.350<\/td>/);
  assert.match(ceiling, /title="No ceiling: FVD was not computed on real videos/);
});

test('renderTables: a mean beyond the real-video ceiling in the better direction is marked † with the reason; equal-looking or worse is not', () => {
  const r = fixtureResults();
  const { primary, secondary } = splitMetrics(r);
  const html = renderTables(r, primary, secondary);
  const cellOf = (method: string, metric: string): string => {
    const inPrimary = primary.findIndex((m) => m.name === metric);
    return inPrimary >= 0 ? cells(html, 'comparison', method)[inPrimary]! : cells(html, 'secondary', method)[secondary.findIndex((m) => m.name === metric)]!;
  };
  // dynamic_degree (higher better), ceiling 0.5: dit-conv3d-base's mean (0.6 + 0.62)/2 = 0.61 is beyond.
  assert.match(cellOf('dit-conv3d-base', 'dynamic_degree'), /class="num[^"]* beyond"/);
  assert.match(cellOf('dit-conv3d-base', 'dynamic_degree'), /beyond the real test videos&#39; own value \(0\.500\)/);
  // progressive-bucket's 0.45 is below it; B-PSNR 22.3 < 30 and warping error 0.013 > 0.008 (lower better) are not beyond.
  assert.doesNotMatch(cellOf('progressive-bucket', 'dynamic_degree'), /beyond/);
  assert.doesNotMatch(cellOf('progressive-bucket', 'b_psnr'), /beyond/);
  assert.doesNotMatch(cellOf('progressive-bucket', 'warping_error'), /beyond/);
});

test('beyondCeiling: direction, display rounding, no ceiling', () => {
  assert.equal(beyondCeiling(19.69, 16.81, true, 2), true);
  assert.equal(beyondCeiling(16.0, 16.81, true, 2), false);
  assert.equal(beyondCeiling(0.007, 0.008, false, 3), true);
  assert.equal(beyondCeiling(0.009, 0.008, false, 3), false);
  assert.equal(beyondCeiling(0.3504, 0.35, true, 3), false, '0.350 reads as the ceiling: not beyond');
  assert.equal(beyondCeiling(0.9, null, true, 2), false);
  assert.equal(beyondCeiling(0.9, undefined, true, 2), false);
});
