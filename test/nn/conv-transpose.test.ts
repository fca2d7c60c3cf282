// Tests for src/nn/conv-transpose.ts: hand-computed transposed convolutions (each input pixel
// scatters kernel·value into the output), PyTorch's (in, out/groups, k…) weight and its fan_in,
// output_padding / output_size, and a float64 gradcheck with stride 2 and output padding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { ConvTranspose2d, ConvTranspose3d } from '../../src/nn/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertNoLeak } from '../helpers/leak.js';

test('ConvTranspose2d stride 1: out[i][j] = Σ x[a][b]·k[i−a][j−b] by hand', () =>
  assertNoLeak(() => {
    const up = new ConvTranspose2d(1, 1, 2, { bias: false });
    T.tidy(() => {
      up.loadStateDict(new Map([['weight', T.ones([1, 1, 2, 2])]]));
      const y = up.forward(T.tensor([[[[1, 2], [3, 4]]]])); // (1, 1, 3, 3)
      assert.deepEqual(y.toArray(), [1, 3, 2, 4, 10, 6, 3, 7, 4]);
    });
    up.dispose();
  }));

test('ConvTranspose2d stride 2: every input pixel becomes its own value·kernel block, plus bias', () =>
  assertNoLeak(() => {
    const up = new ConvTranspose2d(1, 1, 2, { stride: 2 });
    T.tidy(() => {
      up.loadStateDict(new Map([['weight', T.tensor([[[[1, 2], [3, 4]]]])], ['bias', T.tensor([0.5])]]));
      const y = up.forward(T.tensor([[[[1, -1], [0, 2]]]])); // (1, 1, 4, 4)
      const expected = [
        [1, 2, -1, -2],
        [3, 4, -3, -4],
        [0, 0, 2, 4],
        [0, 0, 6, 8],
      ].flat().map((v) => v + 0.5);
      assert.deepEqual(y.toArray(), expected);
    });
    up.dispose();
  }));

test('ConvTranspose3d weight is (in, out/groups, k…) and init bound uses fan_in = out/groups·∏k', () =>
  assertNoLeak(() => {
    T.manualSeed(4);
    const up = new ConvTranspose3d(4, 6, 3, { groups: 2 });
    assert.deepEqual([...up.namedParameters()].map(([k, p]) => [k, p.shape]), [['weight', [4, 3, 3, 3, 3]], ['bias', [6]]]);
    const bound = 1 / Math.sqrt(3 * 27); // PyTorch's _calculate_fan_in_and_fan_out: size(1)·receptive field
    const w = up.weight.toArray();
    assert.ok(w.every((v) => Math.abs(v) <= bound) && Math.max(...w.map(Math.abs)) > 0.9 * bound);
    assert.ok(up.bias!.toArray().every((v) => Math.abs(v) <= bound));
    up.dispose();
  }));

test('ConvTranspose3d k3 s2 p1 output_padding 1 doubles (T, H, W); output_size picks the padding', () =>
  assertNoLeak(() => {
    const up = new ConvTranspose3d(2, 3, 3, { stride: 2, padding: 1, outputPadding: 1 });
    const plain = new ConvTranspose3d(2, 3, 3, { stride: 2, padding: 1 });
    T.tidy(() => {
      const x = T.randn([1, 2, 4, 5, 6]); // (N, C, T, H, W)
      // (in − 1)·2 − 2 + 2 + 1 + 1 = 2·in
      assert.deepEqual(up.forward(x).shape, [1, 3, 8, 10, 12]);
      assert.deepEqual(plain.forward(x).shape, [1, 3, 7, 9, 11]);
      assert.deepEqual(plain.forward(x, [8, 9, 12]).shape, [1, 3, 8, 9, 12]);
      assert.deepEqual(plain.outputPaddingFor(x, [1, 3, 8, 9, 12]), [1, 0, 1]);
      assert.throws(() => plain.forward(x, [9, 9, 11]), /valid sizes for dim 0 range from 7 to 8/);
    });
    assert.throws(() => new ConvTranspose3d(2, 2, 3, { stride: 2, outputPadding: 2 }), /output_padding \(2, 2, 2\) must be smaller than either stride/);
    up.dispose();
    plain.dispose();
  }));

test('ConvTranspose3d float64 gradcheck with stride 2, output padding 1 and groups', () =>
  assertNoLeak(() => {
    T.manualSeed(5);
    const up = new ConvTranspose3d(2, 4, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }).double();
    const x = T.randn([1, 2, 2, 2, 2], { dtype: 'float64' }).requiresGrad_(true); // (N, C, T, H, W)
    const r = gradcheck(() => up.forward(x), new Map([['x', x], ...up.namedParameters()]));
    assert.equal(r.checked, 16 + 2 * 2 * 27 + 4);
    x.dispose();
    up.dispose();
  }));
