/**
 * Budgets of the alignment runs (`t2v train align --preset`):
 *
 *   micro  seconds on a CPU: tiny MLPs, a few steps — CI and smoke tests only.
 *   quick  ≤ 30 min of alignment on a 2-core CPU for the `single` SyncDraw set (10000 train
 *          videos, 20 buckets) with the 3DConv-Base AE: the paper's networks and weights,
 *          batch 32 with 4 videos per bucket, 3000 steps (≈ 10 epochs). The pixel term, which
 *          decodes through the frozen G and dominates a step's cost, runs on 4 videos every 4th
 *          step (ours). `npm run bench -- align` measured, on this machine with 1 thread under a
 *          load average of ~10 from other jobs, with a stand-in of 3DConv-Base's sizes: 27 ms to
 *          encode a video, 137 ms per step without the pixel term and 664 ms with it, hence
 *          ≈ 4.5 min to encode the training set + 13.5 min of steps + 3.5 min of diagnostics.
 *          t-SNE perplexity 30 (the paper: 40).
 *   paper  Appendix A.3: 70 epochs, batch 64 (the paper's range is 32–100), pixel term on every
 *          video of every step; t-SNE as Appendix A.3.2 (PCA to 32 components, perplexity 40,
 *          600 iterations).
 */
import type { AlignOptions } from './base.js';

export type AlignPresetName = 'micro' | 'quick' | 'paper';
export const ALIGN_PRESETS: readonly AlignPresetName[] = ['micro', 'quick', 'paper'];

export interface DiagnosticsBudget {
  /** Test videos (and as many generated codes) measured. */
  points: number;
  /** The first `plotPoints` of them (and their generated codes) are plotted: t-SNE and UMAP see 2 × plotPoints points (O(N²)). */
  plotPoints: number;
  /** PCA components kept before t-SNE and UMAP (0 = none). */
  pcaBefore: number;
  perplexity: number;
  tsneIterations: number;
  umapNeighbors: number;
  umapEpochs: number;
}

export interface AlignPreset {
  options: Partial<AlignOptions>;
  batchSize: number;
  /** Videos per caption bucket in a batch (the 'bucket' sampler). */
  perBucket: number;
  /** Optimisation steps, or `epochs` over the training split when steps is absent. */
  steps?: number;
  epochs?: number;
  /** Max gradient norm per optimizer (paper: 4). */
  clipNorm: number;
  /** Encode every training video before the first step (else lazily, batch by batch). */
  precompute: boolean;
  logEvery: number;
  diagnostics: DiagnosticsBudget;
}

const PRESETS: Record<AlignPresetName, AlignPreset> = {
  micro: {
    options: { hidden: 64, sharedDim: 16, pixelSamples: 2, pixelEvery: 2 },
    batchSize: 8, perBucket: 2, steps: 20, clipNorm: 4, precompute: false, logEvery: 5,
    diagnostics: { points: 64, plotPoints: 64, pcaBefore: 0, perplexity: 10, tsneIterations: 150, umapNeighbors: 8, umapEpochs: 60 },
  },
  quick: {
    options: { pixelSamples: 4, pixelEvery: 4 },
    batchSize: 32, perBucket: 4, steps: 3000, clipNorm: 4, precompute: true, logEvery: 50,
    diagnostics: { points: 2000, plotPoints: 500, pcaBefore: 32, perplexity: 30, tsneIterations: 500, umapNeighbors: 15, umapEpochs: 200 },
  },
  paper: {
    options: {},
    batchSize: 64, perBucket: 4, epochs: 70, clipNorm: 4, precompute: true, logEvery: 100,
    diagnostics: { points: 2000, plotPoints: 1000, pcaBefore: 32, perplexity: 40, tsneIterations: 600, umapNeighbors: 15, umapEpochs: 500 },
  },
};

export function alignPreset(name: string): AlignPreset {
  const p = PRESETS[name as AlignPresetName];
  if (!p) throw new Error(`unknown alignment preset '${name}'; valid: ${ALIGN_PRESETS.join(', ')}`);
  return structuredClone(p);
}

/** The preset's step count given the training loader's batches per epoch (`loader.len()`). */
export function presetSteps(p: AlignPreset, batchesPerEpoch: number): number {
  if (p.steps !== undefined) return p.steps;
  return (p.epochs ?? 1) * Math.max(1, batchesPerEpoch);
}
