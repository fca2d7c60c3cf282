// Op results against values computed by hand (algebra), through the generated wrappers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';

function close(a: number[], b: number[], tol = 1e-6): void {
  assert.equal(a.length, b.length, `length ${a.length} vs ${b.length}`);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol, `element ${i}: ${v} vs ${b[i]}`));
}

test('matmul, add with alpha, broadcasting', () => {
  const before = T.liveTensors();
  T.tidy(() => {
    const a = T.tensor([[1, 2, 3], [4, 5, 6]]); // (2, 3)
    const b = T.tensor([[1, 0], [0, 1], [1, 1]]); // (3, 2)
    close(a.matmul(b).toArray(), [4, 5, 10, 11]);
    close(a.add(a, { alpha: 2 }).toArray(), [3, 6, 9, 12, 15, 18]);
    const row = T.tensor([10, 20, 30]); // (3,) broadcast over rows
    close(a.add(row).toArray(), [11, 22, 33, 14, 25, 36]);
    close(a.t().shape, [3, 2]);
  });
  assert.equal(T.liveTensors(), before);
});

test('reductions with dims, keepdim and tuples', () => {
  T.tidy(() => {
    const a = T.tensor([[1, 5, 3], [4, 2, 6]]);
    close(a.sum().toArray(), [21]);
    close(a.sumDim([1]).toArray(), [9, 12]);
    assert.deepEqual(a.meanDim([0], { keepdim: true }).shape, [1, 3]);
    const [values, indices] = a.maxDim(1);
    close(values.toArray(), [5, 6]);
    assert.deepEqual(indices.toArray(), [1, 2]);
    assert.equal(indices.dtype, 'int64');
    // population vs sample variance: var([1,5,3]) = 8/3 (N) or 4 (N-1)
    close(a.variance([1], { correction: 1 }).toArray(), [4, 4]);
    close(a.variance([1], { correction: 0 }).toArray(), [8 / 3, 8 / 3], 1e-6);
  });
});

test('softmax and logsumexp match the closed form', () => {
  T.tidy(() => {
    const x = T.tensor([1, 2, 3], { dtype: 'float64' });
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    close(x.softmax(0).toArray(), [Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z], 1e-12);
    close(x.logsumexp([0]).toArray(), [Math.log(z)], 1e-12);
  });
});

test('conv2d on a hand-computed 3x3 example', () => {
  T.tidy(() => {
    // input 1..9 in a 3x3 image, 2x2 kernel of ones, no padding: sums of 2x2 windows.
    const x = T.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 1, 3, 3] });
    const w = T.ones([1, 1, 2, 2]);
    close(T.conv2d(x, w).toArray(), [12, 16, 24, 28]);
    // padding 1 keeps 3x3 at stride 1 with a 3x3 kernel: centre = 45
    const y = T.conv2d(x, T.ones([1, 1, 3, 3]), { padding: 1 });
    assert.deepEqual(y.shape, [1, 1, 3, 3]);
    close([y.toArray()[4]!], [45]);
  });
});

test('scalar type promotion: integral JS numbers keep integer tensors integral', () => {
  T.tidy(() => {
    const i = T.tensor([1, 2, 3], { dtype: 'int64' });
    assert.equal(i.addScalar(1).dtype, 'int64');
    assert.deepEqual(i.addScalar(1).toArray(), [2, 3, 4]);
    assert.equal(i.mulScalar(0.5).dtype, 'float32');
    close(i.mulScalar(0.5).toArray(), [0.5, 1, 1.5]);
  });
});

test('shape ops: cat, stack, split, index, gather, where, permute', () => {
  T.tidy(() => {
    const a = T.tensor([[1, 2], [3, 4]]);
    const b = T.tensor([[5, 6], [7, 8]]);
    close(T.cat([a, b], { dim: 1 }).toArray(), [1, 2, 5, 6, 3, 4, 7, 8]);
    assert.deepEqual(T.stack([a, b]).shape, [2, 2, 2]);
    const parts = T.cat([a, b]).split(1);
    assert.equal(parts.length, 4);
    close(parts[3]!.toArray(), [7, 8]);
    const idx = T.tensor([1, 0], { dtype: 'int64' });
    close(a.index([idx]).toArray(), [3, 4, 1, 2]);
    close(a.gather(1, T.tensor([[1], [0]], { dtype: 'int64' })).toArray(), [2, 3]);
    close(T.where(a.gtScalar(2), a, b).toArray(), [5, 6, 3, 4]);
    const x = T.arange(0, 24, { step: 1 }).reshape([2, 3, 4]);
    const p = x.permute([2, 0, 1]);
    assert.deepEqual(p.shape, [4, 2, 3]);
    // p[1, 1, 2] = x[1, 2, 1] = 1*12 + 2*4 + 1 = 21
    close([p.select(0, 1).select(0, 1).select(0, 2).item()], [21]);
  });
});

test('dtype round trips through typed arrays', () => {
  T.tidy(() => {
    const f64 = T.tensor(new Float64Array([Math.PI, -0, 1e-300]), { shape: [3] });
    assert.deepEqual(Array.from(f64.toTypedArray() as Float64Array), [Math.PI, -0, 1e-300]);
    const i64 = T.tensor(new BigInt64Array([2n ** 40n, -5n]));
    assert.deepEqual(Array.from(i64.toTypedArray() as BigInt64Array), [2n ** 40n, -5n]);
    const u8 = T.tensor(new Uint8Array([0, 255, 7]), { shape: [3, 1] });
    assert.deepEqual(u8.shape, [3, 1]);
    assert.equal(u8.dtype, 'uint8');
    const bool = T.tensor([1, 0, 1], { dtype: 'bool' });
    assert.deepEqual(bool.toArray(), [1, 0, 1]);
    // IEEE half: 1.5 = 0x3E00; bfloat16: 1.0 = 0x3F80, -2.0 = 0xC000
    const h = T.tensor([1.5]).toDType('float16');
    assert.deepEqual(Array.from(h.toTypedArray() as Uint16Array), [0x3e00]);
    const bf = T.tensor([1, -2]).toDType('bfloat16');
    assert.deepEqual(Array.from(bf.toTypedArray() as Uint16Array), [0x3f80, 0xc000]);
    close(bf.toArray(), [1, -2]);
  });
});

test('in-place methods return the same tensor and mutate it', () => {
  const x = T.tensor([1, 2, 3]);
  const before = T.liveTensors();
  const r = x.mulScalar_(2).addScalar_(1);
  assert.equal(r, x);
  assert.equal(T.liveTensors(), before, 'in-place ops must not leak the aliased handle');
  close(x.toArray(), [3, 5, 7]);
  x.dispose();
});

test('scalar lists box element by element (foreach kernels)', () => {
  T.tidy(() => {
    const a = T.tensor([1, 2]);
    const b = T.tensor([3]);
    T.foreachMulScalarList_([a, b], [2, 0.5]);
    assert.deepEqual(a.toArray(), [2, 4]);
    assert.deepEqual(b.toArray(), [1.5]);
  });
});

test('negative zero survives as a scalar argument', () => {
  T.tidy(() => {
    const x = T.tensor([0], { dtype: 'float64' });
    const y = x.mulScalar(-0); // 0 * -0 = -0 in IEEE arithmetic
    assert.ok(Object.is((y.toTypedArray() as Float64Array)[0], -0));
  });
});
