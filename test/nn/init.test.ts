// Tests for src/nn/init.ts against torch.nn.init's documented formulas: fans, gains, bounds, stds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { init } from '../../src/nn/index.js';
import { assertNoLeak } from '../helpers/leak.js';
import { assertClose } from '../helpers/close.js';

function stats(t: T.Tensor): { maxAbs: number; std: number; mean: number } {
  const v = t.toArray();
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { maxAbs: Math.max(...v.map(Math.abs)), mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
}

test('calculateFanInAndFanOut: size(1)·receptive field and size(0)·receptive field', () =>
  assertNoLeak(() => {
    T.tidy(() => {
      assert.deepEqual(init.calculateFanInAndFanOut(T.empty([10, 100])), { fanIn: 100, fanOut: 10 }); // Linear (out, in)
      assert.deepEqual(init.calculateFanInAndFanOut(T.empty([8, 4, 3, 3, 3])), { fanIn: 108, fanOut: 216 }); // Conv3d (out, in, k, k, k)
      // ConvTranspose3d(4, 6, 3, groups=2) weight (in, out/groups, k, k, k): PyTorch's fan_in is out/groups·27
      assert.deepEqual(init.calculateFanInAndFanOut(T.empty([4, 3, 3, 3, 3])), { fanIn: 81, fanOut: 108 });
      assert.throws(() => init.calculateFanInAndFanOut(T.empty([5])), /fewer than 2 dimensions \(shape \[5\]\)/);
    });
  }));

test('calculateGain matches torch.nn.init.calculate_gain', () => {
  assertClose(
    [init.calculateGain('linear'), init.calculateGain('conv3d'), init.calculateGain('sigmoid'), init.calculateGain('tanh'),
      init.calculateGain('relu'), init.calculateGain('leaky_relu'), init.calculateGain('leaky_relu', Math.sqrt(5)), init.calculateGain('selu')],
    [1, 1, 1, 5 / 3, Math.SQRT2, Math.sqrt(2 / (1 + 0.0001)), Math.sqrt(1 / 3), 0.75],
    1e-15,
  );
});

test('kaiming and xavier fill within their bounds and with their stds', () =>
  assertNoLeak(() => {
    T.manualSeed(20);
    T.tidy(() => {
      const w = T.empty([100, 200]); // fan_in 200, fan_out 100
      // kaiming_uniform, PyTorch's default a = 0 (leaky_relu gain √2): bound √2·√(3/200)
      let s = stats(init.kaimingUniform_(w));
      const bound = Math.SQRT2 * Math.sqrt(3 / 200);
      assert.ok(s.maxAbs <= bound && s.maxAbs > 0.99 * bound, `max ${s.maxAbs} vs ${bound}`);
      // a = √5 (what Linear / Conv use): bound 1/√fan_in
      s = stats(init.kaimingUniform_(w, { a: Math.sqrt(5) }));
      assert.ok(s.maxAbs <= 1 / Math.sqrt(200) && s.maxAbs > 0.99 / Math.sqrt(200));
      s = stats(init.kaimingUniform_(w, { mode: 'fan_out', nonlinearity: 'relu' }));
      assert.ok(s.maxAbs <= Math.sqrt(6 / 100) && s.maxAbs > 0.99 * Math.sqrt(6 / 100));
      s = stats(init.kaimingNormal_(w, { nonlinearity: 'relu' }));
      assert.ok(Math.abs(s.std / Math.sqrt(2 / 200) - 1) < 0.03, `kaiming_normal std ${s.std}`);
      s = stats(init.xavierUniform_(w, 2));
      const xb = 2 * Math.sqrt(6 / 300);
      assert.ok(s.maxAbs <= xb && s.maxAbs > 0.99 * xb);
      s = stats(init.xavierNormal_(w));
      assert.ok(Math.abs(s.std / Math.sqrt(2 / 300) - 1) < 0.03, `xavier_normal std ${s.std}`);
      s = stats(init.normal_(w, 3, 0.5));
      assert.ok(Math.abs(s.mean - 3) < 0.01 && Math.abs(s.std - 0.5) < 0.01);
      s = stats(init.uniform_(w, -2, -1));
      assert.ok(Math.abs(s.mean + 1.5) < 0.01);
    });
  }));

test('init functions work in place on parameters that require grad and record no autograd', () =>
  assertNoLeak(() => {
    T.tidy(() => {
      const p = T.empty([2, 3]).requiresGrad_(true);
      assert.equal(init.ones_(p), p);
      assert.deepEqual(p.toArray(), [1, 1, 1, 1, 1, 1]);
      init.constant_(p, 2.5);
      assert.deepEqual(p.toArray(), [2.5, 2.5, 2.5, 2.5, 2.5, 2.5]);
      init.zeros_(p);
      assert.deepEqual(p.toArray(), [0, 0, 0, 0, 0, 0]);
      assert.ok(p.isLeaf && p.requiresGrad);
    });
  }));
