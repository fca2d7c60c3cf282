import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { evaluate, formatTable, reportToJson, writeReport, type EvalReport } from '../../src/metrics/evaluate.js';
import type { MetricContext } from '../../src/metrics/types.js';
import { assertNoLeak } from '../helpers/leak.js';
import { assertClose } from '../helpers/close.js';
import { tempDir } from '../media/clips.js';
import { FakeClip, RED, WHITE, solidVideo } from './fake-clip.js';

function ctx(): MetricContext {
  return { fps: 8, clip: new FakeClip({ white: [1, 1, 1] }), videos: [
    { id: 'v0', prompt: 'white', video: solidVideo([WHITE, WHITE, RED]) }, // clipsim (1 + 1 − 1/3)/3 = 5/9; clip_temp (1 − 1/3)/2 = 1/3
    { id: 'v1', prompt: 'white', video: solidVideo([WHITE]) }, // clipsim 1; clip_temp undefined
  ] };
}

test('evaluate: report shape, metrics in order, timings, versions', async () => {
  await assertNoLeak(async () => {
    const skipped = [{ file: 'bad.mp4', error: 'broken' }];
    const r = await evaluate(ctx(), ['clipsim', 'clip_temp'], { skipped, source: 'gen/', settings: { prompts: 'p.txt' } });
    assert.equal(r.format, 't2vlab-eval');
    assert.equal(r.version, 1);
    assert.deepEqual(r.videos, { count: 2, skipped, source: 'gen/' });
    assert.deepEqual(Object.keys(r.metrics), ['clipsim', 'clip_temp']);
    assertClose([r.metrics['clipsim']!.aggregate, r.metrics['clip_temp']!.aggregate], [(5 / 9 + 1) / 2, 1 / 3], 1e-6);
    for (const m of Object.values(r.metrics)) assert.ok(typeof m.seconds === 'number' && m.seconds >= 0);
    assert.deepEqual(r.settings, { fps: 8, prompts: 'p.txt' });
    assert.equal(r.versions.node, process.version);
    assert.equal(r.versions.engine.torch, T.engineVersion().torch);
    assert.deepEqual(r.failed, {});
  });
});

test('evaluate: an unknown metric lists the valid ones; a metric that throws goes to failed', async () => {
  await assert.rejects(evaluate(ctx(), ['nope']), /unknown metric 'nope'; valid metrics: .*clipsim/);
  const c = ctx();
  delete c.clip;
  const r = await evaluate(c, ['clipsim']);
  assert.deepEqual(Object.keys(r.metrics), []);
  assert.match(r.failed['clipsim']!, /--clip DIR/);
  await assert.rejects(evaluate(c, ['clipsim'], { failFast: true }), /--clip DIR/);
});

test('JSON: NaN is written as null with a note; the file is the report', async () => {
  const { dir, cleanup } = tempDir('evaljson');
  try {
    const c = ctx();
    c.videos = [c.videos[1]!]; // one 1-frame video: clip_temp has no value at all
    const r = await evaluate(c, ['clipsim', 'clip_temp']);
    const path = join(dir, 'sub', 'results.json');
    writeReport(path, r);
    const text = readFileSync(path, 'utf8');
    assert.equal(text, reportToJson(r));
    const j = JSON.parse(text) as EvalReport;
    assert.equal(j.metrics['clip_temp']!.aggregate, null);
    assert.equal(j.metrics['clip_temp']!.perVideo[0]!.value, null);
    assert.match(j.metrics['clip_temp']!.perVideo[0]!.note!, /at least 2 frames/);
    assertClose([j.metrics['clipsim']!.aggregate], [1], 1e-9);
    assert.ok(j.notes.includes('metrics.clip_temp.aggregate was NaN; written as null'), j.notes.join('\n'));
    assert.ok(j.notes.some((n) => /^metrics\.clip_temp\.perVideo\[\*\]\.value: 1 NaN value/.test(n)), j.notes.join('\n'));
    assert.ok(Number.isNaN(r.metrics['clip_temp']!.aggregate)); // the in-memory report is untouched
  } finally {
    cleanup();
  }
});

test('formatTable: aligned rows with value, arrow and extractor; secondary metrics apart; failures listed', () => {
  const base = { perVideo: [], settings: {}, seconds: 0 };
  const report: EvalReport = {
    format: 't2vlab-eval', version: 1, videos: { count: 3, skipped: [{ file: 'x.mp4', error: 'bad' }] },
    metrics: {
      clipsim: { ...base, metric: 'clipsim', aggregate: 0.29314, extractor: 'clip-vit-b32', higherIsBetter: true },
      cscv: { ...base, metric: 'cscv', aggregate: NaN, extractor: 'clip-vit-b32', higherIsBetter: false },
      warp: { ...base, metric: 'warp', aggregate: 12.5, extractor: null, higherIsBetter: false, secondary: true },
    },
    failed: { fvd: 'needs --i3d DIR\nmore' }, settings: {}, versions: { node: 'v', engine: { torch: 't', parallel: 'p' } }, notes: [],
  };
  const lines = formatTable(report).split('\n');
  assert.equal(lines[0], '3 videos (1 file skipped)');
  const row = (name: string): string => lines.find((l) => l.startsWith(`${name} `))!;
  assert.match(row('clipsim'), /^clipsim\s+0\.2931\s+↑\s+clip-vit-b32$/);
  assert.match(row('cscv'), /^cscv\s+n\/a\s+↓\s+clip-vit-b32$/);
  assert.equal(row('clipsim').indexOf('0.2931'), row('cscv').indexOf('n/a')); // aligned
  const sec = lines.indexOf('secondary diagnostics');
  assert.ok(sec > lines.indexOf(row('cscv')));
  assert.ok(lines.indexOf(row('warp')) > sec);
  assert.match(row('warp'), /12\.5000\s+↓\s+-$/);
  assert.ok(lines.includes('  fvd: needs --i3d DIR'));
});
