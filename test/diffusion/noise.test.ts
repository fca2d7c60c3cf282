// Tests for src/diffusion/noise.ts: per-sample streams are reproducible, independent of the batch
// they are drawn in and of libtorch's generator, and standard normal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { SeededNoise } from '../../src/diffusion/noise.js';
import { assertNoLeak } from '../helpers/leak.js';

test('a sample\'s noise depends on its seed only', () =>
  assertNoLeak(() => {
    T.tidy(() => {
      T.manualSeed(1);
      const a = new SeededNoise([5, 6, 7]).randn([2, 3]).toArray();
      T.manualSeed(2);
      const b = new SeededNoise([6]).randn([2, 3]).toArray();
      assert.deepEqual(a.slice(6, 12), b, 'seed 6 gives the same draws alone or in a batch');
      assert.notDeepEqual(a.slice(0, 6), a.slice(6, 12));
      const stream = new SeededNoise([9]);
      const first = stream.randn([4]).toArray();
      const second = stream.randn([4]).toArray();
      assert.notDeepEqual(first, second, 'successive draws continue the stream');
      assert.deepEqual(new SeededNoise([9]).randn([4]).toArray(), first);
      assert.throws(() => new SeededNoise([1]).source()([2, 3]), /holds 1 sample streams/);
    });
  }));

test('draws are standard normal (mean 0, variance 1 over 100k)', () =>
  assertNoLeak(() => {
    T.tidy(() => {
      const z = new SeededNoise([0, 1, 2, 3]).randn([25000]).toDType('float64');
      assert.ok(Math.abs(z.mean().item()) < 0.015);
      assert.ok(Math.abs(z.variance(null).item() - 1) < 0.015);
    });
  }));
