import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { clipLogits, multiPositiveInfoNCE, positiveMask } from '../../src/domain/loss.js';
import { assertClose } from '../helpers/close.js';
import { assertNoLeak } from '../helpers/leak.js';

/** −Σ_j q_j log softmax(row)_j by hand. */
function softCE(row: number[], q: number[]): number {
  const lse = Math.log(row.reduce((a, x) => a + Math.exp(x), 0));
  return -q.reduce((a, qj, j) => a + qj * (row[j]! - lse), 0);
}

test('positiveMask: 1 where the keys are equal', () => {
  const p = positiveMask(['a', 'b', 'a']);
  assert.deepEqual(p.toArray(), [1, 0, 1, 0, 1, 0, 1, 0, 1]);
  p.dispose();
});

test('multi-positive InfoNCE equals a hand computation on a 3×3 batch with a repeated caption', () => {
  const L = [[1, 2, 0], [0, 1, 3], [2, 0, 1]];
  // captions a, a, b: videos 0 and 1 share positives {0, 1}; video 2 has {2}
  const v2t = (softCE(L[0]!, [0.5, 0.5, 0]) + softCE(L[1]!, [0.5, 0.5, 0]) + softCE(L[2]!, [0, 0, 1])) / 3;
  const col = (j: number): number[] => L.map((r) => r[j]!);
  const t2v = (softCE(col(0), [0.5, 0.5, 0]) + softCE(col(1), [0.5, 0.5, 0]) + softCE(col(2), [0, 0, 1])) / 3;
  const expected = (v2t + t2v) / 2;
  assertNoLeak(() => {
    const got = T.tidy(() => multiPositiveInfoNCE(T.tensor(L), positiveMask(['a', 'a', 'b'])).item());
    assertClose([got], [expected], 1e-6, 1e-6);
  });
});

test('with distinct captions it is CLIP’s symmetric cross entropy', () => {
  const L = [[3, 1], [0.5, 2]];
  const expected = ((softCE(L[0]!, [1, 0]) + softCE(L[1]!, [0, 1])) / 2 + (softCE([3, 0.5], [1, 0]) + softCE([1, 2], [0, 1])) / 2) / 2;
  const got = T.tidy(() => multiPositiveInfoNCE(T.tensor(L), positiveMask(['x', 'y'])).item());
  assertClose([got], [expected], 1e-6, 1e-6);
});

test('clipLogits: exp(scale) times the cosine, scale clamped at 100; gradients reach both sides', () => {
  assertNoLeak(() => T.tidy(() => {
    const v = T.tensor([[3, 0], [1, 1]], { requiresGrad: true });
    const t = T.tensor([[0, 2], [5, 0]], { requiresGrad: true });
    const s = clipLogits(v, t, T.tensor([Math.log(2)])); // cos: [[0, 1], [1/√2, 1/√2]] · 2
    assertClose(s.toArray(), [0, 2, Math.SQRT2, Math.SQRT2], 1e-6);
    const big = clipLogits(v, t, T.tensor([10])); // e^10 > 100
    assertClose(big.toArray(), [0, 100, 100 / Math.SQRT2, 100 / Math.SQRT2], 1e-4);
    multiPositiveInfoNCE(s, positiveMask(['a', 'b'])).backward();
    assert.ok(v.grad !== null && t.grad !== null);
  }));
});
