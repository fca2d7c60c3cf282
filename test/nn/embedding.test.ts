// Tests for src/nn/embedding.ts: row lookup, padding_idx (zero row, no gradient), N(0, 1) init.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Embedding } from '../../src/nn/index.js';
import { assertNoLeak } from '../helpers/leak.js';

test('Embedding looks up rows of weight by index', () =>
  assertNoLeak(() => {
    const emb = new Embedding(3, 2);
    T.tidy(() => {
      emb.loadStateDict(new Map([['weight', T.tensor([[0, 1], [10, 11], [20, 21]])]]));
      const y = emb.forward(T.tensor([[2, 0], [1, 1]], { dtype: 'int64' })); // (2, 2, 2)
      assert.deepEqual(y.shape, [2, 2, 2]);
      assert.deepEqual(y.toArray(), [20, 21, 0, 1, 10, 11, 10, 11]);
    });
    assert.deepEqual([...emb.namedParameters()].map(([k, p]) => [k, p.shape]), [['weight', [3, 2]]]);
    emb.dispose();
  }));

test('Embedding padding_idx: the row starts at zero and receives no gradient', () =>
  assertNoLeak(() => {
    T.manualSeed(9);
    const emb = new Embedding(4, 3, { paddingIdx: -1 });
    assert.equal(emb.paddingIdx, 3);
    T.tidy(() => {
      assert.deepEqual(emb.weight.select(0, 3).toArray(), [0, 0, 0]);
      emb.forward(T.tensor([3, 1, 3], { dtype: 'int64' })).sum().backward();
      const g = emb.weight.grad!; // (4, 3)
      assert.deepEqual(g.toArray(), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    });
    emb.zeroGrad();
    emb.dispose();
  }));

test('Embedding default init is N(0, 1)', () =>
  assertNoLeak(() => {
    T.manualSeed(10);
    const emb = new Embedding(200, 10);
    const w = emb.weight.toArray();
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    assert.ok(Math.abs(mean) < 0.1 && Math.abs(std - 1) < 0.1, `mean ${mean}, std ${std}`);
    assert.throws(() => new Embedding(4, 3, { paddingIdx: 4 }), /padding_idx must be an integer within num_embeddings \(4\)/);
    emb.dispose();
  }));
