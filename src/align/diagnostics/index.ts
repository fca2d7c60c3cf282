/**
 * Latent-space diagnostics of a trained alignment (paper §4.2.2, Figures 4–5, Appendix A.3.2):
 * real and generated codes of held-out videos in the video latent (z_v) and, for the
 * progressive methods, the shared space; PCA, t-SNE and UMAP plots coloured by bucket; and the
 * collapse measures (collapse.ts), written as PNGs and one JSON file.
 *
 * Codes, for the first `points` videos of the loader (a held-out split):
 *   real z_v        E_v(v)                    real shared   E_s(z_v)
 *   generated z_v   the method's map of t̂    generated shared  M(E_t(t̂))
 * where t̂ is the video's caption with one noise word inserted (ours: the mapping is
 * deterministic, so with the clean caption all codes of a bucket coincide and the variance ratio
 * is 0 for every method; the noise word is the variation the methods were trained with). The
 * centroid accuracy is also reported for the clean captions (`collapseClean`).
 *
 * Plots, of the first `plotPoints` videos: PCA fitted on all real codes, real and generated
 * projected; t-SNE and UMAP on real ∪ generated, after PCA to `pcaBefore` components when the
 * codes are wider (Appendix A.3.2: 32). The measures use all `points`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { DataLoader } from '../../data/loader.js';
import { writePng } from '../../media/png.js';
import { writeJsonAtomic } from '../../io/atomic.js';
import { Rng } from '../../data/syncdraw/rng.js';
import type { AlignTask } from '../base.js';
import type { DiagnosticsBudget } from '../presets.js';
import { matrix, pca, fitPca, transformPca, stackRows, type Matrix } from './pca.js';
import { tsne } from './tsne.js';
import { umap } from './umap.js';
import { scatterImage, paletteHex } from './scatter.js';
import { collapseMeasures, type CollapseMeasures } from './collapse.js';

export interface SpaceCodes {
  real: Matrix;
  /** From captions with a noise word. */
  generated: Matrix;
  /** From the clean captions. */
  generatedClean: Matrix;
}

export interface CollectedCodes {
  buckets: Int32Array;
  captions: string[];
  videoLatent: SpaceCodes;
  shared: SpaceCodes | null;
}

function toMatrix(t: Tensor): Matrix {
  const [n, d] = t.shape as [number, number];
  return matrix(n, d, t.toFloat32Array());
}

function append(into: Matrix[], t: Tensor | null): void {
  if (t) into.push(toMatrix(t));
}

/** Real and generated codes of the first `maxPoints` videos of `loader`. */
export async function collectCodes(task: AlignTask, loader: DataLoader, maxPoints: number, seed = 0): Promise<CollectedCodes> {
  const parts: Record<'zr' | 'zg' | 'zc' | 'sr' | 'sg' | 'sc', Matrix[]> = { zr: [], zg: [], zc: [], sr: [], sg: [], sc: [] };
  const buckets: number[] = [];
  const captions: string[] = [];
  const root = Rng.fromSeed(seed).fork('diagnostics');
  for await (const b of loader.epoch(0)) {
    try {
      const take = Math.min(b.captions.length, maxPoints - buckets.length);
      const caps = b.captions.slice(0, take);
      const noisy = caps.map((c, k) => (task.noise ? task.noise.insert(c, root.fork(buckets.length + k)) : c));
      T.tidy(() => {
        const videos = take === b.captions.length ? b.videos : b.videos.narrow(0, 0, take); // (n, C, T, H, W)
        const zv = task.encodeVideos(videos); // (n, d_zv)
        append(parts.zr, zv);
        append(parts.zg, task.generateLatents(noisy).reshape([take, -1])); // (n, d_zv)
        append(parts.zc, task.generateLatents(caps).reshape([take, -1])); // (n, d_zv)
        append(parts.sr, task.sharedOfVideos(zv)); // (n, d_s)
        append(parts.sg, task.sharedOfTexts(task.textFeatures(noisy))); // (n, d_s)
        append(parts.sc, task.sharedOfTexts(task.textFeatures(caps))); // (n, d_s)
      });
      buckets.push(...b.buckets.subarray(0, take));
      captions.push(...caps);
    } finally {
      b.videos.dispose();
    }
    if (buckets.length >= maxPoints) break;
  }
  if (buckets.length < 2) throw new Error('diagnostics: the loader gave fewer than 2 videos; use a split with more videos');
  const space = (r: Matrix[], g: Matrix[], c: Matrix[]): SpaceCodes => ({ real: stackRows(r), generated: stackRows(g), generatedClean: stackRows(c) });
  return {
    buckets: Int32Array.from(buckets),
    captions,
    videoLatent: space(parts.zr, parts.zg, parts.zc),
    shared: parts.sr.length > 0 ? space(parts.sr, parts.sg, parts.sc) : null,
  };
}

