// Tests for src/diffusion/text-cache.ts: cached encodings equal fresh ones (same real tokens,
// padding only extends with masked zeros), each caption is encoded once, and eviction keeps
// memory bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { CachedConditioner } from '../../src/diffusion/text-cache.js';
import { HashTextConditioner } from '../../src/diffusion/stand-ins.js';
import { assertNoLeak } from '../helpers/leak.js';

test('cached rows equal the encoder\'s, and each caption is encoded once', () =>
  assertNoLeak(() => {
    const inner = new HashTextConditioner(4, 8);
    const cached = new CachedConditioner(inner);
    T.tidy(() => {
      const texts = ['a b c', 'd', 'a b c'];
      const fresh = inner.encode(texts);
      const got = cached.encode(texts);
      assert.equal(cached.misses, 2);
      assert.deepEqual(got.states.toArray(), fresh.states.toArray());
      assert.deepEqual(got.mask.toArray(), fresh.mask.toArray());
      assert.deepEqual(got.pooled.toArray(), fresh.pooled.toArray());
      // 'd' alone is 2 tokens long; padded in a batch with a 4-token caption: real part equal, rest masked zeros.
      const alone = cached.encode(['d']);
      assert.deepEqual(alone.states.shape, [1, 2, 4]);
      assert.deepEqual(got.states.select(0, 1).narrow(0, 0, 2).toArray(), alone.states.select(0, 0).toArray());
      assert.deepEqual(got.states.select(0, 1).narrow(0, 2, 2).toArray(), new Array(8).fill(0));
      assert.equal(cached.misses, 2);
      assert.equal(cached.name, inner.name);
    });
  }));

test('eviction bounds the memory', () =>
  assertNoLeak(() => {
    const cached = new CachedConditioner(new HashTextConditioner(4, 8), { maxBytes: 200 });
    T.tidy(() => {
      for (let i = 0; i < 10; i++) cached.encode([`caption ${i}`]);
      cached.encode(['caption 0']);
    });
    assert.equal(cached.misses, 11, 'caption 0 was evicted and encoded again');
  }));
