import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matrix, type Matrix } from '../../../src/align/diagnostics/pca.js';
import { jointProbabilities, squaredDistances, tsne } from '../../../src/align/diagnostics/tsne.js';
import { fitAB, umap } from '../../../src/align/diagnostics/umap.js';
import { Rng } from '../../../src/data/syncdraw/rng.js';

/** Two Gaussian clusters in 10-D, 30 points each, centres 8σ apart on every axis. */
function clusters(): { x: Matrix; labels: number[] } {
  const rng = Rng.fromSeed(2);
  const labels = Array.from({ length: 60 }, (_, i) => (i < 30 ? 0 : 1));
  return { x: matrix(60, 10, labels.flatMap((l) => Array.from({ length: 10 }, () => 8 * l + rng.normal()))), labels };
}

/** Fraction of points whose nearest other point in the 2-D embedding has the same label. */
function nnAgreement(y: Float64Array, labels: number[]): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = -1;
    let bd = Infinity;
    for (let j = 0; j < labels.length; j++) {
      if (j === i) continue;
      const d = (y[2 * i]! - y[2 * j]!) ** 2 + (y[2 * i + 1]! - y[2 * j + 1]!) ** 2;
      if (d < bd) [bd, best] = [d, j];
    }
    if (labels[best] === labels[i]) hits++;
  }
  return hits / labels.length;
}

test('t-SNE affinities: each conditional row has perplexity 2^H = target; P is symmetric and sums to 1', () => {
  const { x } = clusters();
  const n = x.n;
  const P = jointProbabilities(squaredDistances(x), n, 10);
  let sum = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    sum += P[i * n + j]!;
    assert.ok(Math.abs(P[i * n + j]! - P[j * n + i]!) < 1e-15);
  }
  assert.ok(Math.abs(sum - 1) < 1e-6, `${sum}`);
});

test('t-SNE separates two well-separated Gaussian clusters (1-NN label agreement ≥ 0.95), deterministically', () => {
  const { x, labels } = clusters();
  const y = tsne(x, { perplexity: 10, iterations: 300, seed: 1 });
  assert.ok(nnAgreement(y, labels) >= 0.95);
  assert.deepEqual(Array.from(tsne(x, { perplexity: 10, iterations: 300, seed: 1 })), Array.from(y));
});

test("UMAP's curve fit matches umap-learn's find_ab_params(1, 0.1) = (1.5769, 0.8951)", () => {
  const { a, b } = fitAB(0.1);
  assert.ok(Math.abs(a - 1.576943460405378) < 5e-3, `a = ${a}`);
  assert.ok(Math.abs(b - 0.8950608781227859) < 5e-3, `b = ${b}`);
});

test('UMAP separates two well-separated Gaussian clusters (1-NN label agreement ≥ 0.95)', () => {
  const { x, labels } = clusters();
  const y = umap(x, { nNeighbors: 10, epochs: 100, seed: 1 });
  assert.ok(y.every(Number.isFinite));
  assert.ok(nnAgreement(y, labels) >= 0.95);
});
