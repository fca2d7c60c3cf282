// The finite-difference checker used by the nn tests must pass a correct gradient and catch a wrong one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertNoLeak } from '../helpers/leak.js';

test('gradcheck passes x·sin(x) and reports every element checked', () =>
  assertNoLeak(() => {
    const x = T.tensor([0.3, -1.2, 2.0, 0.7], { dtype: 'float64', requiresGrad: true });
    const r = gradcheck(() => x.mul(T.sin(x)), new Map([['x', x]]));
    assert.equal(r.checked, 4);
    assert.ok(r.maxAbsError < 1e-8, `max error ${r.maxAbsError}`);
    x.dispose();
  }));

test('gradcheck catches a wrong gradient (a detached factor) and names the element', () =>
  assertNoLeak(() => {
    const x = T.tensor([0.5, 1.5], { dtype: 'float64', requiresGrad: true });
    // d/dx (x · x) = 2x, but detaching one factor makes backward() report x: half the true value.
    assert.throws(() => gradcheck(() => x.mul(T.detach(x)), new Map([['x', x]])), (err: Error) => {
      assert.match(err.message, /2 of 2 gradient elements differ/);
      const m = /x\[0\]: analytic (\S+), numeric (\S+),/.exec(err.message);
      assert.ok(m, err.message);
      assert.ok(Math.abs(Number(m[2]) / Number(m[1]) - 2) < 1e-6, err.message);
      return true;
    });
    x.dispose();
  }));

test('gradcheck refuses float32 tensors', () =>
  assertNoLeak(() => {
    const x = T.tensor([1, 2], { requiresGrad: true });
    assert.throws(() => gradcheck(() => x.mulScalar(2), new Map([['x', x]])), /'x' is float32; use float64/);
    x.dispose();
  }));
