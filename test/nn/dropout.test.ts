// Tests for src/nn/dropout.ts: identity in eval; in training zeros with probability p and scales
// survivors by 1/(1 − p).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Dropout } from '../../src/nn/index.js';
import { assertNoLeak } from '../helpers/leak.js';

test('Dropout in eval is the identity and returns a new handle', () =>
  assertNoLeak(() => {
    const drop = new Dropout(0.5).eval();
    T.tidy(() => {
      const x = T.tensor([1, 2, 3]);
      const y = drop.forward(x);
      assert.notEqual(y, x);
      assert.deepEqual(y.toArray(), [1, 2, 3]);
    });
  }));

test('Dropout(0.25) in training zeros about a quarter and scales the rest by 4/3', () =>
  assertNoLeak(() => {
    T.manualSeed(11);
    const drop = new Dropout(0.25);
    assert.equal(drop.training, true);
    const y = T.tidy(() => drop.forward(T.ones([10000])).toArray());
    const zeros = y.filter((v) => v === 0).length;
    assert.ok(Math.abs(zeros / y.length - 0.25) < 0.02, `zero fraction ${zeros / y.length}`);
    assert.ok(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
    assert.throws(() => new Dropout(1.5), /Dropout: p must be a probability in \[0, 1\], got 1.5/);
  }));
