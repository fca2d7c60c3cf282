import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStudy } from '../../src/study/study.js';
import { CSV_HEADER, resultsCsv } from '../../src/study/aggregate.js';
import { validateStudyResults } from '../../src/study/report/index.js';
import type { StudyResults } from '../../src/study/results.js';
import type { Executors } from '../../src/study/run.js';
import { promptMajor, writeSamples } from '../../src/study/steps/samples.js';
import type { VideoU8 } from '../../src/media/video.js';
import { fixtureResults, METHODS, METRICS, SEEDS } from './fixture.js';
import { tempDir } from '../media/clips.js';

const REGISTERED = ['clipsim_domain', 'b_psnr', 'intra_bucket_diversity'];
const PROMPTS = ['digit 1 is moving up and down', 'digit 2 is moving left and right'];
const METHOD_IDS = ['progressive-bucket', 'mlp-conv3d-base', 'reference'];

/** clipsim_domain of a method and seed in the fake evaluations. */
const value = (method: string, seed: number) => 0.1 * (METHOD_IDS.indexOf(method) + 1) + 0.01 * seed;

const tiny = (k: number): VideoU8 => ({ frames: 2, height: 8, width: 8, channels: 1, data: new Uint8Array(128).fill(20 * k) }); // (T, H, W, C)

/** Executors that write what the real ones write, with made-up numbers, and count their calls. */
function fakeExecutors(calls: Map<string, number>): Executors {
  const count = (id: string) => calls.set(id, (calls.get(id) ?? 0) + 1);
  const nothing = async (step: { id: string }): Promise<Record<string, unknown>> => {
    count(step.id);
    return {};
  };
  return {
    data: async (step, ctx) => {
      count(step.id);
      const dir = ctx.abs(step.datasetDir);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ name: 'fake-single', splits: { train: 4, val: 2, test: 2 }, videos: [] }));
      return {};
    },
    ae: nothing, domain: nothing, probe: nothing,
    train: async (step, ctx) => {
      count(step.id);
      writeFileSync(join(ctx.abs(step.dir), 'log.jsonl'), [1, 2, 3].map((s) => JSON.stringify({ type: 'train', step: s, loss: 1 / s })).join('\n') + '\n');
      return { trainSeconds: 3.5, steps: step.budget.steps };
    },
    samples: async (step, ctx) => {
      count(step.id);
      writeSamples(ctx.abs(step.dir), { method: step.method.id, seed: step.seed!, prompts: PROMPTS, perPrompt: 2, gridPrompts: PROMPTS, generationSeconds: 1.25 },
        [tiny(1), tiny(2), tiny(3), tiny(4)], promptMajor(2, 2));
      return { sampleSeconds: 1.25 };
    },
    eval: async (step, ctx) => {
      count(step.id);
      const metrics = {
        clipsim_domain: { metric: 'clipsim_domain', aggregate: value(step.method.id, step.seed!), extractor: 'domain:domain', perVideo: [] },
        b_psnr: { metric: 'b_psnr', aggregate: null, extractor: null, perVideo: [{ id: 'x', value: null, note: 'no reference video of that caption' }] },
      };
      writeFileSync(join(ctx.abs(step.dir), 'eval.json'), JSON.stringify({ metrics, failed: { intra_bucket_diversity: 'boom\nstack' } }));
      return {};
    },
  };
}

