// Polynomial-kernel MMD² (TATS) on hand-computed examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { kernelDistance } from '../../../src/metrics/stats/kvd.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { gaussian } from '../../flow/textures.js';

test('tiny examples equal the hand computation', () => {
  assertNoLeak(() => T.tidy(() => {
    // k(a, b) = (a·b/2 + 1)³. Kxx off-diagonal: 1, 1 → 2/2 = 1; Kyy off-diagonal: 1, 1 → 1;
    // Kxy: 3.375, 1, 3.375, 1 → 2·8.75/4 = 4.375; MMD² = 1 + 1 − 4.375
    assert.ok(Math.abs(kernelDistance(T.tensor([[1, 0], [0, 1]]), T.tensor([[1, 1], [0, 0]])) - -2.375) < 1e-12);
    // m = 3, n = 2: Kxx off-diagonal 2·(1 + 3.375 + 3.375) = 15.5 → /6; Kyy 2 → /2; Kxy sum 20 → 2·20/6
    const v = kernelDistance(T.tensor([[1, 0], [0, 1], [1, 1]]), T.tensor([[0, 0], [2, 0]]));
    assert.ok(Math.abs(v - (15.5 / 6 + 1 - 40 / 6)) < 1e-12, `${v}`);
    assert.throws(() => kernelDistance(T.tensor([[1, 0]]), T.tensor([[1, 0], [0, 1]])), /at least 2/);
  }));
});

test('identical large sets give ≈ 0', () => {
  const g = gaussian(11);
  const rows = Array.from({ length: 400 }, () => Array.from({ length: 16 }, () => 0.1 * g()));
  assertNoLeak(() => T.tidy(() => {
    const x = T.tensor(rows);
    const v = kernelDistance(x, x);
    assert.ok(Math.abs(v) < 1e-3, `${v}`);
  }));
});
