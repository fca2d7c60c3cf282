/**
 * A synthetic study folder for report tests, laid out as src/study/results.ts describes:
 * results.json (valid: 2 families, 5 methods, 2 seeds, 9 metrics of which 2 secondary, a null
 * aggregate and a null ceiling), one looping GIF sample grid per method (src/media/gif.ts over
 * generated moving-square frames), a latent-plot PNG, and each run's log.jsonl.
 *
 * The per-seed values are chosen by hand so that tests know the answers without the renderer:
 *   clipsim        best dit-conv3d-base (0.315), the specialised family leads (intervals overlap)
 *   r_precision    best progressive-bucket (0.630), the joint family leads
 *   attribute_acc  progressive-bucket and dit-conv3d-base tie at 0.720 (both marked)
 *   warping_error  lower is better: best dit-conv3d-base (0.0105)
 *   fvd            lower is better: best dit-conv3d-base (381 vs 501, intervals do not overlap); ceiling null
 *   motion_smoothness best dit-causal-vae (0.9725)
 *   subject_consistency best progressive-bucket (0.910)
 *   b_psnr (secondary) null for joint-fixed (every seed null)
 * So the specialised family leads on 4 of 7 primary metrics (1 clear), the joint on 2, 1 tie.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeGif } from '../../src/media/gif.js';
import { videoGrid } from '../../src/media/grid.js';
import { writePng } from '../../src/media/png.js';
import type { VideoU8 } from '../../src/media/video.js';
import type { Interval, StudyMethod, StudyMetric, StudyResults, StudyRun } from '../../src/study/results.js';
import { tempDir } from '../media/clips.js';

export const METHODS: StudyMethod[] = [
  { id: 'progressive-bucket', family: 'joint', label: 'Progressive bucket', description: 'joint text-video latent, buckets grown progressively', latent: 'joint (d=64)', budget: { steps: 400, seconds: 120 } },
  { id: 'joint-fixed', family: 'joint', label: 'Joint, fixed length', description: 'joint latent, one clip length', latent: 'joint (d=64)', budget: { steps: 400, seconds: 110 } },
  { id: 'dit-conv3d-base', family: 'specialised', label: 'DiT · 3DConv-Base', description: 'latent diffusion in the 3DConv-Base latent', latent: 'conv3d-base (d_z=8)', budget: { steps: 400, seconds: 130 } },
  { id: 'dit-causal-vae', family: 'specialised', label: 'DiT · causal VAE', description: 'latent diffusion in the causal-VAE latent', latent: 'causal-vae (d_z=8)', budget: { steps: 400, seconds: 140 } },
  { id: 'unet-conv3d-base', family: 'specialised', label: 'U-Net · 3DConv-Base', description: 'U-Net diffusion in the 3DConv-Base latent', latent: 'conv3d-base (d_z=8)', budget: { steps: 400, seconds: 125 } },
];

const metric = (name: string, label: string, higherIsBetter: boolean, extractor: string | null, secondary = false): StudyMetric =>
  ({ name, label, higherIsBetter, extractor, secondary, summary: `${label}: synthetic test metric` });

export const METRICS: StudyMetric[] = [
  metric('clipsim', 'CLIPSIM-domain', true, 'domain:seed0'),
  metric('r_precision', 'R-precision', true, 'domain:seed0'),
  metric('attribute_acc', 'Attribute accuracy', true, 'probe:seed0'),
  metric('warping_error', 'Warping error', false, 'farneback-tensor-v1'),
  metric('fvd', 'FVD', false, 'i3d-kinetics400'),
  metric('motion_smoothness', 'Motion smoothness', true, null),
  metric('subject_consistency', 'Subject consistency', true, 'dino-vits16'),
  metric('b_psnr', 'B-PSNR', true, null, true),
  metric('dynamic_degree', 'Dynamic degree', true, 'raft-small', true),
];

/** Per method, per metric: the values of seed 0 and seed 1 (null: undefined for that run). */
export const VALUES: Record<string, Record<string, [number | null, number | null]>> = {
  'progressive-bucket': { clipsim: [0.27, 0.28], r_precision: [0.62, 0.64], attribute_acc: [0.71, 0.73], warping_error: [0.012, 0.014], fvd: [500, 502], motion_smoothness: [0.95, 0.96], subject_consistency: [0.9, 0.92], b_psnr: [22.1, 22.5], dynamic_degree: [0.4, 0.5] },
  'joint-fixed': { clipsim: [0.25, 0.26], r_precision: [0.55, 0.57], attribute_acc: [0.6, 0.62], warping_error: [0.015, 0.016], fvd: [520, 540], motion_smoothness: [0.94, 0.95], subject_consistency: [0.85, 0.86], b_psnr: [null, null], dynamic_degree: [0.3, 0.35] },
  'dit-conv3d-base': { clipsim: [0.31, 0.32], r_precision: [0.6, 0.62], attribute_acc: [0.7, 0.74], warping_error: [0.01, 0.011], fvd: [380, 382], motion_smoothness: [0.93, 0.94], subject_consistency: [0.86, 0.88], b_psnr: [21, 21.4], dynamic_degree: [0.6, 0.62] },
  'dit-causal-vae': { clipsim: [0.3, 0.31], r_precision: [0.58, 0.6], attribute_acc: [0.69, 0.7], warping_error: [0.0105, 0.0115], fvd: [390, 410], motion_smoothness: [0.97, 0.975], subject_consistency: [0.84, 0.85], b_psnr: [20.5, 20.9], dynamic_degree: [0.55, 0.6] },
  'unet-conv3d-base': { clipsim: [0.29, 0.29], r_precision: [0.5, 0.52], attribute_acc: [0.65, 0.66], warping_error: [0.02, 0.022], fvd: [600, 640], motion_smoothness: [0.9, 0.91], subject_consistency: [0.8, 0.82], b_psnr: [19, 19.5], dynamic_degree: [0.2, 0.25] },
};

