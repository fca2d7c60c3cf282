// loadValidationAids (src/train/validation-aids.ts): which runs may name evaluation models for
// their validation, and how a bad request is refused before any training.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadValidationAids } from '../../src/train/validation-aids.js';
import { TrainError } from '../../src/train/errors.js';

const videoTask = { kind: 'ae/x', validatesVideos: true, validate: async () => ({}) };
const none = { valDomain: null, valProbe: null, valBatches: 4 };

test('no keys: nothing is loaded, for any task', async () => {
  const a = await loadValidationAids(none, { kind: 'test/tiny' });
  assert.deepEqual(a.aids, {});
  assert.deepEqual(a.names, []);
  a.dispose();
});

test('keys are refused for tasks that make no videos at validation, and without validation batches', async () => {
  await assert.rejects(loadValidationAids({ ...none, valProbe: '/p' }, { kind: 'align/byol', validate: async () => ({}) }),
    (e: Error) => e instanceof TrainError && e.message.startsWith("train.valProbe: the align/byol task's validation makes no videos to judge"));
  await assert.rejects(loadValidationAids({ ...none, valDomain: '/d' }, { kind: 'ae/x', validatesVideos: true }),
    /train\.valDomain: the ae\/x task's validation makes no videos/);
  await assert.rejects(loadValidationAids({ ...none, valProbe: '/p', valBatches: 0 }, videoTask),
    /train\.valProbe: train\.valBatches is 0, so there is no validation to add it to; set valBatches ≥ 1/);
});

test('a folder that does not load is refused naming the key and the folder', async () => {
  await assert.rejects(loadValidationAids({ ...none, valProbe: '/no/such/probe' }, videoTask),
    (e: Error) => e instanceof TrainError && e.message.startsWith('train.valProbe: ') && e.message.includes('/no/such/probe'));
});
