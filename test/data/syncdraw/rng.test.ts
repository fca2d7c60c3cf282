import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/data/syncdraw/rng.js';

const draw = (r: Rng, n: number): number[] => Array.from({ length: n }, () => r.nextU32());

test('same seed → same stream; different seeds (incl. high bits) → different streams', () => {
  assert.deepEqual(draw(Rng.fromSeed(42), 8), draw(Rng.fromSeed(42), 8));
  assert.notDeepEqual(draw(Rng.fromSeed(42), 8), draw(Rng.fromSeed(43), 8));
  assert.notDeepEqual(draw(Rng.fromSeed(0), 8), draw(Rng.fromSeed(2 ** 32), 8));
  assert.throws(() => Rng.fromSeed(0.5), /safe integer/);
});

test('fork depends on the parent key and label only, not on the parent position', () => {
  const a = Rng.fromSeed(1);
  const b = Rng.fromSeed(1);
  draw(b, 100); // advance b's own stream
  assert.deepEqual(draw(a.fork('train').fork(7), 8), draw(b.fork('train').fork(7), 8));
  assert.notDeepEqual(draw(a.fork('train').fork(7), 8), draw(a.fork('train').fork(8), 8));
  assert.notDeepEqual(draw(a.fork('train'), 8), draw(a.fork('val'), 8));
  assert.notDeepEqual(draw(a.fork(1), 8), draw(a, 8));
  // 20000 sibling forks: no two share their first output pair (a collision would duplicate a video)
  const seen = new Set<string>();
  for (let i = 0; i < 20000; i++) seen.add(draw(a.fork('x').fork(i), 2).join(','));
  assert.equal(seen.size, 20000);
});

test('int, float and normal have the stated ranges and moments', () => {
  const r = Rng.fromSeed(9);
  const counts = new Array<number>(10).fill(0);
  const n = 100000;
  for (let i = 0; i < n; i++) {
    const k = r.int(3, 13);
    assert.ok(k >= 3 && k < 13 && Number.isInteger(k));
    counts[k - 3]++;
  }
  // χ² with 9 dof: P(χ² > 30) ≈ 4e-4
  const chi2 = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
  assert.ok(chi2 < 30, `χ² = ${chi2}`);
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
  }
  // mean ± 4.5 standard errors; variance within 3%
  assert.ok(Math.abs(s / n) < 4.5 / Math.sqrt(n), `mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.03, `var ${s2 / n}`);
  for (let i = 0; i < 1000; i++) {
    const f = r.float();
    assert.ok(f >= 0 && f < 1);
  }
  assert.throws(() => r.int(5, 5), /lo < hi/);
});
