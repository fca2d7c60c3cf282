// Handwritten composites: rearrange, attention, interpolation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';

test('rearrange merges, splits and permutes axes like einops', () => {
  T.tidy(() => {
    const x = T.arange(0, 2 * 3 * 4, { step: 1 }).reshape([2, 3, 4]);
    const y = T.rearrange(x, 'a b c -> c (a b)');
    assert.deepEqual(y.shape, [4, 6]);
    // y[c, a*3+b] = x[a, b, c] = a*12 + b*4 + c; check y[1, 4] (a=1, b=1, c=1) = 17
    assert.equal(y.select(0, 1).select(0, 4).item(), 17);
    const z = T.rearrange(y, 'c (a b) -> a b c', { a: 2 });
    assert.ok(T.equal(z, x));
    assert.throws(() => T.rearrange(x, 'a b -> b a'), /2 axes but the tensor has shape \[2, 3, 4\]/);
    assert.throws(() => T.rearrange(x, 'a b c -> a b'), /one side only/);
  });
});

test('attention equals softmax(QKᵀ/√d)V by hand, and causal masking hides the future', () => {
  T.tidy(() => {
    const q = T.tensor([[1, 0], [0, 1]], { dtype: 'float64' }); // (L=2, E=2)
    const k = T.tensor([[1, 0], [0, 1]], { dtype: 'float64' });
    const v = T.tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    const s = 1 / Math.sqrt(2);
    const p = Math.exp(s) / (Math.exp(s) + 1); // weight on the matching key
    const out = T.scaledDotProductAttention(q, k, v).toArray();
    const expect = [p * 1 + (1 - p) * 3, p * 2 + (1 - p) * 4, (1 - p) * 1 + p * 3, (1 - p) * 2 + p * 4];
    out.forEach((o, i) => assert.ok(Math.abs(o - expect[i]!) < 1e-12));
    const causal = T.scaledDotProductAttention(q, k, v, { causal: true }).toArray();
    assert.deepEqual(causal.slice(0, 2), [1, 2]); // first query sees only the first key
  });
});

test('centerCrop and resizeShorterSide follow torchvision rounding', () => {
  T.tidy(() => {
    const x = T.arange(0, 6 * 8, { step: 1 }).reshape([1, 1, 6, 8]).float();
    const c = T.centerCrop(x, 4, 4);
    assert.deepEqual(c.shape, [1, 1, 4, 4]);
    assert.equal(c.select(2, 0).select(2, 0).item(), 1 * 8 + 2); // top=1, left=2
    // (225 - 224) / 2 = 0.5 rounds to 0 and (227 - 224) / 2 = 1.5 to 2, as Python's round()
    const odd = T.arange(0, 227, { step: 1 }).view([1, 1, 1, 227]).expand([1, 1, 225, 227]).float();
    const oc = T.centerCrop(odd, 224, 224);
    assert.equal(oc.select(3, 0).select(2, 0).item(), 2);
    const r = T.resizeShorterSide(T.zeros([1, 3, 240, 320]), 224);
    assert.deepEqual(r.shape, [1, 3, 224, 298]);
    const n = T.interpolate(T.ones([1, 1, 2, 2]), [4, 4], 'nearest');
    assert.equal(n.sum().item(), 16);
  });
});

test('seeded randomness is reproducible and RNG state round-trips', () => {
  T.tidy(() => {
    T.manualSeed(123);
    const a = T.randn([5]).toArray();
    T.manualSeed(123);
    assert.deepEqual(T.randn([5]).toArray(), a);
    const state = T.getRngState();
    const b = T.rand([4]).toArray();
    T.setRngState(state);
    assert.deepEqual(T.rand([4]).toArray(), b);
  });
});
