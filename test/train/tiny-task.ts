// A tiny TrainTask for the trainer tests: a denoising linear autoencoder on pooled videos (Adam,
// noise from the engine RNG, so resume must restore the RNG) plus a one-number model trained by
// SGD toward the batch mean (two optimizers; its values are easy to follow by hand).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { Linear, Module } from '../../src/nn/index.js';
import { Adam, SGD, clipGradNorm, type OptimizerLike } from '../../src/optim/index.js';
import type { Batch } from '../../src/data/loader.js';
import type { StepContext, TrainTask } from '../../src/train/types.js';
import { generateSyncDraw } from '../../src/data/syncdraw/generator.js';
import { resolveTrainerConfig, type TrainerConfig } from '../../src/train/config.js';

/** One trainable number w (shape [1], starts at 0). */
export class Scalar extends Module {
  constructor() {
    super();
    this.registerParameter('w', T.zeros([1])); // (1,)
  }
  get w(): Tensor {
    return this.param('w');
  }
}

export class TinyNet extends Module {
  readonly enc: Linear;
  readonly dec: Linear;
  constructor() {
    super();
    this.enc = this.registerModule('enc', new Linear(32, 8));
    this.dec = this.registerModule('dec', new Linear(8, 32));
  }
  forward(x: Tensor): Tensor {
    return this.dec.forward(T.tanh(this.enc.forward(x))); // (B, 32)
  }
}

export interface TinyOptions {
  lr?: number;
  /** Base rate of the scalar's SGD; default 0.5. */
  scalarLr?: number;
  /** Busy-wait per step (ms), so a test can kill the process mid-run. */
  sleepMs?: number;
  /** Keep an EMA of both modules (when the config asks for one). */
  ema?: boolean;
  /** Scripted `psnr` values returned by successive validations. */
  valScript?: number[];
  /** Called after each step with the 0-based step. */
  onStep?: (step: number) => void;
}

export interface StepRecord {
  step: number;
  epoch: number;
  ids: string[];
  figures: Record<string, number>;
}

/** (B, 1, 4, 32, 32) videos → (B, 32) features: average pools of 2 frames × 8 × 8 pixels. */
function features(videos: Tensor): Tensor {
  const B = videos.shape[0]!;
  return T.avgPool3d(videos, [2, 8, 8]).reshape([B, 32]); // (B, 32)
}

export class TinyTask implements TrainTask {
  readonly kind = 'test/tiny';
  readonly net = new TinyNet();
  readonly scalar = new Scalar();
  readonly optNet: Adam;
  readonly optScalar: SGD;
  readonly records: StepRecord[] = [];
  readonly valCalls: number[] = [];
  emaModules?: () => Record<string, Module>;

  constructor(readonly opts: TinyOptions = {}) {
    this.optNet = new Adam(this.net.parameters(), { lr: opts.lr ?? 0.01 });
    this.optScalar = new SGD(this.scalar.parameters(), { lr: opts.scalarLr ?? 0.5 });
    if (opts.ema) this.emaModules = () => ({ net: this.net, scalar: this.scalar });
  }

  modules(): Record<string, Module> {
    return { net: this.net, scalar: this.scalar };
  }
  optimizers(): Record<string, OptimizerLike> {
    return { net: this.optNet, scalar: this.optScalar };
  }

  trainStep(batch: Batch, ctx: StepContext): Record<string, number> {
    const lrNet = this.optNet.lr;
    const lrScalar = this.optScalar.lr;
    const out = T.tidy(() => {
      this.optNet.zeroGrad();
      this.optScalar.zeroGrad();
      const x = features(batch.videos); // (B, 32)
      const noisy = x.add(T.randnLike(x).mulScalar(0.05)); // (B, 32)
      const loss = T.mseLoss(this.net.forward(noisy), x); // ()
      const m = x.mean(); // ()
      const ls = this.scalar.w.sub(m).square().sum(); // ()
      loss.add(ls).backward();
      const params = [...this.net.parameters(), ...this.scalar.parameters()];
      ctx.syncGrads(params);
      if (ctx.clipNorm !== null) clipGradNorm(this.net.parameters(), ctx.clipNorm);
      this.optNet.step();
      this.optScalar.step();
      return { loss: loss.item(), ls: ls.item(), m: m.item(), w: this.scalar.w.item() };
    });
    if (this.opts.sleepMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, this.opts.sleepMs);
    const figures = { ...out, lr_net: lrNet, lr_scalar: lrScalar };
    this.records.push({ step: ctx.step, epoch: ctx.epoch, ids: [...batch.ids], figures });
    this.opts.onStep?.(ctx.step);
    return figures;
  }

  async validate(batches: AsyncIterable<Batch>): Promise<Record<string, number>> {
    let sum = 0;
    let n = 0;
    for await (const b of batches) {
      sum += T.tidy(() =>
        T.noGrad(() => {
          const x = features(b.videos); // (B, 32)
          return T.mseLoss(this.net.forward(x), x).item();
        }),
      );
      n += 1;
    }
    const i = this.valCalls.length;
    const w = T.noGrad(() => this.scalar.w.item());
    this.valCalls.push(w);
    const loss = sum / Math.max(1, n);
    const psnr = this.opts.valScript ? this.opts.valScript[i] ?? 0 : 10 * Math.log10(1 / loss);
    return { loss, psnr, w, batches: n };
  }

  describe(): Record<string, unknown> {
    return { features: 32, latent: 8 };
  }

  dispose(): void {
    this.net.dispose();
    this.scalar.dispose();
    this.optNet.dispose();
    this.optScalar.dispose();
  }
}

/** A tiny SyncDraw set (64 / 16 / 16 videos, 4 frames of 32×32) in a new temp folder. */
export async function makeTinyData(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 't2v-train-')), 'data');
  await generateSyncDraw({ out: dir, splits: { train: 64, val: 16, test: 16 }, size: 32, frames: 4, seed: 3 });
  return dir;
}

/** A trainer config for the tiny task: batch 16 (4 batches per epoch), 1 thread. */
export function tinyConfig(dataDir: string, train: Record<string, unknown> = {}): TrainerConfig {
  return resolveTrainerConfig([
    {
      name: 'test',
      value: {
        train: { steps: 12, batchSize: 16, lr: 0.01, warmupSteps: 2, valEvery: 0, valBatches: 1, ckptEvery: 4, keepLast: 2, logEvery: 1, seed: 7, threads: 1, ...train },
        data: { dir: dataDir },
      },
    },
  ]);
}
