import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlan, resolveMethods, type PlanStep, type StudyPlan } from '../../src/study/plan.js';
import { studyPreset, TEXT_SEED_OFFSET, type StudyPresetName } from '../../src/study/presets.js';
import { chooseMetrics, METRIC_SUITE } from '../../src/study/suite.js';
import { trains } from '../../src/study/methods.js';

const JOINT = ['progressive-bucket', 'clip-infonce', 'imagebind', 'nonprog-bucket', 'nonprog-infonce', 'vicreg', 'byol'];
const METRICS = ['clipsim_domain', 'r_precision', 'intra_bucket_diversity', 'fvd'];

function plan(preset: StudyPresetName, seeds = [0], extra: Partial<Parameters<typeof buildPlan>[0]> = {}): StudyPlan {
  return buildPlan({ preset: studyPreset(preset), seeds, data: null, metrics: METRICS, probe: true, ...extra });
}

const ofKind = <K extends PlanStep['kind']>(p: StudyPlan, kind: K) => p.steps.filter((s): s is Extract<PlanStep, { kind: K }> => s.kind === kind);

test('micro: every joint method but codi, both specialised methods, the two latent oracles and the reference; no unet3d AE', () => {
  const p = plan('micro');
  assert.deepEqual(p.methods.map((m) => m.id), [...JOINT, 'mlp-conv3d-base', 'dit-causal-vae', 'recon-conv3d-base', 'bucket-median-conv3d-base', 'reference']);
  assert.deepEqual(ofKind(p, 'ae').map((s) => s.arch).sort(), ['causal-vae', 'conv3d-base']);
  assert.equal(p.generatesData, true);
  assert.equal(p.dataDir, 'data/single');
  assert.equal(p.steps[0]!.kind, 'data');
});

for (const name of ['quick', 'paper'] as const) {
  test(`${name}: codi is included, with its own unet3d autoencoder`, () => {
    const p = plan(name);
    assert.ok(p.methods.some((m) => m.id === 'codi'));
    assert.deepEqual(ofKind(p, 'ae').map((s) => s.arch).sort(), ['causal-vae', 'conv3d-base', 'unet3d']);
    const codi = ofKind(p, 'train').find((s) => s.method.id === 'codi')!;
    assert.equal(codi.ae, 'shared/seed-0/ae-unet3d');
    const joint = ofKind(p, 'train').find((s) => s.method.id === 'progressive-bucket')!;
    assert.equal(joint.ae, 'shared/seed-0/ae-conv3d-base');
    const mlp = ofKind(p, 'train').find((s) => s.method.id === 'mlp-conv3d-base')!;
    assert.equal(mlp.ae, 'shared/seed-0/ae-conv3d-base', 'the MLP diffusion shares the joint family\'s latent');
    assert.equal(ofKind(p, 'train').find((s) => s.method.id === 'dit-causal-vae')!.ae, 'shared/seed-0/ae-causal-vae');
  });
}

test('seeds: shared pieces and every method once per seed, each in its own folder', () => {
  const p = plan('quick', [0, 1, 2]);
  assert.deepEqual(p.seeds, [0, 1, 2]);
  for (const seed of [0, 1, 2]) {
    const mine = p.steps.filter((s) => s.seed === seed);
    assert.equal(mine.filter((s) => s.kind === 'ae').length, 3);
    assert.equal(mine.filter((s) => s.kind === 'domain').length, 2, 'evaluation model and conditioning encoder');
    assert.equal(mine.filter((s) => s.kind === 'probe').length, 1);
    assert.equal(mine.filter((s) => s.kind === 'train').length, p.methods.length - 3, 'every method but the reference and the two oracles trains');
    assert.equal(mine.filter((s) => s.kind === 'samples').length, p.methods.length);
    assert.equal(mine.filter((s) => s.kind === 'eval').length, p.methods.length);
  }
  assert.equal(ofKind(p, 'data').length, 1, 'one data set for all seeds');
  const ids = p.steps.map((s) => s.id);
  const dirs = p.steps.map((s) => s.dir);
  assert.equal(new Set(ids).size, ids.length, 'step ids are unique');
  assert.equal(new Set(dirs).size, dirs.length, 'every step has its own folder (its done.json)');
});