export const CEILINGS: Record<string, number | null> = {
  clipsim: 0.35, r_precision: 0.9, attribute_acc: 0.95, warping_error: 0.008, fvd: null, motion_smoothness: 0.98, subject_consistency: 0.95, b_psnr: 30, dynamic_degree: 0.5,
};

export const SEEDS = [0, 1];
export const PROMPTS = ['digit 3 is moving up and down', 'digit 7 is moving left and right', 'digit 1 is bouncing around'];

/** Student-t 0.975 quantiles by degrees of freedom (tables), for the fixture's own aggregates. */
const T975: Record<number, number> = { 1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776 };

/** Mean and 95% Student-t interval of the non-null values (null when none). */
export function interval(values: readonly (number | null)[]): Interval | null {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return null;
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n === 1) return { mean, low: mean, high: mean, n };
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const hw = T975[n - 1]! * sd / Math.sqrt(n);
  return { mean, low: mean - hw, high: mean + hw, n };
}

const runDir = (m: string, s: number) => `methods/${m}/seed-${s}`;

/** The fixture's results.json content (valid against the schema), a fresh copy each call. */
export function fixtureResults(): StudyResults {
  return structuredClone(buildResults());
}

function buildResults(): StudyResults {
  const runs: StudyRun[] = METHODS.flatMap((m, mi) => SEEDS.map((seed, si) => ({
    method: m.id, seed,
    metrics: Object.fromEntries(METRICS.map((x) => [x.name, VALUES[m.id]![x.name]![si]!])),
    trainSeconds: m.budget.seconds + si * 4, sampleSeconds: 10 + mi + si,
    files: { run: runDir(m.id, seed), eval: `${runDir(m.id, seed)}/eval.json`, samples: `${runDir(m.id, seed)}/samples` },
    notes: m.id === 'joint-fixed' ? ['b_psnr: undefined, the method generates a single bucket'] : [],
  })));
  return {
    format: 't2vlab-study', version: 1, createdAt: '2025-03-01T12:00:00Z',
    data: { dir: '/work/data/single', name: 'single', counts: { train: 40, val: 8, test: 8 } },
    preset: 'micro', seeds: SEEDS, methods: METHODS, metrics: METRICS, runs,
    aggregates: Object.fromEntries(METHODS.map((m) => [m.id, Object.fromEntries(METRICS.map((x) => [x.name, interval(VALUES[m.id]![x.name]!)]))])),
    ceilings: CEILINGS,
    assets: {
      samples: Object.fromEntries(METHODS.map((m) => [m.id, `assets/samples-${m.id}.gif`])),
      samplePrompts: PROMPTS,
      latentPlots: [{ title: 'Latent PCA, coloured by digit', method: 'dit-conv3d-base', file: 'assets/latent-pca.png' }],
      curves: [],
    },
    config: { preset: 'micro', seeds: 2, train: { steps: 400, batch: 8 }, clip: null },
    versions: { t2vlab: '0.1.0', node: process.version, torch: '2.1.0' },
  };
}

