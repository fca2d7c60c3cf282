// One error path: C++ exceptions arrive as JS Errors naming the op, shapes, dtypes and device.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';

test('mismatched shapes name the op and both input shapes', () => {
  T.tidy(() => {
    const a = T.ones([2, 3]);
    assert.throws(() => a.matmul(T.ones([2, 3])), (e: Error) => {
      assert.match(e.message, /aten::matmul/);
      assert.match(e.message, /float32\[2, 3\] cpu/);
      assert.match(e.message, /cannot be multiplied/);
      return true;
    });
    assert.throws(() => T.conv2d(T.zeros([1, 3, 5, 5]), T.zeros([2, 4, 3, 3])), /aten::conv2d\(input=float32\[1, 3, 5, 5\] cpu, weight=float32\[2, 4, 3, 3\] cpu\).*channels/);
  });
});

test('a wrong dtype names the dtypes', () => {
  T.tidy(() => {
    const f = T.ones([2, 2]);
    const i = T.ones([2, 2], { dtype: 'int64' });
    assert.throws(() => T.mm(f, i), /aten::mm\(self=float32\[2, 2\] cpu, mat2=int64\[2, 2\] cpu\).*(expected|scalar type)/i);
  });
});

test('wrong JS argument types are reported per argument', () => {
  T.tidy(() => {
    const a = T.ones([2, 2]);
    // a fraction where an int is required
    assert.throws(() => a.sumDim([0.5]), /argument 'dim' expects an integer/);
    assert.throws(() => a.reshape([-2, 1]), /aten::reshape/);
  });
});

test('a typed array that does not fit the shape is refused', () => {
  assert.throws(() => T.tensor(new Float32Array(5), { shape: [2, 3] }), /does not fit shape \[2, 3\]/);
});