export interface SpaceReport {
  collapse: CollapseMeasures;
  collapseClean: CollapseMeasures;
  pcaExplainedVarianceRatio: number[];
  plots: Record<'pca' | 'tsne' | 'umap', string>;
  seconds: Record<'pca' | 'tsne' | 'umap', number>;
}

/** Measures and the three plots of one space; PNGs are written as `<prefix>-{pca,tsne,umap}.png` in `outDir`. */
export function diagnoseSpace(codes: SpaceCodes, buckets: Int32Array, outDir: string, prefix: string, budget: DiagnosticsBudget, seed = 0): SpaceReport {
  const n = Math.min(codes.real.n, budget.plotPoints);
  const real = firstRows(codes.real, n);
  const gen = firstRows(codes.generated, n);
  const shown = buckets.subarray(0, n);
  const groups = Int32Array.from([...shown, ...shown]);
  const generated = Uint8Array.from({ length: 2 * n }, (_, i) => (i < n ? 0 : 1));
  const plots = { pca: `${prefix}-pca.png`, tsne: `${prefix}-tsne.png`, umap: `${prefix}-umap.png` };
  const seconds = { pca: 0, tsne: 0, umap: 0 };
  const timed = (k: keyof typeof seconds, fn: () => Float64Array): Float64Array => {
    const t0 = performance.now();
    const y = fn();
    seconds[k] = (performance.now() - t0) / 1000;
    writePng(join(outDir, plots[k]), scatterImage({ xy: y, groups, generated }));
    return y;
  };
  // PCA fitted on all real codes; the plotted ones projected.
  const model = fitPca(codes.real, 2);
  timed('pca', () => pad2(stackRows([transformPca(model, real), transformPca(model, gen)])));
  // t-SNE and UMAP on the union, PCA-reduced first when wider than pcaBefore.
  let both = stackRows([real, gen]);
  if (budget.pcaBefore > 0 && both.d > budget.pcaBefore) both = pca(both, budget.pcaBefore).projected;
  const perplexity = Math.min(budget.perplexity, Math.max(1, (both.n - 1) / 3));
  timed('tsne', () => tsne(both, { perplexity, iterations: budget.tsneIterations, seed }));
  timed('umap', () => umap(both, { nNeighbors: Math.min(budget.umapNeighbors, both.n - 1), epochs: budget.umapEpochs, seed }));
  return {
    collapse: collapseMeasures(codes.real, buckets, codes.generated, buckets),
    collapseClean: collapseMeasures(codes.real, buckets, codes.generatedClean, buckets),
    pcaExplainedVarianceRatio: model.explainedVarianceRatio,
    plots,
    seconds,
  };
}

/** The first n rows. */
function firstRows(m: Matrix, n: number): Matrix {
  return n === m.n ? m : matrix(n, m.d, m.data.subarray(0, n * m.d));
}

/** (n, k ≤ 2) → (n, 2) with zeros for a missing second component. */
function pad2(m: Matrix): Float64Array {
  if (m.d === 2) return m.data;
  const y = new Float64Array(m.n * 2);
  for (let i = 0; i < m.n; i++) y[2 * i] = m.data[i * m.d]!;
  return y;
}

export interface DiagnosticsReport {
  method: string;
  points: number;
  settings: Record<string, unknown>;
  spaces: Record<string, SpaceReport>;
  buckets: { id: number; caption: string; color: string }[];
  seconds: number;
}

/** Collect codes from `loader`, write the plots and `diagnostics.json` into `outDir`; returns the report. */
export async function alignmentDiagnostics(
  task: AlignTask,
  loader: DataLoader,
  outDir: string,
  budget: DiagnosticsBudget,
  opts: { seed?: number; log?: (message: string) => void } = {},
): Promise<DiagnosticsReport> {
  const t0 = performance.now();
  const seed = opts.seed ?? 0;
  mkdirSync(outDir, { recursive: true });
  const codes = await collectCodes(task, loader, budget.points, seed);
  opts.log?.(`diagnostics: ${codes.buckets.length} real and generated codes collected`);
  const spaces: Record<string, SpaceReport> = { video_latent: diagnoseSpace(codes.videoLatent, codes.buckets, outDir, 'video-latent', budget, seed) };
  if (codes.shared) spaces.shared = diagnoseSpace(codes.shared, codes.buckets, outDir, 'shared', budget, seed);
  const names = loader.reader.manifest.buckets;
  const report: DiagnosticsReport = {
    method: task.method,
    points: codes.buckets.length,
    settings: { ...budget, seed, generatedCaptions: 'caption with one noise word inserted (clean captions: collapseClean)', pcaFit: 'all real codes' },
    spaces,
    buckets: [...new Set(codes.buckets)].sort((a, b) => a - b).map((id) => ({ id, caption: names[id] ?? String(id), color: paletteHex(id) })),
    seconds: (performance.now() - t0) / 1000,
  };
  writeJsonAtomic(join(outDir, 'diagnostics.json'), report);
  return report;
}
