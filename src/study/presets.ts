/**
 * Study presets: the sizes and matched budgets of `t2v study --preset micro|quick|paper`.
 *
 *   micro  CI smoke run: the study generates its own tiny `single` SyncDraw set (8 frames of
 *          32×32, 64 training videos) and trains every piece for a handful of steps, 1 seed.
 *          The whole study (data, 2 AEs, 3 domain models, 7 joint + 2 specialised methods, the
 *          real-video reference, sampling, evaluation, report) is sized to finish in ≤ 5 minutes
 *          on 2 cores. Its numbers mean nothing; it checks that every file is written.
 *   quick  the README demo: a freshly generated `single` set of 2000/200/400 videos of 16 frames
 *          at 32×32 (half the paper's side, so that it fits; the report states the preset's
 *          caveat) and small networks, sized for ≤ 20 minutes on 2 cores for 1 seed including
 *          the data. CPU seconds measured per piece on this machine (1 thread, under load, from
 *          each step's done.json `cpuSeconds` and short probes): data ~1; AEs conv3d-base
 *          1600 steps of the quick recipe (L1 from step 600, clamped pixel loss from 900) ≈ 230
 *          (800 steps: 113). Probe attribute accuracy of its 400 test reconstructions, seed 0:
 *          0.495 after 800 steps, 0.5475 after 1600 (0.59 after 2400); real videos 0.91. That is
 *          the ceiling of every method decoded through it, and its reconstructions are nearly
 *          static to the flow detector (dynamic degree 0.0075 against 0.99 for real videos),
 *          causal-vae 250 steps ≈ 130, unet3d 200 ≈ 90; domain model, text encoder, probe ≈ 45 +
 *          45 + 15; every method 1000 steps (400 left the progressive methods, three MLPs in
 *          series, far from converged: centroid accuracy of generated codes 0.42 at 400 steps,
 *          0.54 at 1200, against 0.62 for the non-progressive map at 400): joint ≈ 7 × 50, CoDi
 *          ≈ 300, MLP diffusion ≈ 80, DiT ≈ 220; sampling ≈ 20; evaluation ≈ 60: about 1700 CPU
 *          seconds, i.e. ~14–16 minutes of wall-clock with 2 threads on an idle 2-core machine.
 *   paper  paper sizes (method.md, Table A.1): 10000/2000/2000 videos of 16×64×64, the paper's
 *          networks, 70 epochs of alignment at batch 64 for every method (matched), 3 seeds.
 *          Days on a CPU; meant for a GPU.
 *
 * Matched budgets (ours): every method (joint and specialised) trains for the same number of
 * optimizer steps at the same batch size under the shared trainer (warmup-free cosine decay from
 * its own base rate, no EMA); the shared pieces (AEs, domain models) are trained once per seed and
 * are not part of any method's budget. Pure data: nothing here loads the engine.
 */
import type { DomainRecipe } from '../domain/train.js';
import type { AeArch } from '../models/ae/types.js';
import type { DiagnosticsBudget } from '../align/presets.js';
import type { AlignOptions } from '../align/base.js';

export type StudyPresetName = 'micro' | 'quick' | 'paper';
export const STUDY_PRESETS: readonly StudyPresetName[] = ['micro', 'quick', 'paper'];

/** The `single` SyncDraw set a study generates (t2v data syncdraw). */
export interface DataSpec {
  train: number;
  val: number;
  test: number;
  frames: number;
  size: number;
  /** Data seed: the same set for every study seed. */
  seed: number;
}

/** A shared autoencoder: its aeSpec preset, then model and trainer overrides. */
export interface AePiece {
  preset: 'micro' | 'quick' | 'paper';
  model: Record<string, unknown>;
  train: Record<string, unknown>;
}

/** A domain-model or probe run: its own preset (src/domain/train*.ts) and recipe overrides. */
export interface DomainPiece {
  preset: 'micro' | 'quick' | 'paper';
  recipe: Partial<Pick<DomainRecipe, 'epochs' | 'batchSize' | 'lr' | 'weightDecay' | 'warmup' | 'maxStepsPerEpoch'>>;
}

/** The matched budget every method trains under. */
export interface MethodBudget {
  steps: number;
  batchSize: number;
  /** Videos per caption in a batch (the bucket sampler of the joint family). */
  perBucket: number;
  logEvery: number;
  ckptEvery: number;
  /** Validation batches at the end of training. */
  valBatches: number;
}

export interface StudyPreset {
  name: StudyPresetName;
  /** Seeds when --seeds is not given. */
  seeds: number;
  /** The data set it generates when --data is absent. */
  data: DataSpec;
  /** true: always generates its own data set (--data is ignored with a note). */
  ownData: boolean;
  ae: Record<AeArch, AePiece>;
  /** The evaluation domain model (CLIPSIM-domain, R-precision, FVD features). */
  domain: DomainPiece;
  /** The conditioning text encoder: a domain-model run with another seed. */
  text: DomainPiece;
  probe: DomainPiece;
  budget: MethodBudget;
  align: { preset: 'micro' | 'quick' | 'paper'; options: Partial<AlignOptions>; diagnostics: DiagnosticsBudget };
  diffusion: {
    preset: 'micro' | 'quick' | 'paper';
    /** Denoiser overrides over diffusionDefaults(arch, preset).model. */
    models: { mlp: Record<string, unknown>; dit: Record<string, unknown> };
    sampler: { steps: number; guidance: number };
  };
  samples: {
    /** k: samples per caption; every metric is computed on all of them (steps/evaluate.ts). */
    perPrompt: number;
    /** Prompts (rows) in each method's sample grid. */
    gridPrompts: number;
    /** Videos per generation batch. */
    batchSize: number;
  };
  /** Methods run when --methods is not given. */
  methods: string[];
}

