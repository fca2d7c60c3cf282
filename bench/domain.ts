/**
 * `npm run bench -- domain`: seconds per training step (forward, backward, clip, AdamW step) of
 * the `quick` recipes of the domain text–video model and the attribute probe, on random
 * SyncDraw-shaped batches (32, 1, 16, 64, 64), and the training minutes those give for the
 * 10000-video single-digit set (8 × 312 and 4 × 312 steps; data loading and the final evaluation
 * add a few percent). Threads: T2V_THREADS.
 */
import * as T from '../src/tensor/index.js';
import { DomainModel } from '../src/domain/model.js';
import { AttributeProbeModel, probeTargets } from '../src/domain/probe.js';
import { DOMAIN_RECIPES } from '../src/domain/train.js';
import { PROBE_RECIPES } from '../src/domain/train-probe.js';
import { Vocab } from '../src/domain/vocab.js';
import { AdamW, clipGradNorm } from '../src/optim/index.js';
import type { Module } from '../src/nn/index.js';

const CAPTIONS = Array.from({ length: 20 }, (_, i) => `digit ${i % 10} is moving ${i < 10 ? 'up and down' : 'left and right'}`);

/** Median seconds of `reps` timed steps after `warm` untimed ones. */
function timeSteps(model: Module, step: (x: T.Tensor, k: number) => T.Tensor, batch: number, reps = 8, warm = 2): number {
  const opt = new AdamW(model.parameters(), { lr: 1e-4 });
  const x = T.rand([batch, 1, 16, 64, 64]); // (B, 1, T, H, W)
  const times: number[] = [];
  for (let k = 0; k < warm + reps; k++) {
    const t0 = performance.now();
    T.tidy(() => step(x, k).backward());
    clipGradNorm(model.parameters(), 1);
    opt.step();
    opt.zeroGrad();
    if (k >= warm) times.push((performance.now() - t0) / 1000);
  }
  x.dispose();
  opt.dispose();
  return times.sort((a, b) => a - b)[times.length >> 1]!;
}

export async function run(): Promise<Record<string, unknown>> {
  T.manualSeed(0);
  const d = DOMAIN_RECIPES.quick;
  const domain = new DomainModel(Vocab.fromCaptions(CAPTIONS), d.arch(1));
  const domainStep = timeSteps(domain, (x, k) => domain.loss(x, Array.from({ length: d.batchSize }, (_, i) => CAPTIONS[(i * 7 + k) % 20]!)), d.batchSize);
  domain.dispose();
  const p = PROBE_RECIPES.quick;
  const probe = new AttributeProbeModel(p.arch(1));
  const probeStep = timeSteps(probe, (x, k) => {
    const t = probeTargets(Array.from({ length: p.batchSize }, (_, i) => [{ digit: (i + k) % 10, motion: i % 2 ? 'up and down' : 'left and right' }]));
    return probe.loss(x, t);
  }, p.batchSize);
  probe.dispose();
  const steps = (epochs: number, batch: number): number => epochs * Math.floor(10000 / batch);
  return {
    threads: T.getNumThreads(),
    domainQuickSecondsPerStep: +domainStep.toFixed(4),
    domainQuickProjectedMinutes: +((domainStep * steps(d.epochs, d.batchSize)) / 60).toFixed(2),
    probeQuickSecondsPerStep: +probeStep.toFixed(4),
    probeQuickProjectedMinutes: +((probeStep * steps(p.epochs, p.batchSize)) / 60).toFixed(2),
  };
}
