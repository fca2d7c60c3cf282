import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { infoNce } from '../../src/align/infonce.js';
import { vicReg } from '../../src/align/vicreg.js';
import { byolLoss } from '../../src/align/byol.js';
import { assertNoLeak } from '../helpers/leak.js';

const a = [[1, 0], [0.6, 0.8], [-1, 0.2]];
const b = [[0.8, 0.6], [0, 1], [-0.5, -0.5]];

function cos(x: number[], y: number[]): number {
  const d = x.reduce((s, v, k) => s + v * y[k]!, 0);
  return d / Math.hypot(...x) / Math.hypot(...y);
}

test('symmetric InfoNCE equals the cross-entropy of cosine logits computed by hand', () => {
  const tau = 0.5;
  const n = a.length;
  const logits = a.map((x) => b.map((y) => cos(x, y) / tau));
  const ce = (rows: number[][]) => rows.reduce((s, r, i) => s - (r[i]! - Math.log(r.reduce((t, v) => t + Math.exp(v), 0))), 0) / n;
  const lt = logits[0]!.map((_, j) => logits.map((r) => r[j]!));
  const want = (ce(logits) + ce(lt)) / 2;
  assertNoLeak(() => {
    const got = T.tidy(() => infoNce(T.tensor(a), T.tensor(b), tau).item());
    assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
  });
});

test('VICReg terms by hand, normalised as the authors\' code (invariance: MSE over n·d; each variance hinge halved)', () => {
  const n = a.length;
  const inv = a.reduce((s, r, i) => s + r.reduce((t, v, k) => t + (v - b[i]![k]!) ** 2, 0), 0) / (n * a[0]!.length);
  const stats = (z: number[][]) => {
    const d = z[0]!.length;
    const mean = Array.from({ length: d }, (_, k) => z.reduce((s, r) => s + r[k]!, 0) / n);
    const cov = Array.from({ length: d }, (_, p) => Array.from({ length: d }, (_, q) => z.reduce((s, r) => s + (r[p]! - mean[p]!) * (r[q]! - mean[q]!), 0) / (n - 1)));
    const v = cov.reduce((s, r, k) => s + Math.max(0, 1 - Math.sqrt(r[k]! + 1e-4)), 0) / d;
    let c = 0;
    for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) if (p !== q) c += cov[p]![q]! ** 2;
    return { v, c: c / d };
  };
  const sa = stats(a);
  const sb = stats(b);
  const want = 25 * inv + 25 * (sa.v + sb.v) / 2 + (sa.c + sb.c);
  const got = T.tidy(() => vicReg(T.tensor(a), T.tensor(b)).item());
  assert.ok(Math.abs(got - want) < 1e-4, `${got} vs ${want}`);
});

test('BYOL loss is 2 − 2cos, zero for aligned rows, and sends no gradient to the target', () => {
  const want = a.reduce((s, x, i) => s + 2 - 2 * cos(x, b[i]!), 0) / a.length;
  const p = T.tensor(a).requiresGrad_(true);
  const z = T.tensor(b).requiresGrad_(true);
  const l = byolLoss(p, z);
  assert.ok(Math.abs(l.item() - want) < 1e-5);
  l.backward();
  assert.equal(z.grad, null);
  assert.ok(p.grad !== null);
  const zero = T.tidy(() => byolLoss(T.tensor(a), T.tensor(a).mul(T.scalar(3))).item());
  assert.ok(Math.abs(zero) < 1e-6);
  for (const t of [p, z, l]) t.dispose();
});