test('runStudy with fake steps: results.json (valid), results.csv and report.html; a re-run skips every step', async () => {
  const t = tempDir('study-e2e-fake');
  try {
    const calls = new Map<string, number>();
    const opts = { out: t.dir, preset: 'micro' as const, seeds: 2, methods: ['mlp-conv3d-base', 'progressive-bucket'], registered: REGISTERED, executors: fakeExecutors(calls), log: () => {} };
    const out = await runStudy(opts);
    assert.equal(out.summary.failed.length, 0);
    assert.ok(out.files);
    const r = JSON.parse(readFileSync(out.files.results, 'utf8')) as StudyResults;
    assert.deepEqual(validateStudyResults(r), []);
    assert.deepEqual(r.methods.map((m) => m.id), METHOD_IDS);
    assert.deepEqual(r.seeds, [0, 1]);
    assert.deepEqual(r.metrics.map((m) => m.name), REGISTERED);
    assert.equal(r.metrics[0]!.extractor, 'domain:domain');
    assert.equal(r.runs.length, 6);
    // Aggregates: clipsim_domain of progressive-bucket over seeds 0, 1 = [0.1, 0.11]: mean 0.105, half-width 12.7062 · 0.00707107 / √2 = 0.063531.
    const iv = r.aggregates['progressive-bucket']!['clipsim_domain']!;
    assert.ok(Math.abs(iv.mean - 0.105) < 1e-12 && Math.abs(iv.high - iv.mean - 0.063531) < 1e-6 && iv.n === 2);
    assert.equal(r.aggregates['progressive-bucket']!['b_psnr'], null);
    assert.ok(Math.abs(r.ceilings['clipsim_domain']! - 0.305) < 1e-12, 'ceiling = the reference\'s mean');
    // Costs and notes from the steps' files.
    const run = r.runs.find((x) => x.method === 'mlp-conv3d-base' && x.seed === 1)!;
    assert.equal(run.trainSeconds, 3.5);
    assert.equal(run.sampleSeconds, 1.25);
    assert.deepEqual(run.files, { run: 'methods/mlp-conv3d-base/seed-1', eval: 'methods/mlp-conv3d-base/seed-1/eval/eval.json', samples: 'methods/mlp-conv3d-base/seed-1/samples' });
    assert.ok(run.notes.some((n) => /^b_psnr: undefined for this run \(no reference video of that caption\)$/.test(n)));
    assert.ok(run.notes.includes('intra_bucket_diversity: failed: boom'));
    assert.equal(r.runs.find((x) => x.method === 'reference')!.trainSeconds, 0);
    assert.equal(r.methods.find((m) => m.id === 'reference')!.budget.steps, 0);
    assert.deepEqual(r.methods.find((m) => m.id === 'progressive-bucket')!.budget, { steps: out.plan.budget.steps, seconds: 3.5 });
    // Assets: one grid per method (first seed), the grid prompts.
    assert.deepEqual(r.assets.samples, Object.fromEntries(METHOD_IDS.map((m) => [m, `${m === 'reference' ? 'real' : `methods/${m}`}/seed-0/samples/grid.gif`])));
    assert.deepEqual(r.assets.samplePrompts, PROMPTS);
    for (const f of Object.values(r.assets.samples)) assert.ok(existsSync(join(t.dir, f)));
    assert.ok(readFileSync(out.files.report, 'utf8').startsWith('<!doctype html>'));
    assert.ok(existsSync(join(t.dir, 'study.json')));
    // CSV: header, run rows, aggregate rows.
    const lines = readFileSync(out.files.csv, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], CSV_HEADER);
    assert.equal(lines.length, 1 + 6 * (3 + 2) + 3 * 3 * 4);
    // Re-run: nothing is executed again; results are rewritten from the files.
    const before = [...calls.values()].reduce((a, b) => a + b, 0);
    const again = await runStudy({ ...opts, executors: fakeExecutors(calls) });
    assert.equal([...calls.values()].reduce((a, b) => a + b, 0), before);
    assert.equal(again.summary.ran, 0);
    assert.equal(again.summary.skipped, out.plan.steps.length);
    assert.deepEqual(again.results!.aggregates, r.aggregates);
    // Other settings in the same folder are refused.
    await assert.rejects(runStudy({ ...opts, budgetSteps: 99 }), /other settings \(budgetSteps: 12 → 99\)/);
  } finally {
    t.cleanup();
  }
});

