import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { isTextConditioner, pooledConditioner } from '../../src/align/text-encoder.js';
import type { TextEncoder } from '../../src/metrics/types.js';
import { assertNoLeak } from '../helpers/leak.js';
import { FakeConditioner } from './fakes.js';

/** A sentence encoder: text → (length, number of words, 1) (3-d). */
const enc: TextEncoder = {
  name: 'toy-clip',
  encodeTexts: (texts) => T.tensor(texts.map((t) => [t.length, t.split(' ').length, 1])),
};

test('pooledConditioner wraps a sentence encoder: pooled = encodeTexts, states = one token, mask all true', () => {
  const c = pooledConditioner(enc);
  assert.equal(c.dim, 3);
  assert.equal(c.name, 'toy-clip-text');
  assert.equal(c.maxTokens, 77);
  assert.ok(isTextConditioner(c));
  assertNoLeak(() => {
    const tok = c.encode(['a b', 'hello']);
    assert.deepEqual(tok.pooled.toArray(), [3, 2, 1, 5, 1, 1]);
    assert.deepEqual(tok.states.shape, [2, 1, 3]);
    assert.deepEqual(tok.states.toArray(), tok.pooled.toArray());
    assert.deepEqual(tok.mask.toArray(), [1, 1]);
    for (const t of [tok.pooled, tok.states, tok.mask]) t.dispose();
  });
});

test('isTextConditioner tells conditioners from other encoders', () => {
  assert.ok(isTextConditioner(new FakeConditioner()));
  assert.ok(!isTextConditioner(enc));
  assert.ok(!isTextConditioner(null));
  assert.ok(!isTextConditioner({ encode: () => null, name: 'x' }));
});
