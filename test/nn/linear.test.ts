// Tests for src/nn/linear.ts. Golden values by hand (y = x Wᵀ + b) and from PyTorch's documented
// parameter names and default init (U(±1/√in_features)).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Linear } from '../../src/nn/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertNoLeak } from '../helpers/leak.js';

test('Linear on a 2×3 input with known weights matches x Wᵀ + b by hand', () =>
  assertNoLeak(() => {
    const fc = new Linear(3, 2);
    T.tidy(() => {
      fc.loadStateDict(new Map([
        ['weight', T.tensor([[1, 0, -1], [2, 1, 0]])], // (2, 3)
        ['bias', T.tensor([0.5, -1])], // (2)
      ]));
      const y = fc.forward(T.tensor([[1, 2, 3], [4, 5, 6]])); // (2, 2)
      assert.deepEqual(y.shape, [2, 2]);
      // row 0: [1−3+0.5, 2+2−1]; row 1: [4−6+0.5, 8+5−1]
      assert.deepEqual(y.toArray(), [-1.5, 3, -1.5, 12]);
    });
    fc.dispose();
  }));

test('Linear has PyTorch parameter names and shapes; bias: false drops the bias', () =>
  assertNoLeak(() => {
    const fc = new Linear(3, 4);
    assert.deepEqual([...fc.namedParameters()].map(([k, p]) => [k, p.shape]), [['weight', [4, 3]], ['bias', [4]]]);
    assert.equal(fc.numParameters(), 16);
    assert.equal(fc.toString(), 'Linear(in_features=3, out_features=4, bias=True)');
    const noBias = new Linear(3, 4, { bias: false });
    assert.deepEqual([...noBias.namedParameters().keys()], ['weight']);
    assert.equal(noBias.bias, null);
    T.tidy(() => assert.deepEqual(noBias.forward(T.ones([2, 5, 3])).shape, [2, 5, 4]));
    fc.dispose();
    noBias.dispose();
  }));

test('Linear(100→10) default init: |w| ≤ 1/√100, std ≈ 1/√(3·100), bias within ±1/√100', () =>
  assertNoLeak(() => {
    T.manualSeed(0);
    const fc = new Linear(100, 10);
    const w = fc.weight.toArray();
    const bound = 1 / Math.sqrt(100);
    assert.ok(w.every((v) => Math.abs(v) <= bound), 'weights within the kaiming_uniform(a=√5) bound');
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    const expected = 1 / Math.sqrt(3 * 100);
    assert.ok(Math.abs(std - expected) / expected < 0.1, `std ${std} vs ${expected}`);
    assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
    assert.ok(Math.max(...w.map(Math.abs)) > 0.9 * bound, 'the range is actually used');
    assert.ok(fc.bias!.toArray().every((v) => Math.abs(v) <= bound));
    fc.dispose();
  }));

test('Linear float64 gradcheck over input, weight and bias', () =>
  assertNoLeak(() => {
    T.manualSeed(1);
    const fc = new Linear(3, 2).double();
    const x = T.randn([4, 3], { dtype: 'float64' }).requiresGrad_(true); // (4, 3)
    const r = gradcheck(() => fc.forward(x), new Map([['x', x], ...fc.namedParameters()]));
    assert.equal(r.checked, 12 + 6 + 2);
    x.dispose();
    fc.dispose();
  }));
