// Memory: 10,000 training steps of a small conv net keep the live-tensor count constant after
// warm-up, and the process RSS grows by less than 50 MB (issue 2's acceptance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { TinyConvNet, syntheticBatch } from '../../src/demo/engine-demo.js';
import { Adam } from '../../src/optim/adam.js';

test('10,000 conv-net training steps: constant live tensors, RSS growth < 50 MB', () => {
  const before = T.liveTensors();
  // One thread: this test is about memory; tiny ops run fastest unthreaded and CI stays quick.
  const threads = T.getNumThreads();
  T.setNumThreads(1);
  T.manualSeed(1);
  const model = new TinyConvNet();
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const steps = 10_000;
  const warmup = 500;
  let liveAfterWarmup = -1;
  let rssAfterWarmup = 0;
  const liveSamples: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let step = 1; step <= steps; step++) {
    T.tidy(() => {
      const { x, y } = syntheticBatch(8);
      const loss = T.crossEntropyLoss(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    });
    if (step === warmup) {
      gc?.();
      liveAfterWarmup = T.liveTensors();
      rssAfterWarmup = process.memoryUsage().rss;
    }
    if (step > warmup && step % 1000 === 0) liveSamples.push(T.liveTensors());
  }
  gc?.();
  const rssGrowthMb = (process.memoryUsage().rss - rssAfterWarmup) / 2 ** 20;
  console.log(JSON.stringify({ steps, live_after_warmup: liveAfterWarmup, live_samples: liveSamples, rss_growth_mb: +rssGrowthMb.toFixed(2) }));
  for (const s of liveSamples) assert.equal(s, liveAfterWarmup, 'live tensor count changed after warm-up');
  assert.ok(rssGrowthMb < 50, `RSS grew by ${rssGrowthMb.toFixed(1)} MB`);
  model.dispose();
  optimizer.dispose();
  T.setNumThreads(threads);
  assert.equal(T.liveTensors(), before, 'model and optimizer state were not all freed');
});
