/**
 * The joint family in a study (src/align; paper §3 stage 2 and the baselines of §4.2.2–4.2.3):
 * one alignment run per method and seed over the seed's frozen autoencoder and conditioning
 * text encoder, trained by the shared trainer under the study's matched budget (resumable), then
 * its latent-space diagnostics on the test split (PCA, t-SNE, UMAP, collapse), then samples
 * `video = G(G_s(M(E_t(text))))` (as src/align/generate.ts: sample 0 of a prompt from the clean
 * caption, later samples with one noise word inserted); sampling seconds exclude model loading,
 * as for the specialised family.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetReader } from '../../data/format.js';
import { DataLoader } from '../../data/loader.js';
import { loadAutoencoder } from '../../models/ae/index.js';
import { createAlignTask } from '../../align/methods.js';
import { alignPreset } from '../../align/presets.js';
import type { AlignOptions } from '../../align/base.js';
import { precomputeLatents } from '../../align/train.js';
import { NoiseWords } from '../../align/noise-words.js';
import { alignmentDiagnostics } from '../../align/diagnostics/index.js';
import { loadJointModel, samplePrompts, type JointLoaders } from '../../align/generate.js';
import { videosFromTensor } from '../../media/tensor-video.js';
import type { VideoU8 } from '../../media/video.js';
import { seedEverything } from '../../train/trainer.js';
import type { StepOf } from '../plan.js';
import type { RunContext } from '../run.js';
import { loadTextConditioner } from './domain.js';
import { gridPrompts, promptMajor, testPrompts, writeSamples } from './samples.js';
import { finishedInfo, inputOf, readManifest, runConfig, trainRun } from './trainer.js';

export const DIAGNOSTICS_DIR = 'diagnostics';

/** Loaders of a run's frozen pieces from the study's folders (not the paths recorded in task.json, so a moved study still loads). */
function loaders(ae: string, text: string): JointLoaders {
  return { loadAutoencoder: () => loadAutoencoder(ae), loadConditioner: () => loadTextConditioner(text) };
}

/** The align options of a study preset, with the run's seed. */
function alignOptions(ctx: RunContext, seed: number): { options: Partial<AlignOptions>; clipNorm: number } {
  const a = ctx.plan.preset.align;
  const base = alignPreset(a.preset);
  return { options: { ...base.options, ...a.options, seed }, clipNorm: base.clipNorm };
}

export async function trainJointStep(step: StepOf<'train'>, ctx: RunContext): Promise<Record<string, unknown>> {
  const runDir = ctx.abs(step.dir);
  const dataDir = ctx.abs(ctx.plan.dataDir);
  const seed = step.seed ?? 0;
  const b = step.budget;
  const { options, clipNorm } = alignOptions(ctx, seed);
  const cfg = runConfig([
    { name: `align preset '${ctx.plan.preset.align.preset}'`, value: { train: { clipNorm, lr: options.lr ?? 1e-4 }, model: { method: step.method.align, options } } },
    { name: 'study budget', value: {
      train: { steps: b.steps, batchSize: b.batchSize, logEvery: b.logEvery, ckptEvery: b.ckptEvery, valEvery: 0, valBatches: b.valBatches, keepLast: 1, ema: null, warmupSteps: 0 },
      data: { sampler: 'bucket', perBucket: b.perBucket },
    } },
  ], dataDir, seed);
  let info = finishedInfo(runDir);
  if (!info) {
    const m = readManifest(dataDir);
    const ae = await loadAutoencoder(ctx.abs(step.ae));
    const conditioner = await loadTextConditioner(ctx.abs(step.text));
    try {
      seedEverything(seed);
      const task = createAlignTask(step.method.align!, {
        ae, conditioner, input: inputOf(m), trainSize: m.splits.train, noise: NoiseWords.fromCorpus(m.buckets),
        aeRun: ctx.abs(step.ae), conditionerSpec: { kind: 'text', dir: ctx.abs(step.text) },
      }, options);
      try {
        // Every training latent up front (as \`t2v train align\` does): the standardisation's
        // statistics (align/latent-norm.ts) then come from the whole split, not the first batch.
        // A resumed run re-encodes; its statistics come from the checkpoint.
        const reader = DatasetReader.open(dataDir);
        try {
          await precomputeLatents(task, reader);
        } finally {
          reader.close();
        }
        info = await trainRun(task, cfg, runDir, ctx);
      } finally {
        task.dispose();
      }
    } finally {
      ae.dispose();
      conditioner.dispose();
    }
  }
  const diagnostics = await diagnose(step, ctx);
  return { method: step.method.id, ...info, diagnostics };
}

/** Latent-space diagnostics of the trained run on the test split (kept when already written). */
async function diagnose(step: StepOf<'train'>, ctx: RunContext): Promise<Record<string, unknown> | null> {
  const out = join(ctx.abs(step.dir), DIAGNOSTICS_DIR);
  if (existsSync(join(out, 'diagnostics.json'))) return { dir: DIAGNOSTICS_DIR };
  const reader = DatasetReader.open(ctx.abs(ctx.plan.dataDir));
  const model = await loadJointModel(ctx.abs(step.dir), loaders(ctx.abs(step.ae), ctx.abs(step.text)));
  try {
    if (reader.manifest.splits.test < 2) return null;
    const test = new DataLoader(reader, { split: 'test', batchSize: 64, sampler: 'sequential' });
    const d = await alignmentDiagnostics(model.task, test, out, ctx.plan.preset.align.diagnostics, { seed: step.seed ?? 0, log: (l) => ctx.log(`  ${l}`) });
    return { dir: DIAGNOSTICS_DIR, seconds: d.seconds, spaces: Object.keys(d.spaces) };
  } finally {
    model.dispose();
    reader.close();
  }
}

export async function sampleJointStep(step: StepOf<'samples'>, ctx: RunContext): Promise<Record<string, unknown>> {
  const m = readManifest(ctx.abs(ctx.plan.dataDir));
  const prompts = testPrompts(m);
  const s = ctx.plan.preset.samples;
  const model = await loadJointModel(ctx.abs(step.run!), loaders(ctx.abs(step.ae!), ctx.abs(step.text!)));
  const videos: VideoU8[] = [];
  let seconds: number;
  try {
    // As generateJoint: sample 0 of a prompt from the clean caption, later ones with a noise word.
    const t0 = performance.now();
    const texts = samplePrompts(prompts, s.perPrompt, step.seed ?? 0, model.task.noise);
    for (let i = 0; i < texts.length; i += s.batchSize) {
      const v = model.task.generate(texts.slice(i, i + s.batchSize)); // (b, C, T, H, W)
      try {
        videos.push(...videosFromTensor(v));
      } finally {
        v.dispose();
      }
    }
    seconds = (performance.now() - t0) / 1000;
  } finally {
    model.dispose();
  }
  const index = writeSamples(ctx.abs(step.dir), {
    method: step.method.id, seed: step.seed ?? 0, prompts, perPrompt: s.perPrompt, gridPrompts: gridPrompts(prompts, s.gridPrompts), generationSeconds: seconds,
  }, videos, promptMajor(prompts.length, s.perPrompt));
  return { sampleSeconds: seconds, videos: index.files.length, prompts: prompts.length };
}
