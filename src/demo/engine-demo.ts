/**
 * The engine demo: a small conv net learns a synthetic task — is the bright 4×4 square in the
 * left or the right half of a noisy 16×16 image? — with Adam, printing loss, accuracy and
 * throughput. Exercises conv, norms, autograd, the optimizer and scopes end to end.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module, type Layer } from '../nn/module.js';
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { GroupNorm } from '../nn/norm.js';
import { Adam } from '../optim/adam.js';

export class TinyConvNet extends Module implements Layer {
  readonly conv1 = this.registerModule('conv1', new Conv2d(1, 8, 3, { padding: 1 }));
  readonly norm1 = this.registerModule('norm1', new GroupNorm(2, 8));
  readonly conv2 = this.registerModule('conv2', new Conv2d(8, 16, 3, { padding: 1, stride: 2 }));
  readonly head = this.registerModule('head', new Linear(32, 2));

  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      let h = this.norm1.forward(this.conv1.forward(x)).silu(); // (B, 8, 16, 16)
      h = this.conv2.forward(h).silu(); // (B, 16, 8, 8)
      h = T.adaptiveAvgPool2d(h, [1, 2]).flatten({ startDim: 1 }); // (B, 32): left and right halves pooled apart
      return this.head.forward(h); // (B, 2) logits
    });
  }
}

/** A batch of the synthetic task: images (B, 1, 16, 16) and labels (B,) int64 (0 = left). */
export function syntheticBatch(batch: number): { x: Tensor; y: Tensor } {
  return T.tidy(() => {
    const y = T.randint(0, 2, [batch]); // (B,) which half
    const col = T.randint(0, 4, [batch]).add(y.mulScalar(8)).addScalar(2); // left edge of the square
    const row = T.randint(2, 11, [batch]);
    const xs = T.arange(0, 16, { step: 1 }); // (16,)
    const inCols = xs.view([1, 16]).ge(col.view([batch, 1])).logicalAnd(xs.view([1, 16]).lt(col.addScalar(4).view([batch, 1]))); // (B, 16)
    const inRows = xs.view([1, 16]).ge(row.view([batch, 1])).logicalAnd(xs.view([1, 16]).lt(row.addScalar(4).view([batch, 1]))); // (B, 16)
    const square = inRows.view([batch, 16, 1]).logicalAnd(inCols.view([batch, 1, 16])).float(); // (B, 16, 16)
    const x = square.add(T.randn([batch, 16, 16]).mulScalar(0.5)).view([batch, 1, 16, 16]); // (B, 1, 16, 16)
    return { x, y };
  });
}

export interface EngineDemoResult {
  steps: number;
  finalLoss: number;
  finalAccuracy: number;
  imagesPerSecond: number;
  parameters: number;
  threads: number;
}

export function runEngineDemo(opts: { steps: number; batch: number; seed: number; log?: (line: string) => void }): EngineDemoResult {
  T.manualSeed(opts.seed);
  const model = new TinyConvNet();
  const optimizer = new Adam(model.parameters(), { lr: 3e-3 });
  const log = opts.log ?? (() => undefined);
  log(`engine demo: TinyConvNet (${model.numParameters()} parameters), batch ${opts.batch}, ${T.getNumThreads()} threads, libtorch ${T.engineVersion().torch}`);
  const t0 = performance.now();
  let loss = NaN;
  for (let step = 1; step <= opts.steps; step++) {
    loss = T.tidy(() => {
      const { x, y } = syntheticBatch(opts.batch);
      const l = T.crossEntropyLoss(model.forward(x), y);
      optimizer.zeroGrad();
      l.backward();
      optimizer.step();
      return l.item();
    });
    if (step % 50 === 0 || step === opts.steps) {
      const ips = (step * opts.batch) / ((performance.now() - t0) / 1000);
      log(`step ${String(step).padStart(5)}  loss ${loss.toFixed(4)}  ${ips.toFixed(0)} images/s`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  model.eval();
  const accuracy = T.tidy(() =>
    T.noGrad(() => {
      const { x, y } = syntheticBatch(1000);
      return model.forward(x).argmax({ dim: 1 }).eq(y).float().mean().item();
    }),
  );
  log(`held-out accuracy ${(accuracy * 100).toFixed(1)}% after ${opts.steps} steps in ${seconds.toFixed(1)} s`);
  const result = {
    steps: opts.steps,
    finalLoss: loss,
    finalAccuracy: accuracy,
    imagesPerSecond: (opts.steps * opts.batch) / seconds,
    parameters: model.numParameters(),
    threads: T.getNumThreads(),
  };
  model.dispose();
  optimizer.dispose();
  return result;
}
