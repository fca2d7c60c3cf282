/**
 * `npm run bench -- align`: the cost of the alignment's parts on this machine, to size the
 * `quick` preset (≤ 30 min on the `single` set): encoding a video with the frozen E_v, one
 * progressive-bucket step without and with the pixel term (4 videos decoded through G), and the
 * diagnostics' t-SNE / UMAP per iteration at the quick plot size. Prints the projected wall time
 * of `t2v train align --preset quick` on 10000 training videos.
 *
 * The AE is `T2V_BENCH_AE=<run>` (loaded with loadAutoencoder) when set; otherwise a stand-in
 * with 3DConv-Base's sizes (input 1×16×64×64, stride-2 conv stages of 32, 64, 128, 256 channels,
 * d_z = 64, mirrored transposed convs). The text encoder is a random 512-d stand-in (CLIP's width).
 */
import * as T from '../src/tensor/index.js';
import { Conv3d, ConvTranspose3d, Linear, Module, ModuleList } from '../src/nn/index.js';
import type { VideoAutoencoder } from '../src/models/ae/types.js';
import type { TextConditioner } from '../src/models/conditioning.js';
import type { Batch } from '../src/data/loader.js';
import { loadAutoencoder } from '../src/models/ae/index.js';
import { createAlignTask } from '../src/align/methods.js';
import { NoiseWords } from '../src/align/noise-words.js';
import { alignPreset } from '../src/align/presets.js';
import { matrix } from '../src/align/diagnostics/pca.js';
import { tsne } from '../src/align/diagnostics/tsne.js';
import { umap } from '../src/align/diagnostics/umap.js';

const INPUT: [number, number, number, number] = [1, 16, 64, 64];
const CH = [32, 64, 128, 256];

export class StandInAe extends Module implements VideoAutoencoder {
  readonly arch = 'conv3d-base' as const;
  readonly config = { standIn: true, channels: CH, latentDim: 64 };
  readonly down = this.registerModule('down', new ModuleList(CH.map((c, i) => new Conv3d(i === 0 ? 1 : CH[i - 1]!, c, 4, { stride: 2, padding: 1 }))));
  readonly toZ = this.registerModule('to_z', new Linear(256 * 16, 64));
  readonly fromZ = this.registerModule('from_z', new Linear(64, 256 * 16));
  readonly up = this.registerModule('up', new ModuleList(CH.map((_, i) => new ConvTranspose3d(CH[3 - i]!, i === 3 ? 1 : CH[2 - i]!, 4, { stride: 2, padding: 1 }))));
  latentShape(): number[] {
    return [64];
  }
  encode(x: T.Tensor): T.Tensor {
    return T.tidy(() => this.toZ.forward([...this.down].reduce((h, d) => T.leakyRelu(d.forward(h), { negativeSlope: 0.2 }), x).reshape([x.shape[0]!, 256 * 16]))); // (B, 64)
  }
  decode(z: T.Tensor): T.Tensor {
    return T.tidy(() => {
      let h = this.fromZ.forward(z).reshape([z.shape[0]!, 256, 1, 4, 4]); // (B, 256, 1, 4, 4)
      [...this.up].forEach((u, i) => (h = i === 3 ? T.sigmoid(u.forward(h)) : T.relu(u.forward(h)))); // … (B, 1, 16, 64, 64)
      return h;
    });
  }
}

const conditioner: TextConditioner = {
  name: 'random-512', dim: 512, maxTokens: 77,
  encode(texts) {
    const pooled = T.randn([texts.length, 512]); // (B, 512)
    return { pooled, states: T.tidy(() => pooled.unsqueeze(1)), mask: T.ones([texts.length, 1], { dtype: 'bool' }) };
  },
};

function msPer(fn: () => void, reps: number): number {
  fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
}

export async function run(): Promise<Record<string, unknown>> {
  const aeRun = process.env.T2V_BENCH_AE;
  const ae: VideoAutoencoder = aeRun ? await loadAutoencoder(aeRun) : new StandInAe();
  const captions = Array.from({ length: 20 }, (_, i) => `digit ${i % 10} is moving ${i < 10 ? 'up and down' : 'left and right'}`);
  const quick = alignPreset('quick');
  const B = quick.batchSize;
  const batch: Batch = {
    videos: T.rand([B, ...INPUT]),
    captions: Array.from({ length: B }, (_, i) => captions[Math.floor(i / 4) % 20]!),
    buckets: Int32Array.from({ length: B }, (_, i) => Math.floor(i / 4) % 20),
    attributes: [], ids: Array.from({ length: B }, (_, i) => `v${i}`), indices: Array.from({ length: B }, (_, i) => i),
  };
  const make = (pixel: boolean) =>
    createAlignTask('progressive-bucket', { ae, conditioner, input: INPUT, trainSize: B, noise: NoiseWords.fromCorpus(captions) }, { ...quick.options, pixelEvery: 1, ...(pixel ? {} : { lambdaPixel: 0 }) });
  const noPixel = make(false);
  const encodeMs = msPer(() => T.tidy(() => noPixel.encodeVideos(batch.videos)), 2) / B;
  let step = 0;
  const ctx = () => ({ step: step++, epoch: 0, clipNorm: quick.clipNorm, syncGrads: () => {} });
  const stepMs = msPer(() => noPixel.trainStep(batch, ctx()), 5);
  noPixel.dispose();
  const withPixel = make(true);
  const pixelStepMs = msPer(() => withPixel.trainStep(batch, ctx()), 3);
  withPixel.dispose();
  batch.videos.dispose();
  if (!aeRun) ae.dispose();
  // Diagnostics at the quick plot size (2 × plotPoints points after PCA to 32).
  const n = 2 * quick.diagnostics.plotPoints;
  const x = matrix(n, 32, Array.from({ length: n * 32 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1));
  const d = quick.diagnostics;
  const tsneCost = fixedAndPer((iterations) => tsne(x, { perplexity: d.perplexity, iterations }));
  const umapCost = fixedAndPer((epochs) => umap(x, { nNeighbors: d.umapNeighbors, epochs }));
  const steps = quick.steps!;
  const avgStep = stepMs + (pixelStepMs - stepMs) / quick.options.pixelEvery!;
  // two spaces; test codes: encode + 2 generations per video (≈ 3 encodes, generously)
  const diagSeconds = (2 * (tsneCost.fixed + tsneCost.per * d.tsneIterations + umapCost.fixed + umapCost.per * d.umapEpochs) + d.points * 3 * encodeMs) / 1000;
  return {
    ae: aeRun ?? 'stand-in 3DConv-Base sizes',
    threads: T.getNumThreads(),
    encode_ms_per_video: encodeMs,
    step_ms_no_pixel: stepMs,
    step_ms_pixel4: pixelStepMs,
    quick_projection_s: { precompute_10000: (10000 * encodeMs) / 1000, train: (steps * avgStep) / 1000, diagnostics: diagSeconds },
    tsne_ms: { points: n, setup: tsneCost.fixed, per_iteration: tsneCost.per },
    umap_ms: { points: n, setup: umapCost.fixed, per_epoch: umapCost.per },
  };
}

/** Fixed and per-iteration milliseconds of fn(iterations), from runs of 5 and 15 iterations. */
function fixedAndPer(fn: (iterations: number) => unknown): { fixed: number; per: number } {
  const time = (k: number): number => {
    const t0 = performance.now();
    fn(k);
    return performance.now() - t0;
  };
  const a = time(5);
  const b = time(15);
  const per = Math.max(0, (b - a) / 10);
  return { fixed: Math.max(0, a - 5 * per), per };
}
