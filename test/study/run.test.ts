import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanStep, StudyPlan } from '../../src/study/plan.js';
import { studyPreset } from '../../src/study/presets.js';
import { DONE_FILE, isDone, readDone, runPlan, type Executors, type StepExecutor } from '../../src/study/run.js';
import { tempDir } from '../media/clips.js';

/** A plan of fake steps: a → b → c, and d on its own (kinds only label them). */
function fakePlan(): StudyPlan {
  const step = (id: string, kind: PlanStep['kind'], deps: string[]) => ({ id, kind, title: `step ${id}`, dir: `steps/${id}`, seed: 0, deps }) as unknown as PlanStep;
  return {
    preset: studyPreset('micro'), seeds: [0], methods: [], dataDir: 'data', generatesData: false, metrics: [], metricsLeft: [], clip: null, aeRuns: {},
    budget: studyPreset('micro').budget,
    steps: [step('a', 'data', []), step('b', 'ae', ['a']), step('c', 'domain', ['b']), step('d', 'probe', [])],
  };
}

/** Executors that record the order of calls, write `out.txt` in the step folder and fail when told. */
function fakeExecutors(calls: string[], fail: Set<string> = new Set()): Executors {
  const exec: StepExecutor = async (step, ctx) => {
    calls.push(step.id);
    writeFileSync(join(ctx.abs(step.dir), 'out.txt'), step.id);
    if (fail.has(step.id)) throw new Error(`step ${step.id} broke`);
    return { wrote: 'out.txt' };
  };
  return { data: exec, ae: exec, domain: exec, probe: exec, train: exec, samples: exec, eval: exec } as Executors;
}

const quiet = { log: () => {} };

test('runPlan: runs every step once in order, writes done.json, and skips all of them on a re-run', async () => {
  const t = tempDir('study-run');
  try {
    const plan = fakePlan();
    const calls: string[] = [];
    const first = await runPlan(plan, t.dir, fakeExecutors(calls), quiet);
    assert.deepEqual(calls, ['a', 'b', 'c', 'd']);
    assert.equal(first.ran, 4);
    for (const s of plan.steps) {
      const done = readDone(t.dir, s)!;
      assert.equal(done.id, s.id);
      assert.equal(done.kind, s.kind);
      assert.deepEqual(done.info, { wrote: 'out.txt' });
      assert.ok(done.seconds >= 0 && done.cpuSeconds >= 0);
      assert.ok(Date.parse(done.finished) >= Date.parse(done.started));
    }
    const again: string[] = [];
    const second = await runPlan(plan, t.dir, fakeExecutors(again), quiet);
    assert.deepEqual(again, []);
    assert.equal(second.skipped, 4);
    assert.equal(second.ran, 0);
  } finally {
    t.cleanup();
  }
});

test('runPlan: a step without its marker runs again, and so do the steps that need it', async () => {
  const t = tempDir('study-run');
  try {
    const plan = fakePlan();
    await runPlan(plan, t.dir, fakeExecutors([]), quiet);
    rmSync(join(t.dir, 'steps/c', DONE_FILE));
    const calls: string[] = [];
    await runPlan(plan, t.dir, fakeExecutors(calls), quiet);
    assert.deepEqual(calls, ['c'], 'only the unfinished step');
    await new Promise((r) => setTimeout(r, 5)); // distinct timestamps
    rmSync(join(t.dir, 'steps/b', DONE_FILE));
    const calls2: string[] = [];
    await runPlan(plan, t.dir, fakeExecutors(calls2), quiet);
    assert.deepEqual(calls2, ['b', 'c'], 'b redone, so c (which needs it) is redone; a and d are kept');
  } finally {
    t.cleanup();
  }
});

test('runPlan: a failed step gets no marker, the steps needing it are not run, the others are; the re-run picks up there', async () => {
  const t = tempDir('study-run');
  try {
    const plan = fakePlan();
    const calls: string[] = [];
    const s = await runPlan(plan, t.dir, fakeExecutors(calls, new Set(['b'])), quiet);
    assert.deepEqual(calls, ['a', 'b', 'd'], 'c needs b and is not run');
    assert.deepEqual(s.failed.map((f) => [f.id, f.message]), [['b', 'step b broke']]);
    assert.deepEqual(s.blocked.map((f) => [f.id, f.message]), [['c', 'b']]);
    assert.equal(readFileSync(join(t.dir, 'steps/b/out.txt'), 'utf8'), 'b', 'the failed step wrote its file');
    assert.equal(isDone(t.dir, plan.steps[1]!), false, 'but no done.json: it is written last');
    assert.equal(existsSync(join(t.dir, 'steps/c')), false);
    const calls2: string[] = [];
    const s2 = await runPlan(plan, t.dir, fakeExecutors(calls2), quiet);
    assert.deepEqual(calls2, ['b', 'c']);
    assert.equal(s2.skipped, 2);
    assert.equal(s2.failed.length, 0);
  } finally {
    t.cleanup();
  }
});

test('runPlan: a marker naming another step, or a damaged one, does not count as done', async () => {
  const t = tempDir('study-run');
  try {
    const plan = fakePlan();
    await runPlan(plan, t.dir, fakeExecutors([]), quiet);
    writeFileSync(join(t.dir, 'steps/a', DONE_FILE), JSON.stringify({ ...readDone(t.dir, plan.steps[0]!)!, id: 'other' }));
    writeFileSync(join(t.dir, 'steps/d', DONE_FILE), '{"id": "d", trunc');
    const calls: string[] = [];
    await runPlan(plan, t.dir, fakeExecutors(calls), quiet);
    assert.deepEqual(calls, ['a', 'b', 'c', 'd'], 'a and d redone; b and c follow a');
  } finally {
    t.cleanup();
  }
});

test('runPlan: failFast rethrows the first failure', async () => {
  const t = tempDir('study-run');
  try {
    const calls: string[] = [];
    await assert.rejects(runPlan(fakePlan(), t.dir, fakeExecutors(calls, new Set(['a'])), { ...quiet, failFast: true }), /step a broke/);
    assert.deepEqual(calls, ['a']);
  } finally {
    t.cleanup();
  }
});
