// The engine demo learns its synthetic task (a toy task with a stated bar: ≥ 90% accuracy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { runEngineDemo } from '../../src/demo/engine-demo.js';

test('the demo conv net reaches ≥ 90% held-out accuracy in 200 steps', () => {
  const before = T.liveTensors();
  const r = runEngineDemo({ steps: 200, batch: 32, seed: 0 });
  assert.ok(r.finalAccuracy >= 0.9, `accuracy ${r.finalAccuracy}`);
  assert.ok(r.finalLoss < 0.3, `loss ${r.finalLoss}`);
  assert.equal(T.liveTensors(), before);
});
