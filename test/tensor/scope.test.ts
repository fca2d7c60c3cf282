// Ownership: tidy scopes free intermediates, keep survivors, and use-after-dispose is an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';

test('tidy frees intermediates and returns the result', () => {
  const before = T.liveTensors();
  const y = T.tidy(() => {
    const a = T.ones([4]);
    const b = a.mulScalar(3);
    return b.addScalar(1);
  });
  assert.equal(T.liveTensors(), before + 1);
  assert.deepEqual(y.toArray(), [4, 4, 4, 4]);
  y.dispose();
  assert.equal(T.liveTensors(), before);
});

test('results inside arrays, objects and Maps survive; nested scopes hand results up', () => {
  const before = T.liveTensors();
  const out = T.tidy(() => {
    const inner = T.tidy(() => [T.zeros([1]), T.ones([1])]);
    const m = new Map([['k', T.ones([2])]]);
    T.zeros([9]); // dropped
    return { inner, m, n: 3 };
  });
  assert.equal(T.liveTensors(), before + 3);
  out.inner.forEach((t) => t.dispose());
  out.m.get('k')!.dispose();
  assert.equal(T.liveTensors(), before);
});

test('keep() exempts a tensor; an exception still frees the scope', () => {
  const before = T.liveTensors();
  let kept: T.Tensor | undefined;
  T.tidy(() => {
    kept = T.keep(T.ones([3]));
    T.ones([3]);
  });
  assert.equal(T.liveTensors(), before + 1);
  kept!.dispose();
  assert.throws(() =>
    T.tidy(() => {
      T.ones([5]);
      throw new Error('boom');
    }),
  /boom/);
  assert.equal(T.liveTensors(), before);
});

test('using a disposed tensor is a clear error, and dispose is idempotent', () => {
  const t = T.ones([2]);
  t.dispose();
  t.dispose();
  assert.ok(t.isDisposed);
  assert.throws(() => t.addScalar(1), /used after dispose/);
  const escaped = T.tidy(() => {
    const inner = T.ones([2]);
    return () => inner.shape;
  });
  assert.throws(() => escaped(), /used after dispose/);
});

test('Symbol.dispose frees the tensor (the `using` declaration)', () => {
  const before = T.liveTensors();
  {
    using t = T.ones([2]);
    assert.equal(t.numel, 2);
  }
  assert.equal(T.liveTensors(), before);
});
