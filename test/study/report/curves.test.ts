import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curveFromLog, parseTrainLog, pickFigure } from '../../../src/study/report/curves.js';

const log = [
  '{"type":"train","step":10,"epoch":0,"time":1.5,"lr":0.001,"loss":2.5,"videos_per_s":30}',
  '',
  '{"type":"val","step":10,"epoch":0,"time":2,"loss":9}',
  'not json',
  '{"step":20,"loss":1.25}',
  '{"type":"train","step":30,"loss":null}',
  '[1,2]',
].join('\n');

test('parseTrainLog: keeps train lines (and untyped ones), skips val lines, counts malformed lines', () => {
  const { records, bad } = parseTrainLog(log);
  assert.deepEqual(records.map((r) => r.step), [10, 20, 30]);
  assert.equal(bad, 2);
});

test('curveFromLog: (step, loss) points; lines without a finite figure are counted as skipped', () => {
  assert.deepEqual(curveFromLog(log, 1), { seed: 1, figure: 'loss', points: [[10, 2.5], [20, 1.25]], skipped: 3 });
});

test('pickFigure: loss first, else the first non-bookkeeping number', () => {
  assert.equal(pickFigure([{ step: 1, lr: 0.1, lr_text: 0.2, videos_per_s: 3, recon: 0.5, kl: 0.1 }]), 'recon');
  assert.equal(pickFigure([{ step: 1, recon: 0.5 }, { step: 2, loss: 0.4 }]), 'loss');
  assert.equal(pickFigure([{ step: 1, time: 3 }]), null);
});

test('curveFromLog: long logs are thinned to at most 300 points, keeping the last', () => {
  const long = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ step: i + 1, loss: 1 / (i + 1) })).join('\n');
  const c = curveFromLog(long, 0)!;
  assert.ok(c.points.length <= 301);
  assert.deepEqual(c.points[c.points.length - 1], [1000, 0.001]);
  assert.deepEqual(c.points[0], [1, 1]);
});
