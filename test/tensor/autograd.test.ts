// Autograd through the boxed dispatcher: gradients, retain_graph, zeroing, detach, grad modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';

test('gradient of sum(w*w) is 2w; gradients accumulate; setGrad(null) clears', () => {
  const before = T.liveTensors();
  const w = T.tensor([1, -2, 3]).requiresGrad_();
  T.tidy(() => w.mul(w).sum().backward());
  T.tidy(() => assert.deepEqual(w.grad!.toArray(), [2, -4, 6]));
  T.tidy(() => w.mul(w).sum().backward());
  T.tidy(() => assert.deepEqual(w.grad!.toArray(), [4, -8, 12]));
  w.setGrad(null);
  assert.equal(w.grad, null);
  w.dispose();
  assert.equal(T.liveTensors(), before);
});

test('backward with an explicit gradient and retain_graph', () => {
  T.tidy(() => {
    const x = T.tensor([1, 2], { dtype: 'float64' }).requiresGrad_();
    const y = x.mul(x); // dy/dx = 2x = [2, 4]; mul saves its inputs for backward
    y.backward({ gradient: T.tensor([1, 10], { dtype: 'float64' }), retainGraph: true });
    assert.deepEqual(x.grad!.toArray(), [2, 40]);
    y.backward({ gradient: T.tensor([1, 1], { dtype: 'float64' }) });
    assert.deepEqual(x.grad!.toArray(), [4, 44]);
    // the graph is freed now: a third backward is a clear error
    assert.throws(() => y.backward({ gradient: T.tensor([1, 1], { dtype: 'float64' }) }), /backward.*(second time|freed)/s);
  });
});

test('backward on a non-scalar without a gradient explains what to pass', () => {
  T.tidy(() => {
    const x = T.ones([3]).requiresGrad_();
    assert.throws(() => x.mulScalar(2).backward(), /needs a scalar output; pass the gradient/);
  });
});

test('noGrad stops recording, enableGrad re-enables it, modes restore after throws', () => {
  T.tidy(() => {
    const x = T.ones([2]).requiresGrad_();
    const a = T.noGrad(() => x.mulScalar(2));
    assert.equal(a.requiresGrad, false);
    const b = T.noGrad(() => T.enableGrad(() => x.mulScalar(2)));
    assert.equal(b.requiresGrad, true);
    assert.throws(() => T.noGrad(() => { throw new Error('x'); }));
    assert.equal(T.isGradEnabled(), true);
    const d = x.mulScalar(2).detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(x.isLeaf, true);
  });
});

test('setGrad refuses a gradient of another shape or dtype, as PyTorch does', () => {
  T.tidy(() => {
    const p = T.zeros([2]).requiresGrad_();
    assert.throws(() => p.setGrad(T.zeros([3])), /assigned grad float32\[3\] cpu does not match the tensor float32\[2\] cpu/);
    assert.throws(() => p.setGrad(T.zeros([2], { dtype: 'float64' })), /does not match/);
    p.setGrad(T.ones([2]));
    assert.deepEqual(p.grad!.toArray(), [1, 1]);
  });
});