test('the latent oracles train nothing, decode through the shared 3DConv-Base autoencoder and wait for it', () => {
  const p = plan('quick', [0]);
  for (const id of ['recon-conv3d-base', 'bucket-median-conv3d-base']) {
    assert.equal(ofKind(p, 'train').find((s) => s.method.id === id), undefined, `${id} has no train step`);
    const s = ofKind(p, 'samples').find((x) => x.method.id === id)!;
    assert.equal(s.ae, 'shared/seed-0/ae-conv3d-base');
    assert.equal(s.run, null);
    assert.ok(s.deps.includes('seed-0/ae-conv3d-base'), `${id} samples after the autoencoder is trained`);
    assert.equal(s.dir, `methods/${id}/seed-0/samples`);
  }
  const given = buildPlan({ preset: studyPreset('quick'), seeds: [0], data: null, metrics: ['b_psnr'], probe: true, methods: ['recon-conv3d-base'], aeRuns: { 'conv3d-base': '/runs/ae' } });
  assert.deepEqual(given.methods.map((m) => m.id), ['recon-conv3d-base', 'reference']);
  assert.equal(ofKind(given, 'domain').length, 1, 'no conditioning text encoder when nothing generates from text');
  assert.equal(ofKind(given, 'samples')[0]!.ae, '/runs/ae');
});

test('dependencies come earlier in the plan and name existing steps', () => {
  for (const name of ['micro', 'quick', 'paper'] as const) {
    const p = plan(name, [0, 1]);
    const seen = new Set<string>();
    for (const s of p.steps) {
      for (const d of s.deps) assert.ok(seen.has(d), `${s.id} needs ${d}, which is not earlier`);
      seen.add(s.id);
    }
  }
});

test('the evaluation models never condition generation: the conditioner is another folder and seed', () => {
  const p = plan('quick', [0, 3]);
  for (const seed of [0, 3]) {
    const domains = ofKind(p, 'domain').filter((s) => s.seed === seed);
    const evalModel = domains.find((s) => s.role === 'evaluation')!;
    const cond = domains.find((s) => s.role === 'conditioning')!;
    assert.notEqual(cond.dir, evalModel.dir);
    assert.equal(evalModel.trainSeed, seed);
    assert.equal(cond.trainSeed, seed + TEXT_SEED_OFFSET);
    assert.notEqual(cond.trainSeed, evalModel.trainSeed);
    const probe = ofKind(p, 'probe').find((s) => s.seed === seed)!;
    for (const t of ofKind(p, 'train').filter((s) => s.seed === seed)) {
      assert.equal(t.text, cond.dir, `${t.id} is conditioned by the conditioning encoder`);
      assert.notEqual(t.text, evalModel.dir);
      assert.notEqual(t.text, probe.dir);
      assert.ok(t.deps.includes(cond.id));
    }
    for (const s of ofKind(p, 'samples').filter((x) => x.seed === seed)) assert.equal(s.text, trains(s.method) ? cond.dir : null);
    for (const e of ofKind(p, 'eval').filter((s) => s.seed === seed)) {
      assert.equal(e.domain, evalModel.dir, 'evaluation uses the evaluation model');
      assert.equal(e.probe, probe.dir);
      assert.notEqual(e.domain, cond.dir);
    }
  }
});

test('matched budgets: every method trains the same steps at the same batch size; --budget-steps overrides all', () => {
  const p = plan('quick');
  const budgets = ofKind(p, 'train').map((s) => JSON.stringify(s.budget));
  assert.equal(new Set(budgets).size, 1);
  assert.equal(ofKind(p, 'train')[0]!.budget.steps, studyPreset('quick').budget.steps);
  const q = plan('quick', [0], { budgetSteps: 77 });
  assert.deepEqual([...new Set(ofKind(q, 'train').map((s) => s.budget.steps))], [77]);
  assert.equal(q.budget.steps, 77);
  assert.ok(q.budget.ckptEvery <= 77);
  assert.throws(() => plan('quick', [0], { budgetSteps: 0 }), /budget/);
});

