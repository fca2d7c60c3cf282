// Tests for src/nn/norm.ts: GroupNorm and LayerNorm of known tensors against
// (x − mean)/√(var + eps)·γ + β with means and biased variances worked out by hand; parameter
// names and init; float64 gradchecks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { GroupNorm, LayerNorm } from '../../src/nn/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertNoLeak } from '../helpers/leak.js';
import { assertClose } from '../helpers/close.js';

const EPS = 1e-5;

test('GroupNorm(2, 4) of a known tensor matches the hand-computed group statistics', () =>
  assertNoLeak(() => {
    const gn = new GroupNorm(2, 4);
    T.tidy(() => {
      const w = [1, 2, 0.5, 1];
      const b = [0, 1, 0, -1];
      gn.loadStateDict(new Map([['weight', T.tensor(w)], ['bias', T.tensor(b)]]));
      // channels c0 = [1, 2], c1 = [3, 4] (group 0), c2 = [10, 10], c3 = [10, 14] (group 1)
      const x = T.tensor([[[1, 2], [3, 4], [10, 10], [10, 14]]]); // (1, 4, 2)
      // group 0: mean 2.5, var ((1.5² + 0.5²)·2)/4 = 1.25; group 1: mean 11, var (1 + 1 + 1 + 9)/4 = 3
      const stats = [[2.5, 1.25], [2.5, 1.25], [11, 3], [11, 3]];
      const xs = [[1, 2], [3, 4], [10, 10], [10, 14]];
      const expected = xs.flatMap((row, c) => row.map((v) => ((v - stats[c]![0]!) / Math.sqrt(stats[c]![1]! + EPS)) * w[c]! + b[c]!));
      assertClose(gn.forward(x).toArray(), expected, 1e-5);
    });
    gn.dispose();
  }));

test('GroupNorm parameters: weight, bias (C) initialised to ones and zeros; affine false has none', () =>
  assertNoLeak(() => {
    const gn = new GroupNorm(8, 32);
    assert.deepEqual([...gn.namedParameters()].map(([k, p]) => [k, p.shape]), [['weight', [32]], ['bias', [32]]]);
    assert.ok(gn.weight!.toArray().every((v) => v === 1) && gn.bias!.toArray().every((v) => v === 0));
    const plain = new GroupNorm(2, 4, { affine: false });
    assert.equal(plain.parameters().length, 0);
    assert.throws(() => new GroupNorm(3, 4), /num_channels \(4\) must be divisible by num_groups \(3\)/);
    gn.dispose();
    plain.dispose();
  }));

test('LayerNorm of known rows: [1, 2, 3, 4] → (x − 2.5)/√1.25, a constant row → 0', () =>
  assertNoLeak(() => {
    const ln = new LayerNorm(4);
    T.tidy(() => {
      const y = ln.forward(T.tensor([[1, 2, 3, 4], [2, 2, 2, 2]])); // (2, 4)
      const s = Math.sqrt(1.25 + EPS);
      assertClose(y.toArray(), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s, 0, 0, 0, 0], 1e-6);
    });
    ln.dispose();
  }));

test('LayerNorm parameters: normalized_shape weight/bias; elementwiseAffine false and bias false', () =>
  assertNoLeak(() => {
    const ln = new LayerNorm([3, 4]);
    assert.deepEqual([...ln.namedParameters()].map(([k, p]) => [k, p.shape]), [['weight', [3, 4]], ['bias', [3, 4]]]);
    const noAffine = new LayerNorm(4, { elementwiseAffine: false });
    const noBias = new LayerNorm(4, { bias: false });
    assert.deepEqual([...noAffine.namedParameters().keys()], []);
    assert.deepEqual([...noBias.namedParameters().keys()], ['weight']);
    T.tidy(() => assert.deepEqual(ln.forward(T.randn([2, 3, 4])).shape, [2, 3, 4]));
    for (const m of [ln, noAffine, noBias]) m.dispose();
  }));

/** Random affine parameters, so the gradcheck sees more than γ = 1, β = 0. */
function randomize(params: T.Tensor[]): void {
  T.noGrad(() => params.forEach((p) => p.normal_()));
}

test('GroupNorm float64 gradcheck over input, weight and bias', () =>
  assertNoLeak(() => {
    T.manualSeed(6);
    const gn = new GroupNorm(2, 4).double();
    randomize(gn.parameters());
    const x = T.randn([2, 4, 3], { dtype: 'float64' }).requiresGrad_(true); // (N, C, L)
    const r = gradcheck(() => gn.forward(x), new Map([['x', x], ...gn.namedParameters()]));
    assert.equal(r.checked, 24 + 8);
    x.dispose();
    gn.dispose();
  }));

test('LayerNorm float64 gradcheck over input, weight and bias', () =>
  assertNoLeak(() => {
    T.manualSeed(7);
    const ln = new LayerNorm(4).double();
    randomize(ln.parameters());
    const x = T.randn([2, 3, 4], { dtype: 'float64' }).requiresGrad_(true); // (N, L, E)
    const r = gradcheck(() => ln.forward(x), new Map([['x', x], ...ln.namedParameters()]));
    assert.equal(r.checked, 24 + 8);
    x.dispose();
    ln.dispose();
  }));