/** Seed of the conditioning text encoder of study seed s: s + TEXT_SEED_OFFSET (never the evaluation model's seed). */
export const TEXT_SEED_OFFSET = 1000;

const JOINT = ['progressive-bucket', 'clip-infonce', 'imagebind', 'nonprog-bucket', 'nonprog-infonce', 'vicreg', 'byol'];
const SPECIALISED = ['mlp-conv3d-base', 'dit-causal-vae'];
/** The latent oracles of the shared 3DConv-Base latent (steps/oracle.ts). */
const ORACLES = ['recon-conv3d-base', 'bucket-median-conv3d-base'];

const PRESETS: Record<StudyPresetName, StudyPreset> = {
  micro: {
    name: 'micro',
    seeds: 1,
    data: { train: 64, val: 40, test: 40, frames: 8, size: 32, seed: 0 },
    ownData: true,
    ae: {
      'conv3d-base': { preset: 'micro', model: {}, train: { steps: 12, batchSize: 4 } },
      'causal-vae': { preset: 'micro', model: {}, train: { steps: 12, batchSize: 4 } },
      unet3d: { preset: 'micro', model: {}, train: { steps: 12, batchSize: 4 } },
    },
    domain: { preset: 'micro', recipe: { epochs: 2 } },
    text: { preset: 'micro', recipe: { epochs: 2 } },
    probe: { preset: 'micro', recipe: { epochs: 2 } },
    budget: { steps: 12, batchSize: 8, perBucket: 2, logEvery: 2, ckptEvery: 6, valBatches: 1 },
    align: {
      preset: 'micro', options: {},
      diagnostics: { points: 40, plotPoints: 40, pcaBefore: 0, perplexity: 5, tsneIterations: 100, umapNeighbors: 5, umapEpochs: 30 },
    },
    diffusion: { preset: 'micro', models: { mlp: {}, dit: {} }, sampler: { steps: 4, guidance: 3 } },
    samples: { perPrompt: 4, gridPrompts: 4, batchSize: 40 },
    methods: [...JOINT, ...SPECIALISED, ...ORACLES, 'reference'],
  },
  quick: {
    name: 'quick',
    seeds: 1,
    data: { train: 2000, val: 200, test: 400, frames: 16, size: 32, seed: 0 },
    ownData: false,
    ae: {
      'conv3d-base': { preset: 'quick', model: { channels: [16, 32, 64], temporalStrides: [2, 2, 2], l1Start: 600, decodedStart: 900 }, train: { steps: 1600, batchSize: 16 } },
      'causal-vae': { preset: 'quick', model: { baseChannels: 8, channelMult: [1, 2, 2, 2], latentChannels: 8 }, train: { steps: 250, batchSize: 4 } },
      unet3d: { preset: 'quick', model: { baseChannels: 8, channelMult: [1, 1, 2, 2] }, train: { steps: 200, batchSize: 4 } },
    },
    domain: { preset: 'quick', recipe: {} },
    text: { preset: 'quick', recipe: {} },
    probe: { preset: 'quick', recipe: {} },
    budget: { steps: 1000, batchSize: 32, perBucket: 4, logEvery: 20, ckptEvery: 500, valBatches: 2 },
    align: {
      preset: 'quick', options: { pixelSamples: 4, pixelEvery: 4 },
      diagnostics: { points: 400, plotPoints: 200, pcaBefore: 32, perplexity: 20, tsneIterations: 300, umapNeighbors: 10, umapEpochs: 100 },
    },
    diffusion: { preset: 'quick', models: { mlp: { hidden: 128, depth: 3 }, dit: { hidden: 64, depth: 2 } }, sampler: { steps: 20, guidance: 3 } },
    samples: { perPrompt: 4, gridPrompts: 6, batchSize: 40 },
    methods: [...JOINT, 'codi', ...SPECIALISED, ...ORACLES, 'reference'],
  },
  paper: {
    name: 'paper',
    seeds: 3,
    data: { train: 10000, val: 2000, test: 2000, frames: 16, size: 64, seed: 0 },
    ownData: false,
    ae: {
      'conv3d-base': { preset: 'paper', model: {}, train: {} },
      'causal-vae': { preset: 'paper', model: {}, train: {} },
      unet3d: { preset: 'paper', model: {}, train: {} },
    },
    domain: { preset: 'paper', recipe: {} },
    text: { preset: 'paper', recipe: {} },
    probe: { preset: 'paper', recipe: {} },
    // Appendix A.3: ~70 epochs of alignment at batch 64 over 10000 videos.
    budget: { steps: 10940, batchSize: 64, perBucket: 4, logEvery: 50, ckptEvery: 1000, valBatches: 8 },
    align: {
      preset: 'paper', options: {},
      diagnostics: { points: 2000, plotPoints: 1000, pcaBefore: 32, perplexity: 40, tsneIterations: 600, umapNeighbors: 15, umapEpochs: 500 },
    },
    diffusion: { preset: 'paper', models: { mlp: {}, dit: {} }, sampler: { steps: 50, guidance: 4 } },
    samples: { perPrompt: 4, gridPrompts: 10, batchSize: 32 },
    methods: [...JOINT, 'codi', ...SPECIALISED, ...ORACLES, 'reference'],
  },
};

/** A fresh copy of a preset; an unknown name throws listing the valid ones. */
export function studyPreset(name: string): StudyPreset {
  const p = PRESETS[name as StudyPresetName];
  if (!p) throw new Error(`unknown study preset '${name}'; valid: ${STUDY_PRESETS.join(', ')}`);
  return structuredClone(p);
}