test('--methods: a subset in catalogue order, the reference always added, unknown names refused', () => {
  const p = plan('quick', [0], { methods: ['dit-causal-vae', 'progressive-bucket'] });
  assert.deepEqual(p.methods.map((m) => m.id), ['progressive-bucket', 'dit-causal-vae', 'reference']);
  assert.deepEqual(ofKind(p, 'ae').map((s) => s.arch).sort(), ['causal-vae', 'conv3d-base'], 'only the AEs the methods need');
  assert.throws(() => resolveMethods(['nope'], studyPreset('quick')), /unknown study method 'nope'.*progressive-bucket/);
  const ref = plan('micro', [0], { methods: ['reference'] });
  assert.equal(ofKind(ref, 'domain').length, 1, 'no conditioning encoder when nothing generates');
  assert.equal(ofKind(ref, 'ae').length, 0);
});

test('data: a given data set is not generated; without a probe there is no probe step', () => {
  const p = plan('quick', [0], { data: '/data/kth', probe: false });
  assert.equal(p.generatesData, false);
  assert.equal(p.dataDir, '/data/kth');
  assert.equal(ofKind(p, 'data').length, 0);
  assert.equal(ofKind(p, 'probe').length, 0);
  for (const e of ofKind(p, 'eval')) assert.equal(e.probe, null);
  for (const s of p.steps) assert.ok(!s.deps.includes('data'));
});

test('--ae: a given autoencoder run replaces that architecture\'s ae step for every seed; the others are still trained', () => {
  const p = plan('quick', [0, 1], { aeRuns: { 'conv3d-base': '/runs/ae-60min' } });
  const aes = ofKind(p, 'ae').map((s) => s.id);
  assert.deepEqual([...aes].sort(), ['seed-0/ae-causal-vae', 'seed-0/ae-unet3d', 'seed-1/ae-causal-vae', 'seed-1/ae-unet3d']);
  const users = [...ofKind(p, 'train'), ...ofKind(p, 'samples')].filter((s) => s.method.ae === 'conv3d-base');
  assert.ok(users.length >= 2 * 8, `every conv3d-base method of both seeds, got ${users.length}`);
  for (const s of users) assert.equal(s.ae, '/runs/ae-60min');
  for (const s of ofKind(p, 'train').filter((t) => t.method.ae === 'conv3d-base')) assert.ok(!s.deps.some((d) => d.includes('ae-')), `${s.id} deps ${s.deps.join(', ')}`);
  for (const s of ofKind(p, 'train').filter((t) => t.method.ae === 'unet3d')) assert.ok(s.deps.includes(`seed-${s.seed}/ae-unet3d`));
  assert.deepEqual(p.aeRuns, { 'conv3d-base': '/runs/ae-60min' });
});

test('metrics: the diversity metrics are listed apart from the rest', () => {
  const p = plan('micro');
  for (const e of ofKind(p, 'eval')) {
    assert.deepEqual(e.metrics, ['clipsim_domain', 'r_precision', 'fvd']);
    assert.deepEqual(e.diversityMetrics, ['intra_bucket_diversity']);
  }
});

test('chooseMetrics: clipsim only with CLIP, the probe metric only on synthetic data, unknown names left out with reasons', () => {
  const all = chooseMetrics({ registered: METRIC_SUITE, clip: true, probe: true });
  assert.deepEqual(all.metrics, [...METRIC_SUITE]);
  assert.deepEqual(all.left, []);
  const c = chooseMetrics({ registered: ['clipsim', 'attribute_accuracy', 'fvd', 'not_in_suite'], clip: false, probe: false });
  assert.deepEqual(c.metrics, ['fvd']);
  const left = Object.fromEntries(c.left.map((l) => [l.name, l.reason]));
  assert.match(left.clipsim!, /--clip/);
  assert.match(left.attribute_accuracy!, /probe/);
  assert.match(left.warping_error!, /not available in this build/);
  assert.equal(c.left.length, METRIC_SUITE.length - 1);
});

test('bad seeds are refused', () => {
  assert.throws(() => plan('micro', []), /seeds/);
  assert.throws(() => plan('micro', [0, 0]), /distinct/);
  assert.throws(() => plan('micro', [-1]), /seeds/);
});
