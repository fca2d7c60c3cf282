// Tests for src/optim/ema.ts against the closed form of an exponential moving average.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { EMA } from '../../src/optim/ema.js';
import { assertClose, bytes, disposeAll } from './helpers.js';

const f64 = (v: number[]) => T.tensor(v, { dtype: 'float64' });

test('after k updates toward a fixed x the shadow is d^k·x0 + (1 − d^k)·x', () => {
  const x0 = [1, -2, 4];
  const x = [3, 0.5, -1];
  const p = f64(x0);
  const ema = new EMA([p], { decay: 0.9 });
  T.tidy(() => void p.copy_(f64(x))); // the parameter moves to x and stays there
  const k = 5;
  for (let i = 0; i < k; i++) assert.equal(ema.update([p]), 0.9);
  const dk = 0.9 ** k;
  assertClose(ema.shadow.get('0')!.toArray(), x0.map((v, i) => dk * v + (1 - dk) * x[i]!), 1e-14, 'shadow');
  assert.equal(ema.numUpdates, k);
  ema.dispose();
  p.dispose();
});

test('warmup uses min(decay, (1 + n)/(10 + n)) and a per-call decay overrides the default', () => {
  const p = f64([0]);
  const ema = new EMA([p], { decay: 0.5, warmup: true });
  T.tidy(() => void p.copy_(f64([1])));
  let s = 0;
  const used: number[] = [];
  for (let n = 0; n < 4; n++) {
    const d = Math.min(0.5, (1 + n) / (10 + n)); // 0.1, 2/11, 0.25, 4/13
    used.push(ema.update([p]));
    s = d * s + (1 - d) * 1;
    assert.equal(used[n], d);
  }
  assertClose(ema.shadow.get('0')!.toArray(), [s], 1e-15, 'shadow');
  assert.equal(ema.update([p], 0.05), 0.05);
  ema.dispose();
  p.dispose();
});

test('copyTo and swap move the averaged weights; swapping twice restores both', () => {
  const w = new Map([['enc.weight', f64([1, 2])], ['enc.bias', f64([3])]]);
  const ema = new EMA(w, { decay: 0.5 });
  T.tidy(() => {
    w.get('enc.weight')!.copy_(f64([3, 4]));
    w.get('enc.bias')!.copy_(f64([5]));
  });
  ema.update(w); // shadow = (x0 + x)/2 = [2, 3], [4]
  const before = [...w.values()].map(bytes);
  ema.swap(w);
  assert.deepEqual(w.get('enc.weight')!.toArray(), [2, 3]);
  assert.deepEqual(ema.shadow.get('enc.weight')!.toArray(), [3, 4]);
  ema.swap(w);
  [...w.values()].forEach((t, i) => assert.ok(bytes(t).equals(before[i]!)));
  ema.copyTo(w);
  assert.deepEqual(w.get('enc.bias')!.toArray(), [4]);
  assert.throws(() => ema.update(new Map([['enc.weight', w.get('enc.weight')!]])), /no tensor named "enc.bias"/);
  assert.throws(() => ema.update([w.get('enc.bias')!]), /got 1 tensors but the EMA tracks 2/);
  ema.dispose();
  disposeAll(w.values());
});

test('integer tensors are copied, not averaged', () => {
  const f = f64([0]);
  const count = T.tensor([1], { dtype: 'int64' });
  const ema = new EMA([f, count], { decay: 0.9 });
  T.tidy(() => void count.copy_(T.tensor([7], { dtype: 'int64' })));
  ema.update([f, count]);
  assert.deepEqual(ema.shadow.get('1')!.toArray(), [7]);
  ema.dispose();
  disposeAll([f, count]);
});

test('state save → restore → further updates identical bit for bit; no leaks', () => {
  const p = T.tensor([0.1, 0.2, 0.3]);
  const a = new EMA([p], { decay: 0.99, warmup: true });
  const live = T.liveTensors();
  for (let i = 0; i < 10; i++) {
    p.addScalar_(0.01);
    a.update([p]);
  }
  assert.equal(T.liveTensors(), live, 'update leaked');
  const sd = a.stateDict();
  assert.deepEqual(sd.meta, { decay: 0.99, warmup: true, num_updates: 10 });
  const b = new EMA([p], { decay: 0.99, warmup: true });
  b.loadStateDict({ tensors: sd.tensors, meta: JSON.parse(JSON.stringify(sd.meta)) as typeof sd.meta });
  for (let i = 0; i < 3; i++) {
    p.addScalar_(0.01);
    a.update([p]);
    b.update([p]);
  }
  assert.ok(bytes(a.shadow.get('0')!).equals(bytes(b.shadow.get('0')!)));
  assert.throws(() => b.loadStateDict({ tensors: new Map(), meta: sd.meta }), /lacks the shadow of "0"/);
  a.dispose();
  b.dispose();
  p.dispose();
});
