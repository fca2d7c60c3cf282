// Tests for src/nn/batchnorm.ts: PyTorch's state names and order, the running-statistics update
// after one step checked against the formula (unbiased variance for the running estimate,
// biased for the output), eval on running stats, cumulative averaging, and a gradcheck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { BatchNorm2d, BatchNorm3d } from '../../src/nn/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertNoLeak } from '../helpers/leak.js';
import { assertClose } from '../helpers/close.js';

const EPS = 1e-5;
/** (N=2, C=2, H=1, W=2): channel 0 holds 1, 2 | 3, 4; channel 1 holds 0, 0 | 4, 4. */
const batch = (): T.Tensor => T.tensor([[[[1, 2]], [[0, 0]]], [[[3, 4]], [[4, 4]]]]);

test('BatchNorm2d state: weight, bias, running_mean, running_var, num_batches_tracked (int64 scalar)', () =>
  assertNoLeak(() => {
    const bn = new BatchNorm2d(3);
    T.tidy(() => {
      const sd = bn.stateDict();
      assert.deepEqual([...sd].map(([k, t]) => [k, t.shape, t.dtype]), [
        ['weight', [3], 'float32'],
        ['bias', [3], 'float32'],
        ['running_mean', [3], 'float32'],
        ['running_var', [3], 'float32'],
        ['num_batches_tracked', [], 'int64'],
      ]);
      assert.deepEqual([...bn.namedParameters().keys()], ['weight', 'bias']);
      assert.deepEqual(sd.get('running_var')!.toArray(), [1, 1, 1]);
    });
    const untracked = new BatchNorm3d(3, { trackRunningStats: false });
    T.tidy(() => assert.deepEqual([...untracked.stateDict().keys()], ['weight', 'bias']));
    bn.dispose();
    untracked.dispose();
  }));

test('BatchNorm2d one training step: output uses batch stats, running stats follow the momentum formula', () =>
  assertNoLeak(() => {
    const bn = new BatchNorm2d(2);
    T.tidy(() => {
      const y = bn.forward(batch()); // (2, 2, 1, 2)
      // channel 0: mean 2.5, biased var 1.25, unbiased var 5/3; channel 1: mean 2, biased var 4, unbiased 16/3
      const s0 = Math.sqrt(1.25 + EPS);
      const s1 = Math.sqrt(4 + EPS);
      assertClose(y.toArray(), [-1.5 / s0, -0.5 / s0, -2 / s1, -2 / s1, 0.5 / s0, 1.5 / s0, 2 / s1, 2 / s1], 1e-5);
      // running ← 0.9·running + 0.1·batch, from running_mean 0 and running_var 1
      assertClose(bn.runningMean!.toArray(), [0.25, 0.2], 1e-6);
      assertClose(bn.runningVar!.toArray(), [0.9 + 0.1 * (5 / 3), 0.9 + 0.1 * (16 / 3)], 1e-6);
      assert.equal(bn.numBatchesTracked!.item(), 1);
    });
    bn.dispose();
  }));

test('BatchNorm2d eval normalises with the running stats and leaves them unchanged', () =>
  assertNoLeak(() => {
    const bn = new BatchNorm2d(2);
    T.tidy(() => {
      bn.forward(batch());
      bn.eval();
      const y = bn.forward(batch());
      const [m0, m1] = [0.25, 0.2];
      const [v0, v1] = [0.9 + 0.1 * (5 / 3), 0.9 + 0.1 * (16 / 3)];
      const x = [1, 2, 0, 0, 3, 4, 4, 4];
      const expected = x.map((v, i) => (Math.floor(i / 2) % 2 === 0 ? (v - m0) / Math.sqrt(v0 + EPS) : (v - m1) / Math.sqrt(v1 + EPS)));
      assertClose(y.toArray(), expected, 1e-5);
      assert.equal(bn.numBatchesTracked!.item(), 1);
      assertClose(bn.runningMean!.toArray(), [0.25, 0.2], 1e-6);
    });
    bn.dispose();
  }));

test('BatchNorm momentum null keeps a cumulative average of the batch statistics', () =>
  assertNoLeak(() => {
    const bn = new BatchNorm2d(2, { momentum: null });
    T.tidy(() => {
      bn.forward(batch()); // means [2.5, 2]
      bn.forward(batch().mulScalar(3)); // means [7.5, 6]
      assertClose(bn.runningMean!.toArray(), [(2.5 + 7.5) / 2, (2 + 6) / 2], 1e-5);
      assertClose(bn.runningVar!.toArray(), [(5 / 3 + 15) / 2, (16 / 3 + 48) / 2], 1e-4);
      assert.equal(bn.numBatchesTracked!.item(), 2);
    });
    bn.dispose();
  }));

test('BatchNorm rejects the wrong input rank with the expected dims', () =>
  assertNoLeak(() => {
    const bn = new BatchNorm3d(2);
    T.tidy(() => assert.throws(() => bn.forward(T.zeros([2, 2, 3, 3])), /BatchNorm3d: expected 5D input \(got 4D input/));
    bn.dispose();
  }));

test('BatchNorm2d float64 gradcheck in training mode over input, weight and bias', () =>
  assertNoLeak(() => {
    T.manualSeed(8);
    const bn = new BatchNorm2d(2).double();
    T.noGrad(() => bn.parameters().forEach((p) => p.normal_()));
    const x = T.randn([3, 2, 2, 2], { dtype: 'float64' }).requiresGrad_(true); // (N, C, H, W)
    const r = gradcheck(() => bn.forward(x), new Map([['x', x], ...bn.namedParameters()]));
    assert.equal(r.checked, 24 + 4);
    x.dispose();
    bn.dispose();
  }));