test('runStudy --ae: a finished run of the right architecture and input replaces the ae step; anything else is refused by name', async () => {
  const t = tempDir('study-ae-given');
  try {
    const ae = join(t.dir, 'ae-run');
    const opts = { out: join(t.dir, 'study'), preset: 'micro' as const, seeds: 1, methods: ['mlp-conv3d-base'], registered: REGISTERED, log: () => {} };
    await assert.rejects(runStudy({ ...opts, executors: fakeExecutors(new Map()), aeRuns: { 'conv3d-base': ae } }), /--ae conv3d-base=.*ae-run: not a finished autoencoder run/);
    mkdirSync(join(ae, 'model'), { recursive: true });
    writeFileSync(join(ae, 'results.json'), JSON.stringify({ steps: 10, wallClockS: 1, validation: null }));
    const task = (kind: string, input: number[]) => writeFileSync(join(ae, 'model', 'task.json'), JSON.stringify({ kind, input }));
    task('ae/unet3d', [1, 8, 32, 32]);
    await assert.rejects(runStudy({ ...opts, executors: fakeExecutors(new Map()), aeRuns: { 'conv3d-base': ae } }), /describes a 'ae\/unet3d' run, not ae\/conv3d-base; train it with `t2v train ae --arch conv3d-base`/);
    task('ae/conv3d-base', [1, 16, 64, 64]);
    await assert.rejects(runStudy({ ...opts, executors: fakeExecutors(new Map()), aeRuns: { 'conv3d-base': ae } }), /takes videos \(C, T, H, W\) = \(1,16,64,64\), the study's data are \(1, 8, 32, 32\)/);
    task('ae/conv3d-base', [1, 8, 32, 32]); // the micro preset's own data: 8 frames of 32×32
    const calls = new Map<string, number>();
    const out = await runStudy({ ...opts, executors: fakeExecutors(calls), aeRuns: { 'conv3d-base': ae } });
    assert.equal(out.summary.failed.length, 0);
    assert.ok(!out.plan.steps.some((s) => s.kind === 'ae'), 'no autoencoder is trained');
    assert.equal(calls.get('seed-0/ae-conv3d-base'), undefined);
    for (const s of out.plan.steps) if (s.kind === 'train' || (s.kind === 'samples' && s.method.ae)) assert.equal(s.ae, ae);
    assert.ok(out.notes.some((n) => n.includes(`the conv3d-base autoencoder is the given run ${ae}`)));
    const study = JSON.parse(readFileSync(join(opts.out, 'study.json'), 'utf8')) as { aeRuns: Record<string, unknown> };
    assert.deepEqual(study.aeRuns, { 'conv3d-base': ae });
    // Resuming: the given run cannot be swapped or dropped.
    const ae2 = join(t.dir, 'ae-run2');
    mkdirSync(join(ae2, 'model'), { recursive: true });
    writeFileSync(join(ae2, 'results.json'), JSON.stringify({ steps: 10, wallClockS: 1, validation: null }));
    writeFileSync(join(ae2, 'model', 'task.json'), JSON.stringify({ kind: 'ae/conv3d-base', input: [1, 8, 32, 32] }));
    await assert.rejects(runStudy({ ...opts, executors: fakeExecutors(new Map()), aeRuns: { 'conv3d-base': ae2 } }), /other settings \(--ae conv3d-base: .*ae-run → .*ae-run2\)/);
    await assert.rejects(runStudy({ ...opts, executors: fakeExecutors(new Map()) }), /--ae conv3d-base: .*ae-run → trained by the study/);
    // A study that trained its own conv3d-base refuses a given one later.
    const own = { ...opts, out: join(t.dir, 'own') };
    assert.equal((await runStudy({ ...own, executors: fakeExecutors(new Map()) })).summary.failed.length, 0);
    await assert.rejects(runStudy({ ...own, executors: fakeExecutors(new Map()), aeRuns: { 'conv3d-base': ae } }), /--ae conv3d-base: the study already trained its own conv3d-base autoencoder \(seed 0\)/);
  } finally {
    t.cleanup();
  }
});

test('resultsCsv: one row per run and metric plus costs, then mean/low95/high95/n per method and metric; null → empty', () => {
  const r = fixtureResults();
  const lines = resultsCsv(r).trimEnd().split('\n');
  assert.equal(lines[0], 'method,family,seed,metric,value');
  assert.equal(lines.length, 1 + METHODS.length * SEEDS.length * (METRICS.length + 2) + METHODS.length * METRICS.length * 4);
  assert.ok(lines.includes('progressive-bucket,joint,0,clipsim,0.27'));
  assert.ok(lines.includes('progressive-bucket,joint,1,r_precision,0.64'));
  assert.ok(lines.includes('joint-fixed,joint,0,b_psnr,'), 'an undefined value is an empty field');
  assert.ok(lines.includes('progressive-bucket,joint,0,train_seconds,120'));
  const iv = r.aggregates['dit-conv3d-base']!['fvd']!;
  assert.ok(lines.includes(`dit-conv3d-base,specialised,mean,fvd,${iv.mean}`));
  assert.ok(lines.includes(`dit-conv3d-base,specialised,low95,fvd,${iv.low}`));
  assert.ok(lines.includes(`dit-conv3d-base,specialised,high95,fvd,${iv.high}`));
  assert.ok(lines.includes('dit-conv3d-base,specialised,n,fvd,2'));
  assert.ok(lines.includes('joint-fixed,joint,mean,b_psnr,'));
  assert.ok(lines.includes('joint-fixed,joint,n,b_psnr,0'));
  for (const l of lines) assert.equal(l.split(',').length, 5, `five fields: ${l}`);
});
