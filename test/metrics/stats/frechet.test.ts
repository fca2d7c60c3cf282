// Fréchet distance against closed forms computed independently in plain JavaScript (float64).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { frechetDistance, meanAndCovariance, traceSqrtProduct } from '../../../src/metrics/stats/frechet.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { gaussian } from '../../flow/textures.js';

function matrix(rows: number[][]): T.Tensor {
  return T.tensor(rows, { dtype: 'float64' });
}

/** Mean and covariance (divided by n − ddof) of 2-D points, in plain JS. */
function stats2(p: number[][], ddof: number): { m: number[]; c: number[][] } {
  const n = p.length;
  const m = [0, 1].map((d) => p.reduce((s, r) => s + r[d]!, 0) / n);
  const c = [0, 1].map((i) => [0, 1].map((j) => p.reduce((s, r) => s + (r[i]! - m[i]!) * (r[j]! - m[j]!), 0) / (n - ddof)));
  return { m, c };
}

/** FD of 2-D sets by the 2×2 closed form Tr (AB)^{1/2} = sqrt(tr AB + 2 sqrt(det AB)). */
function fd2(x: number[][], y: number[][], ddof: number, eps: number): number {
  const sx = stats2(x, ddof);
  const sy = stats2(y, ddof);
  const a = sx.c.map((r, i) => r.map((v, j) => v + (i === j ? eps : 0)));
  const b = sy.c.map((r, i) => r.map((v, j) => v + (i === j ? eps : 0)));
  const ab = [0, 1].map((i) => [0, 1].map((j) => a[i]![0]! * b[0]![j]! + a[i]![1]! * b[1]![j]!));
  const tr = ab[0]![0]! + ab[1]![1]!;
  const det = ab[0]![0]! * ab[1]![1]! - ab[0]![1]! * ab[1]![0]!;
  const cross = Math.sqrt(tr + 2 * Math.sqrt(det));
  const dm = (sx.m[0]! - sy.m[0]!) ** 2 + (sx.m[1]! - sy.m[1]!) ** 2;
  return dm + a[0]![0]! + a[1]![1]! + b[0]![0]! + b[1]![1]! - 2 * cross; // eps in every covariance
}

test('identical sets give 0 and one-point sets give |Δμ|² (biased: a single point has zero covariance)', () => {
  assertNoLeak(() => T.tidy(() => {
    const g = gaussian(1);
    const x = matrix(Array.from({ length: 40 }, () => Array.from({ length: 8 }, () => g())));
    assert.ok(Math.abs(frechetDistance(x, x, { covariance: 'biased' })) < 1e-6);
    assert.ok(Math.abs(frechetDistance(x, x.clone(), { covariance: 'unbiased' })) < 1e-6);
    assert.ok(Math.abs(frechetDistance(matrix([[1, 2, 3]]), matrix([[4, 6, 3]]), { covariance: 'biased' }) - 25) < 1e-12);
    assert.throws(() => frechetDistance(matrix([[1, 2, 3]]), x.narrow(1, 0, 3), { covariance: 'unbiased' }), /at least 2 feature vectors/);
    assert.throws(() => frechetDistance(x, matrix([[1, 2]]), { covariance: 'biased' }), /\(N, D\) and \(M, D\)/);
  }));
});

test('random correlated 2-D Gaussians match the closed form to 1e-6 relative (biased, unbiased, eps)', () => {
  const g = gaussian(7);
  const sample = (n: number, mx: number, my: number, r: number): number[][] =>
    Array.from({ length: n }, () => {
      const [u, v] = [g(), g()];
      return [mx + 2 * u, my + r * u + 0.5 * v];
    });
  const x = sample(60, 0.5, -1, 0.8);
  const y = sample(45, -0.2, 0.3, -1.5);
  assertNoLeak(() => T.tidy(() => {
    for (const [covariance, ddof, eps] of [['biased', 0, 0], ['unbiased', 1, 0], ['unbiased', 1, 0.1]] as const) {
      const got = frechetDistance(matrix(x), matrix(y), { covariance, eps });
      const want = fd2(x, y, ddof, eps);
      assert.ok(Math.abs(got - want) <= 1e-6 * Math.abs(want), `${covariance} eps ${eps}: ${got} vs ${want}`);
    }
  }));
});

test('diagonal covariances: FD = |Δμ|² + Σ (σ_x − σ_y)² (orthogonal ±1 designs, D = 15)', () => {
  // Sylvester–Hadamard 16×16: columns 1..15 are zero-mean, orthogonal, ±1 → covariance diag(s²)
  const had = (i: number, j: number): number => (popcount(i & j) % 2 === 0 ? 1 : -1);
  const g = gaussian(3);
  const d = 15;
  const [mx, my, sx, sy] = [0, 0, 0, 0].map(() => Array.from({ length: d }, () => g()));
  const x = Array.from({ length: 16 }, (_, n) => Array.from({ length: d }, (_, k) => mx![k]! + sx![k]! * had(n, k + 1)));
  const y = Array.from({ length: 16 }, (_, n) => Array.from({ length: d }, (_, k) => my![k]! + sy![k]! * had(15 - n, k + 1)));
  let dm = 0;
  let ds = 0;
  for (let k = 0; k < d; k++) {
    dm += (mx![k]! - my![k]!) ** 2;
    ds += (Math.abs(sx![k]!) - Math.abs(sy![k]!)) ** 2;
  }
  assertNoLeak(() => T.tidy(() => {
    const biased = frechetDistance(matrix(x), matrix(y), { covariance: 'biased' });
    assert.ok(Math.abs(biased - (dm + ds)) <= 1e-6 * (dm + ds), `${biased} vs ${dm + ds}`);
    const unbiased = frechetDistance(matrix(x), matrix(y), { covariance: 'unbiased' });
    assert.ok(Math.abs(unbiased - (dm + (16 / 15) * ds)) <= 1e-6 * (dm + ds));
    // eps regularises both covariances everywhere: identical sets still give 0
    const same = frechetDistance(matrix(x), matrix(x), { covariance: 'unbiased', eps: 1e-5 });
    assert.ok(Math.abs(same) < 1e-9, `${same}`);
  }));
});

function popcount(v: number): number {
  let c = 0;
  for (let u = v; u; u &= u - 1) c++;
  return c;
}

test('few samples of long features (N + M < D): the subspace computation equals the full one', () => {
  const g = gaussian(5);
  const rows = (n: number, shift: number): number[][] => Array.from({ length: n }, () => Array.from({ length: 30 }, (_, k) => g() * (1 + k / 10) + shift));
  assertNoLeak(() => T.tidy(() => {
    const x = matrix(rows(6, 0));
    const y = matrix(rows(5, 0.3));
    for (const eps of [0, 1e-3]) {
      const sx = meanAndCovariance(x, 'unbiased');
      const sy = meanAndCovariance(y, 'unbiased');
      const offset = T.eye(30, { dtype: 'float64' }).mulScalar(eps);
      const full = sx.mean.sub(sy.mean).square().sum().item() + T.trace(sx.cov.add(offset)).item() + T.trace(sy.cov.add(offset)).item()
        - 2 * traceSqrtProduct(sx.cov.add(offset), sy.cov.add(offset));
      const got = frechetDistance(x, y, { covariance: 'unbiased', eps });
      assert.ok(Math.abs(got - full) <= 1e-6 * Math.abs(full), `eps ${eps}: ${got} vs ${full}`);
    }
  }));
});
