// Tests for src/diffusion/schedulers/index.ts: building schedulers from their configs (round
// trip through config()), the sampler matching a training objective, and registry errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createScheduler, samplerFor } from '../../../src/diffusion/schedulers/index.js';
import { trainingScheduler } from '../../../src/diffusion/task.js';

test('config() round-trips through createScheduler', () => {
  for (const config of [
    { name: 'ddpm', betaSchedule: 'linear', predictionType: 'v_prediction', varianceType: 'fixed_large' },
    { name: 'ddim', eta: 0.3, timestepSpacing: 'leading', clipSample: 2 },
    { name: 'flow-euler', shift: 3, timeSampling: 'uniform' },
  ]) {
    const s = createScheduler(config);
    const again = createScheduler(s.config());
    assert.deepEqual(again.config(), s.config());
    for (const [k, v] of Object.entries(config)) assert.deepEqual(s.config()[k], v, `${config.name}.${k}`);
  }
});

test('samplerFor keeps the schedule and prediction of training', () => {
  const v = trainingScheduler('v', 'cosine');
  const ddim = samplerFor(v.config(), 'ddim', { eta: 0.5 });
  assert.equal(ddim.name, 'ddim');
  assert.equal(ddim.predictionType, 'v_prediction');
  assert.equal(ddim.config()['betaSchedule'], 'cosine');
  assert.equal(ddim.config()['eta'], 0.5);
  assert.equal(samplerFor(trainingScheduler('eps', 'linear').config()).name, 'ddim', 'DDIM by default');
  assert.equal(samplerFor(trainingScheduler('flow').config(), undefined, { shift: 2 }).config()['shift'], 2);
  assert.throws(() => samplerFor(trainingScheduler('flow').config(), 'ddim'), /samples with 'flow-euler'/);
  assert.throws(() => samplerFor(v.config(), 'flow-euler'), /'ddim' or 'ddpm'/);
});

test('registry errors name the valid choices', () => {
  assert.throws(() => createScheduler({ name: 'pndm' }), /unknown scheduler 'pndm'; valid: ddpm, ddim, flow-euler/);
  assert.throws(() => createScheduler({ name: 'ddim', etta: 1 }), /unknown option\(s\) etta; valid: .*eta/);
  assert.throws(() => createScheduler({ name: 'ddpm', betaSchedule: 'sigmoid' }), /betaSchedule must be one of linear, cosine/);
  assert.throws(() => createScheduler({ name: 'ddpm', predictionType: 'flow' }), /'epsilon' or 'v_prediction'/);
});
