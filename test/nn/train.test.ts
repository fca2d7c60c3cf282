// End to end: a 2-layer MLP trained by plain SGD (p ← p − lr·∇p under noGrad) learns two
// interleaved spirals, a task no linear classifier solves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Linear, Sequential, Tanh } from '../../src/nn/index.js';
import { assertNoLeak } from '../helpers/leak.js';

/** Two spirals of n points each: class c at angle θ + c·π and radius θ/π, θ ∈ [0.5, 3π + 0.5). */
function spirals(n: number): { x: number[][]; y: number[] } {
  const x: number[][] = [];
  const y: number[] = [];
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < n; i++) {
      const t = (i / n) * 3 * Math.PI + 0.5;
      const r = t / Math.PI;
      x.push([r * Math.cos(t + c * Math.PI), r * Math.sin(t + c * Math.PI)]);
      y.push(c);
    }
  }
  return { x, y };
}

test('an MLP trained with inline SGD separates two spirals (loss < 0.05, accuracy > 98%)', () =>
  assertNoLeak(() => {
    // Tiny matrices: one thread avoids oversubscribing a shared machine (restored at the end).
    const threads = T.getNumThreads();
    T.setNumThreads(1);
    T.manualSeed(0);
    const mlp = new Sequential(new Linear(2, 32), new Tanh(), new Linear(32, 32), new Tanh(), new Linear(32, 1));
    const data = spirals(100);
    const x = T.tensor(data.x); // (200, 2)
    const y = T.tidy(() => T.tensor(data.y).unsqueeze(1)); // (200, 1)
    const lr = 0.5;
    let loss = Infinity;
    for (let step = 0; step < 1500; step++) {
      loss = T.tidy(() => {
        const l = T.binaryCrossEntropyWithLogits(mlp.forward(x), y); // ()
        l.backward();
        T.noGrad(() => {
          for (const p of mlp.parameters()) {
            const g = p.grad!;
            p.sub_(g.mulScalar(lr));
            g.dispose();
          }
        });
        mlp.zeroGrad();
        return l.item();
      });
    }
    const accuracy = T.tidy(() => mlp.forward(x).gtScalar(0).toDType('float32').eq(y).toDType('float32').mean().item());
    T.setNumThreads(threads);
    assert.ok(loss < 0.05, `final loss ${loss}`);
    assert.ok(accuracy > 0.98, `accuracy ${accuracy}`);
    x.dispose();
    y.dispose();
    mlp.dispose();
  }));
