/**
 * Adapter to the specialised family (src/diffusion: text-conditioned latent video diffusion,
 * v-prediction with a cosine schedule, condition dropout for classifier-free guidance, DDIM
 * sampling). Every call the study makes into src/diffusion is in this file.
 *
 * Training: the denoiser named by the method (mlp over the 3DConv-Base vector code, dit over the
 * causal-VAE latent) at the study preset's size, over the seed's frozen AE and conditioning text
 * encoder, by the shared trainer under the matched budget (resumable). The latent shift and scale
 * (μ, λ of x0 = λ·(E(v) − μ)) are calibrated on the first training videos in data-set order
 * before training, so a resumed session finds the same values.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../../tensor/index.js';
import { DatasetReader } from '../../data/format.js';
import { DataLoader } from '../../data/loader.js';
import { loadTensors } from '../../io/tensors.js';
import { loadAutoencoder } from '../../models/ae/index.js';
import { RUN_FILES } from '../../train/run-dir.js';
import { seedEverything } from '../../train/trainer.js';
import type { StepOf } from '../plan.js';
import type { RunContext } from '../run.js';
import { loadTextConditioner } from './domain.js';
import { createDiffusionTask, denoiserFromDescription, diffusionDefaults, generate, samplerFor } from '../../diffusion/index.js';
import { gridPrompts, promptMajor, testPrompts, writeSamples } from './samples.js';
import { finishedInfo, inputOf, readManifest, runConfig, trainRun } from './trainer.js';

/** Calibration videos: the first ones of the training split in data-set order. */
const CALIBRATION_VIDEOS = 64;

export async function trainDiffusionStep(step: StepOf<'train'>, ctx: RunContext): Promise<Record<string, unknown>> {
  const runDir = ctx.abs(step.dir);
  const dataDir = ctx.abs(ctx.plan.dataDir);
  const seed = step.seed ?? 0;
  const arch = step.method.denoiser!;
  const p = ctx.plan.preset.diffusion;
  const b = step.budget;
  const d = diffusionDefaults(arch, p.preset);
  const model = { ...d.model, ...p.models[arch] };
  const cfg = runConfig([
    { name: `diffusion preset '${p.preset}' of ${arch}`, value: { train: { lr: d.train['lr'], clipNorm: d.train['clipNorm'] }, model: { arch, denoiser: model, diffusion: d.diffusion } } },
    { name: 'study budget', value: { train: { steps: b.steps, batchSize: b.batchSize, logEvery: b.logEvery, ckptEvery: b.ckptEvery, valEvery: 0, valBatches: b.valBatches, keepLast: 1, ema: null, warmupSteps: 0 } } },
  ], dataDir, seed);
  const finished = finishedInfo(runDir);
  if (finished) return { method: step.method.id, ...finished };
  const ae = await loadAutoencoder(ctx.abs(step.ae));
  const conditioner = await loadTextConditioner(ctx.abs(step.text));
  try {
    seedEverything(seed);
    const task = createDiffusionTask({ arch, model, input: inputOf(readManifest(dataDir)), ae, conditioner, lr: cfg.train.lr, options: d.diffusion });
    try {
      const cal = await calibrate(task, dataDir);
      return { method: step.method.id, calibration: cal, ...(await trainRun(task, cfg, runDir, ctx)) };
    } finally {
      task.dispose();
    }
  } finally {
    ae.dispose();
    conditioner.dispose();
  }
}

/** Fix the task's latent shift and scale on the first training videos (data-set order). */
async function calibrate(task: { calibrate(videos: Tensor, ids?: string[]): { shift: number; scale: number } }, dataDir: string): Promise<{ shift: number; scale: number }> {
  const reader = DatasetReader.open(dataDir);
  try {
    const loader = new DataLoader(reader, { split: 'train', batchSize: Math.min(CALIBRATION_VIDEOS, reader.manifest.splits.train), sampler: 'sequential' });
    for await (const b of loader.epoch(0)) {
      try {
        return task.calibrate(b.videos, b.ids);
      } finally {
        b.videos.dispose();
      }
    }
    throw new Error(`'${dataDir}' has no training videos to calibrate the latent scale on`);
  } finally {
    reader.close();
  }
}

export async function sampleDiffusionStep(step: StepOf<'samples'>, ctx: RunContext): Promise<Record<string, unknown>> {
  const runDir = ctx.abs(step.run!);
  const taskFile = join(runDir, RUN_FILES.model, RUN_FILES.task);
  if (!existsSync(taskFile)) throw new Error(`'${taskFile}' is missing: the diffusion run did not finish; run the study again`);
  const desc = JSON.parse(readFileSync(taskFile, 'utf8')) as Record<string, unknown>;
  const denoiser = denoiserFromDescription(desc);
  const ae = await loadAutoencoder(ctx.abs(step.ae!));
  const conditioner = await loadTextConditioner(ctx.abs(step.text!));
  try {
    const { tensors } = loadTensors(join(runDir, RUN_FILES.model, 'denoiser.safetensors'));
    try {
      denoiser.loadStateDict(tensors, { strict: true });
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
    denoiser.eval();
    const prompts = testPrompts(readManifest(ctx.abs(ctx.plan.dataDir)));
    const s = ctx.plan.preset.samples;
    const sp = ctx.plan.preset.diffusion.sampler;
    const t0 = performance.now();
    const { videos } = generate({
      denoiser, scheduler: samplerFor(desc['scheduler'] as Record<string, unknown>), conditioner, ae, prompts,
      steps: sp.steps, guidance: sp.guidance, seed: step.seed ?? 0, samplesPerPrompt: s.perPrompt,
      latentScale: desc['latentScale'] as number, latentShift: desc['latentShift'] as number, batchSize: s.batchSize,
    });
    const seconds = (performance.now() - t0) / 1000;
    const index = writeSamples(ctx.abs(step.dir), {
      method: step.method.id, seed: step.seed ?? 0, prompts, perPrompt: s.perPrompt, gridPrompts: gridPrompts(prompts, s.gridPrompts), generationSeconds: seconds,
    }, videos, promptMajor(prompts.length, s.perPrompt));
    return { sampleSeconds: seconds, videos: index.files.length, prompts: prompts.length, sampler: { ...sp } };
  } finally {
    denoiser.dispose();
    ae.dispose();
    conditioner.dispose();
  }
}
