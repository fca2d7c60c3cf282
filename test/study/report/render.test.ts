import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_URI_MAX_BYTES, loadAsset } from '../../../src/study/report/assets.js';
import { verdicts } from '../../../src/study/report/headline.js';
import { renderReport, StudyResultsError, writeReport } from '../../../src/study/report/index.js';
import { writeStudyFixture, type StudyFixture, METHODS, PROMPTS, VALUES, fixtureResults, interval } from '../fixture.js';

let fx: StudyFixture;
let html = '';
const CLIP_URL = 'https://huggingface.co/openai/clip-vit-base-patch32';

before(() => {
  // A URL in the config: it must appear only as text, never as a resource to fetch.
  fx = writeStudyFixture({ mutate: (r) => { r.config.clipSource = CLIP_URL; } });
  html = renderReport(fx.dir);
});
after(() => fx.cleanup());

const text = (s: string) => s.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
const section = (id: string) => html.slice(html.indexOf(`<section id="${id}">`), html.indexOf('</section>', html.indexOf(`<section id="${id}">`)));

test('renderReport: no references to external resources (only data URIs and relative paths)', () => {
  assert.ok(html.startsWith('<!doctype html>'));
  assert.doesNotMatch(html, /\b(?:src|href|poster|srcset|action|data)\s*=\s*["']?\s*(?:https?:)?\/\//i);
  assert.doesNotMatch(html, /url\(\s*["']?\s*(?:https?:)?\/\//i);
  assert.doesNotMatch(html, /@import|<link\b|<script[^>]*\bsrc=|<iframe|<object/i);
  // The config's URL is shown, escaped, as text.
  assert.ok(html.includes(`&quot;clipSource&quot;: &quot;${CLIP_URL}&quot;`));
  assert.equal(html.split(/https?:\/\//).length - 1, 1, 'the only http(s) URL is the config text');
});

test('renderReport: the headline answers from the aggregates with the preset and seed caveat', () => {
  const s = text(section('answer'));
  // Fixture: specialised leads on clipsim, warping_error, fvd, motion_smoothness (fvd clearly); joint on r_precision, subject_consistency; attribute_acc ties.
  assert.match(s, /The specialised family leads on 4 of 7 primary metrics \(1 with non-overlapping intervals\); the joint family leads on 2 \(0 with non-overlapping intervals\)\./);
  assert.match(s, /On CLIPSIM-domain ↑ the specialised family leads: DiT · 3DConv-Base 0\.315 \[0\.251, 0\.379\] vs Progressive bucket 0\.275 \[0\.211, 0\.339\] \(the 95% intervals overlap: not a clear difference\)\./);
  assert.match(s, /Preset micro, 2 seeds \(0, 1\), data single \(40 train \/ 8 val \/ 8 test videos\)/);
  const v = Object.fromEntries(verdicts(fixtureResults()).map((x) => [x.metric.name, [x.leader, x.clear]]));
  assert.deepEqual(v, {
    clipsim: ['specialised', false], r_precision: ['joint', false], attribute_acc: ['tie', false], warping_error: ['specialised', false],
    fvd: ['specialised', true], motion_smoothness: ['specialised', false], subject_consistency: ['joint', false],
  });
});

test('verdicts: a nearly static leader on smoothness, flicker or consistency is flagged and never clear', () => {
  const r = fixtureResults();
  // dit-causal-vae leads motion_smoothness; make its videos nearly static (real videos: 0.5).
  r.aggregates['dit-causal-vae']!.dynamic_degree = { mean: 0.2, low: 0.1, high: 0.3, n: 2 };
  const ms = verdicts(r).find((v) => v.metric.name === 'motion_smoothness')!;
  assert.equal(ms.leader, 'specialised');
  assert.deepEqual(ms.staticLeader, { dynamic: 0.2, real: 0.5 });
  assert.equal(ms.clear, false);
  // Metrics a frozen video does not win are untouched: dit-conv3d-base (0.61) still leads fvd clearly.
  const fvd = verdicts(r).find((v) => v.metric.name === 'fvd')!;
  assert.deepEqual([fvd.leader, fvd.clear, fvd.staticLeader], ['specialised', true, null]);
  // At exactly half the real videos' degree (0.25) it is not flagged; without a ceiling the bar is 0.2.
  r.aggregates['dit-causal-vae']!.dynamic_degree = { mean: 0.25, low: 0.2, high: 0.3, n: 2 };
  assert.equal(verdicts(r).find((v) => v.metric.name === 'motion_smoothness')!.staticLeader, null);
  r.ceilings.dynamic_degree = null;
  r.aggregates['dit-causal-vae']!.dynamic_degree = { mean: 0.15, low: 0.1, high: 0.2, n: 2 };
  assert.deepEqual(verdicts(r).find((v) => v.metric.name === 'motion_smoothness')!.staticLeader, { dynamic: 0.15, real: null });
  const fixed = writeStudyFixture({ mutate: (x) => { x.ceilings = r.ceilings; x.aggregates = r.aggregates; } });
  try {
    const page = renderReport(fixed.dir);
    assert.match(page, /leads · static/);
    assert.match(text(page), /static videos: dynamic degree 0\.15(?!,)/, 'in the cell, without a real-video figure');
    assert.match(page, /title="static videos: dynamic degree 0\.15: a frozen video scores best on this metric/);
  } finally {
    fixed.cleanup();
  }
});

test('renderReport: sample grids (one GIF per method, prompts as row labels), latent plot, charts', () => {
  const samples = section('samples');
  assert.equal(samples.match(/<img class="sample" src="data:image\/gif;base64,R0lGODlh/g)?.length, METHODS.length); // "GIF89a" in base64
  const order = PROMPTS.map((p) => text(samples).indexOf(p));
  assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)), 'prompts shown in row order');
  assert.match(section('latents'), /<img src="data:image\/png;base64,iVBORw0KGgo[^"]*" alt="Latent PCA, coloured by digit \(DiT · 3DConv-Base\)">/);
  const charts = section('charts');
  assert.equal(charts.match(/<figure class="chart">/g)?.length, 9, 'one chart per metric');
  assert.match(charts, /FVD \(↓ lower is better\) · extractor: i3d-kinetics400/);
});

test('renderReport: training curves from log.jsonl, seeds overlaid, fallback figure named', () => {
  const curves = section('curves');
  assert.equal(curves.match(/<figure class="curve">/g)?.length, METHODS.length);
  assert.equal(curves.match(/<polyline /g)?.length, METHODS.length * 2, 'one line per seed');
  assert.match(curves, /<title id="curve-3-title">DiT · causal VAE: training eps_mse by step<\/title>/);
  // 40 train records per log (steps 10..400); the val record is not plotted.
  const first = curves.match(/points="([^"]+)"/)![1]!.split(' ');
  assert.equal(first.length, 40);
});

test('renderReport: a missing asset becomes a visible notice listed at the top, not a broken image', () => {
  const f = writeStudyFixture({ mutate: (r) => { r.assets.samples['joint-fixed'] = 'assets/nope.gif'; } });
  try {
    const h = renderReport(f.dir);
    assert.match(h, /<div class="problems" role="alert"><strong>1 file\(s\) named in results.json could not be shown:<\/strong><ul><li><code>assets\/nope.gif<\/code>: file not found/);
    assert.match(h, /<div class="missing sample" role="note">missing: <code>assets\/nope.gif<\/code>/);
    assert.equal(h.match(/<img class="sample"/g)?.length, METHODS.length - 1);
  } finally {
    f.cleanup();
  }
});

test('renderReport: throws a StudyResultsError listing every problem of an invalid results.json', () => {
  const f = writeStudyFixture({ mutate: (r) => { (r as { preset: string }).preset = 'huge'; delete (r as Partial<typeof r>).versions; } });
  try {
    assert.throws(() => renderReport(f.dir), (e: unknown) => e instanceof StudyResultsError && e.problems.length === 2 &&
      /results\.json is not a valid study results file \(2 problems\)/.test(e.message) &&
      e.message.includes("- /: missing required property 'versions'") && e.message.includes('- /preset: must be one of') &&
      e.message.includes('schemas/study-results.schema.json'));
    writeFileSync(join(f.dir, 'results.json'), '{"format": ');
    assert.throws(() => renderReport(f.dir), /not valid JSON/);
    rmSync(join(f.dir, 'results.json'));
    assert.throws(() => renderReport(f.dir), /the file does not exist; run `t2v study --out DIR` first/);
    assert.equal(existsSync(join(f.dir, 'report.html')), false);
  } finally {
    f.cleanup();
  }
});

test('writeReport: writes <study>/report.html and returns its path', async () => {
  const out = await writeReport(fx.dir);
  assert.equal(out, join(fx.dir, 'report.html'));
  assert.equal(readFileSync(out, 'utf8'), html);
});

test('loadAsset: small files become data URIs, files over the cap relative links, unknown types a notice', () => {
  writeFileSync(join(fx.dir, 'assets', 'small.mp4'), Buffer.from([0, 0, 0, 24]));
  writeFileSync(join(fx.dir, 'assets', 'big file.mp4'), Buffer.alloc(DATA_URI_MAX_BYTES + 1));
  writeFileSync(join(fx.dir, 'assets', 'x.bmp'), Buffer.from([1]));
  assert.deepEqual(loadAsset(fx.dir, 'assets/small.mp4'), { kind: 'video', src: 'data:video/mp4;base64,AAAAGA==', embedded: true, bytes: 4, file: 'assets/small.mp4' });
  assert.deepEqual(loadAsset(fx.dir, 'assets/big file.mp4'), { kind: 'video', src: 'assets/big%20file.mp4', embedded: false, bytes: DATA_URI_MAX_BYTES + 1, file: 'assets/big file.mp4' });
  assert.equal(loadAsset(fx.dir, 'assets/x.bmp').kind, 'missing');
});

test('renderReport: one seed (the micro preset) shows means without intervals and says the gap may be noise', () => {
  const f = writeStudyFixture({
    mutate: (r) => {
      r.seeds = [0];
      r.runs = r.runs.filter((x) => x.seed === 0);
      for (const [m, byMetric] of Object.entries(r.aggregates)) {
        for (const k of Object.keys(byMetric)) byMetric[k] = interval([VALUES[m]![k]![0]!]);
      }
    },
  });
  try {
    const h = renderReport(f.dir);
    const answer = text(h.slice(h.indexOf('<section id="answer">'), h.indexOf('<section id="table">')));
    // Seed 0 alone: clipsim 0.31 (dit-conv3d-base) vs 0.27 (progressive-bucket).
    assert.match(answer, /On CLIPSIM-domain ↑ the specialised family leads: DiT · 3DConv-Base 0\.310 vs Progressive bucket 0\.270 \(one seed: no interval, the gap may be noise\)\./);
    assert.doesNotMatch(answer, /non-overlapping/);
    assert.match(answer, /Preset micro, 1 seed \(0\)/);
    const table = h.slice(h.indexOf('<table id="comparison"'), h.indexOf('</table>', h.indexOf('<table id="comparison"')));
    assert.doesNotMatch(table, /class="ci"/);
    assert.equal(h.match(/<polyline /g)?.length, METHODS.length, 'one curve per method');
  } finally {
    f.cleanup();
  }
});
