import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { medianRank, ranksFromSimilarities, recallAt, retrievalRanks } from '../../src/domain/retrieval.js';

test('ranks: 1 + candidates scoring at least the true one (ties count against)', () => {
  const sims = Float32Array.from([0.9, 0.1, 0.5, /* */ 0.2, 0.2, 0.1, /* */ 0.3, 0.8, 0.8]); // (3, 3)
  assert.deepEqual(Array.from(ranksFromSimilarities(sims, 3, 3, [0, 1, 0])), [1, 2, 3]);
  assert.throws(() => ranksFromSimilarities(sims, 3, 3, [0, 3, 0]), /not among 3 candidates/);
});

test('retrievalRanks uses cosine, not dot products', () => {
  // video 0 = (10, 1): dot prefers (5, 5) but cosine prefers (1, 0)
  const r = T.tidy(() => retrievalRanks(T.tensor([[10, 1]]), T.tensor([[1, 0], [5, 5]]), [0]));
  assert.deepEqual(Array.from(r), [1]);
});

test('recallAt and medianRank', () => {
  assert.equal(recallAt([1, 2, 6, 1], 1), 0.5);
  assert.equal(recallAt([1, 2, 6, 1], 5), 0.75);
  assert.equal(medianRank([3, 1, 2]), 2);
  assert.equal(medianRank([4, 1, 2, 3]), 2.5);
  assert.ok(Number.isNaN(recallAt([], 1)));
});