/** A 16x16 gray video of a bright square moving diagonally, 8 frames; `k` varies position and brightness. */
function movingSquare(k: number): VideoU8 {
  const [T, S] = [8, 16];
  const data = new Uint8Array(T * S * S); // (T, H, W, 1)
  for (let t = 0; t < T; t++) {
    const o = (t + k) % (S - 4);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) data[t * S * S + (o + y) * S + ((o + 2 * k + x) % S)] = 120 + 15 * k;
  }
  return { frames: T, height: S, width: S, channels: 1, data };
}

/** A 64x64 RGB scatter-like image: four coloured blobs on white. */
function latentPlot(): { height: number; width: number; channels: 3; data: Uint8Array } {
  const S = 64;
  const data = new Uint8Array(S * S * 3).fill(255); // (H, W, 3)
  const blobs: [number, number, number[]][] = [[16, 16, [0, 114, 178]], [48, 20, [213, 94, 0]], [20, 46, [0, 158, 115]], [46, 46, [204, 121, 167]]];
  for (const [cx, cy, rgb] of blobs) {
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < 36) data.set(rgb, (y * S + x) * 3);
  }
  return { height: S, width: S, channels: 3, data };
}

/** log.jsonl lines of one run: train records every 10 steps (`figure`, default loss) and one val record. */
function logLines(seed: number, mi: number, figure = 'loss'): string {
  const lines: string[] = [];
  for (let step = 10; step <= 400; step += 10) {
    const value = (1.5 + 0.2 * mi) * Math.exp(-step / 120) + 0.05 + 0.02 * Math.sin(step / 17 + seed);
    lines.push(JSON.stringify({ [figure]: value, type: 'train', step, epoch: Math.floor(step / 100), time: step * 0.3, lr: 1e-3, videos_per_s: 30 }));
    if (step === 200) lines.push(JSON.stringify({ type: 'val', step, epoch: 2, time: 60, val_loss: 0.5 }));
  }
  return lines.join('\n') + '\n';
}

export interface StudyFixture {
  dir: string;
  results: StudyResults;
  cleanup: () => void;
}

/**
 * Write the synthetic study folder into a new temp dir (or `dir`). `mutate` edits the results
 * before results.json is written (it is then written as given, valid or not).
 */
export function writeStudyFixture(opts: { mutate?: (r: StudyResults) => void; dir?: string } = {}): StudyFixture {
  const t = opts.dir ? { dir: opts.dir, cleanup: () => {} } : tempDir('study');
  const results = fixtureResults();
  METHODS.forEach((m, mi) => {
    const rows = PROMPTS.map((_, p) => [movingSquare(p + mi)]);
    writeGif(join(t.dir, results.assets.samples[m.id]!), videoGrid(rows), { fps: 8 });
    for (const seed of SEEDS) {
      const rd = join(t.dir, runDir(m.id, seed));
      mkdirSync(join(rd, 'samples'), { recursive: true });
      writeFileSync(join(rd, 'eval.json'), '{}\n');
      // dit-causal-vae logs its figure as "eps_mse" (no "loss"): the curve falls back to it.
      writeFileSync(join(rd, 'log.jsonl'), logLines(seed, mi, m.id === 'dit-causal-vae' ? 'eps_mse' : 'loss'));
    }
  });
  writePng(join(t.dir, 'assets', 'latent-pca.png'), latentPlot());
  opts.mutate?.(results);
  writeFileSync(join(t.dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  return { dir: t.dir, results, cleanup: t.cleanup };
}
