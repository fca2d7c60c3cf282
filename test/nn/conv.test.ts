// Tests for src/nn/conv.ts: hand-computed cross-correlations, 'same' padding (including ATen's
// extra zero after the input for even kernels), PyTorch's parameter shapes and init, gradcheck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Conv2d, Conv3d } from '../../src/nn/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertNoLeak } from '../helpers/leak.js';

/** The 3×3 image [[1,2,3],[4,5,6],[7,8,9]] as (1, 1, 3, 3). */
const image = (): T.Tensor => T.tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);

test('Conv2d 2×2 kernel on a 3×3 image matches the hand-computed cross-correlation', () =>
  assertNoLeak(() => {
    const conv = new Conv2d(1, 1, 2);
    T.tidy(() => {
      conv.loadStateDict(new Map([['weight', T.tensor([[[[1, 2], [3, 4]]]])], ['bias', T.tensor([1])]]));
      const y = conv.forward(image()); // (1, 1, 2, 2)
      assert.deepEqual(y.shape, [1, 1, 2, 2]);
      // [0,0]: 1·1 + 2·2 + 3·4 + 4·5 = 37, [0,1]: 2+6+15+24 = 47, [1,0]: 4+10+21+32 = 67, [1,1]: 5+12+24+36 = 77; +1 bias
      assert.deepEqual(y.toArray(), [38, 48, 68, 78]);
    });
    conv.dispose();
  }));

test("Conv2d padding 'same' with a 3×3 box kernel gives neighbourhood sums", () =>
  assertNoLeak(() => {
    const conv = new Conv2d(1, 1, 3, { padding: 'same', bias: false });
    T.tidy(() => {
      conv.loadStateDict(new Map([['weight', T.ones([1, 1, 3, 3])]]));
      assert.deepEqual(conv.forward(image()).toArray(), [12, 21, 16, 27, 45, 33, 24, 39, 28]);
    });
    conv.dispose();
  }));

test("Conv2d padding 'same' with an even kernel puts the extra zero after the input (as ATen)", () =>
  assertNoLeak(() => {
    const conv = new Conv2d(1, 1, 2, { padding: 'same', bias: false });
    T.tidy(() => {
      conv.loadStateDict(new Map([['weight', T.ones([1, 1, 2, 2])]]));
      const y = conv.forward(image()); // (1, 1, 3, 3)
      // out[i][j] = x[i][j] + x[i][j+1] + x[i+1][j] + x[i+1][j+1], zeros past the right/bottom edge
      assert.deepEqual(y.toArray(), [12, 16, 9, 24, 28, 15, 15, 17, 9]);
    });
    conv.dispose();
  }));

test('Conv2d stride, padding, groups: PyTorch weight shape and output size formula', () =>
  assertNoLeak(() => {
    const conv = new Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2 });
    assert.deepEqual([...conv.namedParameters()].map(([k, p]) => [k, p.shape]), [['weight', [6, 2, 3, 3]], ['bias', [6]]]);
    // ⌊(9 + 2 − 2 − 1)/2⌋ + 1 = 5, ⌊(8 + 2 − 2 − 1)/2⌋ + 1 = 4
    T.tidy(() => assert.deepEqual(conv.forward(T.zeros([2, 4, 9, 8])).shape, [2, 6, 5, 4]));
    assert.equal(conv.toString(), 'Conv2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), groups=2)');
    conv.dispose();
  }));

test('Conv3d parameter names, shapes and default init bound 1/√fan_in', () =>
  assertNoLeak(() => {
    T.manualSeed(2);
    const conv = new Conv3d(4, 8, 3);
    assert.deepEqual([...conv.namedParameters()].map(([k, p]) => [k, p.shape]), [['weight', [8, 4, 3, 3, 3]], ['bias', [8]]]);
    const bound = 1 / Math.sqrt(4 * 27);
    const w = conv.weight.toArray();
    assert.ok(w.every((v) => Math.abs(v) <= bound) && Math.max(...w.map(Math.abs)) > 0.9 * bound);
    assert.ok(conv.bias!.toArray().every((v) => Math.abs(v) <= bound));
    conv.dispose();
  }));

test("Conv3d 'same' keeps (T, H, W) with dilation; anisotropic stride follows the formula", () =>
  assertNoLeak(() => {
    const same = new Conv3d(2, 3, [3, 2, 3], { padding: 'same', dilation: [1, 2, 2] });
    const strided = new Conv3d(2, 3, [3, 4, 4], { stride: [1, 2, 2], padding: 1 });
    T.tidy(() => {
      const x = T.randn([1, 2, 4, 5, 6]); // (N, C, T, H, W)
      assert.deepEqual(same.forward(x).shape, [1, 3, 4, 5, 6]);
      assert.deepEqual(strided.forward(x).shape, [1, 3, 4, 2, 3]);
    });
    same.dispose();
    strided.dispose();
  }));

test('Conv constructor errors name the problem', () =>
  assertNoLeak(() => {
    assert.throws(() => new Conv2d(3, 4, 3, { groups: 2 }), /in_channels \(3\) must be divisible by groups \(2\)/);
    assert.throws(() => new Conv3d(2, 2, 3, { padding: 'same', stride: 2 }), /padding='same' is not supported for strided convolutions/);
    assert.throws(() => new Conv3d(2, 2, [3, 3]), /kernel_size: expected 3 values/);
  }));

test('Conv3d float64 gradcheck (stride, padding, groups) over input, weight and bias', () =>
  assertNoLeak(() => {
    T.manualSeed(3);
    const conv = new Conv3d(2, 4, 3, { stride: [1, 2, 2], padding: 1, groups: 2 }).double();
    const x = T.randn([1, 2, 3, 4, 4], { dtype: 'float64' }).requiresGrad_(true); // (N, C, T, H, W)
    const r = gradcheck(() => conv.forward(x), new Map([['x', x], ...conv.namedParameters()]));
    assert.equal(r.checked, 96 + 4 * 1 * 27 + 4);
    x.dispose();
    conv.dispose();
  }));
