// Tests for src/optim/schedule.ts against the closed form of linear warmup + cosine decay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LRScheduler, warmupCosine } from '../../src/optim/schedule.js';
import { SGD } from '../../src/optim/sgd.js';
import { assertClose, param } from './helpers.js';

const base = 1e-3;
const min = 1e-5;
const lr = warmupCosine({ baseLr: base, warmupSteps: 100, totalSteps: 1100, minLr: min });

test('warmupCosine equals the closed form at its landmarks', () => {
  assert.equal(lr(0), 0);
  assertClose([lr(50)], [base / 2], 1e-15, 'half warmup');
  assert.equal(lr(100), base); // end of warmup: cos(0) = 1
  assertClose([lr(600)], [min + (base - min) / 2], 1e-15, 'midpoint'); // cos(π/2) = 0
  assertClose([lr(350)], [min + 0.5 * (base - min) * (1 + Math.SQRT1_2)], 1e-15, 'quarter'); // cos(π/4)
  assert.equal(lr(1100), min); // cos(π) = −1
  assert.equal(lr(5000), min);
  for (let s = 101; s < 1100; s += 97) assert.ok(lr(s) < lr(s - 1), `not decreasing at ${s}`);
});

test('warmupCosine without warmup starts at baseLr; bad arguments are refused', () => {
  assert.equal(warmupCosine({ baseLr: 0.1, warmupSteps: 0, totalSteps: 10 })(0), 0.1);
  assert.throws(() => warmupCosine({ baseLr: 0.1, warmupSteps: 10, totalSteps: 5 }), /totalSteps must be an integer >= warmupSteps \(10\)/);
  assert.throws(() => warmupCosine({ baseLr: 0.1, warmupSteps: 0, totalSteps: 5, minLr: 1 }), /minLr must be in \[0, baseLr\]/);
  assert.throws(() => lr(-1), /step must be a finite number >= 0/);
});

test('LRScheduler drives the optimizer and resumes from its saved step', () => {
  const x = param([1]);
  const opt = new SGD([{ params: [x] }], { lr: 1 });
  const sched = new LRScheduler(opt, lr);
  assert.equal(opt.lr, 0); // constructor applies step 0
  const seen: number[] = [];
  for (let i = 0; i < 120; i++) seen.push(sched.step());
  assert.equal(sched.currentStep, 120);
  assert.equal(opt.lr, lr(120));
  assert.deepEqual(seen.slice(0, 3), [lr(1), lr(2), lr(3)]);

  const saved = JSON.parse(JSON.stringify(sched.stateDict())) as ReturnType<LRScheduler['stateDict']>;
  const opt2 = new SGD([x], { lr: 1 });
  const resumed = new LRScheduler(opt2, lr);
  resumed.loadStateDict(saved);
  assert.equal(opt2.lr, lr(120));
  for (let i = 0; i < 5; i++) assert.equal(resumed.step(), sched.step());
  assert.throws(() => resumed.loadStateDict({ step: -3 }), /step must be an integer >= 0/);
  opt.dispose();
  opt2.dispose();
  x.dispose();
});
