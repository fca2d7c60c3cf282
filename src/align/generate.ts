/**
 * Text-to-video with a trained joint-family run (paper §3: `video = G(G_s(M(E_t(text))))`, or
 * G(M(E_t(text))) for the non-progressive methods): reload the run from `RUN/model/` (task.json
 * names the method, options, AE run and conditioner), then map prompts to z_v and decode.
 *
 * Several samples per prompt (ours): the mapping is deterministic, so sample 0 uses the prompt as
 * given and sample s ≥ 1 the prompt with one noise word inserted (the training augmentation,
 * noise-words.ts), drawn from `Rng.fromSeed(seed).fork(prompt index).fork(s)`. Without a noise
 * dictionary every sample repeats sample 0.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readTaskFile } from '../train/run-dir.js';
import type { VideoU8 } from '../media/video.js';
import { videosFromTensor } from '../media/tensor-video.js';
import type { VideoAutoencoder } from '../models/ae/types.js';
import type { TextConditioner } from '../models/conditioning.js';
import { loadAutoencoder } from '../models/ae/index.js';
import { loadTensors } from '../io/tensors.js';
import { Rng } from '../data/syncdraw/rng.js';
import { NoiseWords } from './noise-words.js';
import { loadConditionerSpec, type ConditionerSpec } from './text-encoder.js';
import type { AlignOptions, AlignTask } from './base.js';
import { createAlignTask } from './methods.js';

/** How to load the frozen pieces (tests inject stand-ins). */
export interface JointLoaders {
  loadAutoencoder(run: string): Promise<VideoAutoencoder>;
  loadConditioner(spec: ConditionerSpec): Promise<TextConditioner>;
}

const DEFAULT_LOADERS: JointLoaders = { loadAutoencoder, loadConditioner: loadConditionerSpec };

export interface JointModel {
  task: AlignTask;
  /** The run's task.json. */
  info: Record<string, unknown>;
  /** Frees the task, the AE and the conditioner (when it has a dispose). */
  dispose(): void;
}

interface TaskJson {
  kind: string;
  method: string;
  options: Partial<AlignOptions>;
  dims: { input: [number, number, number, number] };
  ae: { run: string | null };
  conditioner: { name: string; spec?: ConditionerSpec };
  noise: { p: number; words: string[] } | null;
}

function readTaskJson(runDir: string): TaskJson {
  const { path, task } = readTaskFile(runDir, 'train one with `t2v train align`, or pass the folder of a finished one', { want: { kind: 'align/', what: 'an alignment run (kind align/<method>)' } });
  const j = task as unknown as TaskJson;
  if (!j.ae?.run) throw new Error(`'${path}' does not name its autoencoder run (ae.run); retrain with \`t2v train align --ae RUN\``);
  if (!j.conditioner?.spec) throw new Error(`'${path}' does not name its text encoder (conditioner.spec); retrain with \`t2v train align --text DIR\` or \`--clip DIR\``);
  return j;
}

/** Rebuild a run's task over its AE and conditioner and load its weights. */
export async function loadJointModel(runDir: string, loaders: JointLoaders = DEFAULT_LOADERS): Promise<JointModel> {
  const info = readTaskJson(runDir);
  const ae = await loaders.loadAutoencoder(info.ae.run!);
  const conditioner = await loaders.loadConditioner(info.conditioner.spec!);
  const noise = info.noise ? NoiseWords.fromWords(info.noise.words, info.noise.p) : null;
  // Runs from before latent standardisation (no latentNorm in their options) worked on raw z_v.
  const options: Partial<AlignOptions> = { latentNorm: 'none', ...info.options };
  const task = createAlignTask(info.method, { ae, conditioner, input: info.dims.input, trainSize: 1, noise, aeRun: info.ae.run!, conditionerSpec: info.conditioner.spec! }, options);
  const dispose = (): void => {
    task.dispose();
    ae.dispose();
    (conditioner as Partial<{ dispose(): void }>).dispose?.();
  };
  try {
    for (const [name, m] of Object.entries(task.modules())) {
      const path = join(runDir, 'model', `${name}.safetensors`);
      if (!existsSync(path)) throw new Error(`'${path}' is missing: the run '${runDir}' is incomplete (its training did not finish); train it again`);
      const { tensors } = loadTensors(path);
      try {
        m.loadStateDict(tensors, { strict: true });
      } finally {
        for (const t of tensors.values()) t.dispose();
      }
      m.eval();
    }
  } catch (err) {
    dispose();
    throw err;
  }
  return { task, info: info as unknown as Record<string, unknown>, dispose };
}


/** The texts of every (prompt, sample) pair, prompt-major. */
export function samplePrompts(prompts: readonly string[], samplesPerPrompt: number, seed: number, noise: NoiseWords | null): string[] {
  const root = Rng.fromSeed(seed);
  return prompts.flatMap((p, i) => Array.from({ length: samplesPerPrompt }, (_, s) => (s === 0 || !noise ? p : noise.insert(p, root.fork(i).fork(s)))));
}

/**
 * Videos for `prompts` from the run at `runDir`: `samplesPerPrompt` per prompt, prompt-major
 * (video k is prompt ⌊k / samplesPerPrompt⌋, sample k mod samplesPerPrompt).
 */
export async function generateJoint(
  runDir: string,
  prompts: readonly string[],
  opts: { seed?: number; samplesPerPrompt?: number; batchSize?: number } = {},
  loaders: JointLoaders = DEFAULT_LOADERS,
): Promise<VideoU8[]> {
  const k = opts.samplesPerPrompt ?? 1;
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`generateJoint: samplesPerPrompt must be an integer ≥ 1, got ${k}`);
  const model = await loadJointModel(runDir, loaders);
  try {
    const texts = samplePrompts(prompts, k, opts.seed ?? 0, model.task.noise);
    const bs = opts.batchSize ?? 16;
    const out: VideoU8[] = [];
    for (let i = 0; i < texts.length; i += bs) {
      const v = model.task.generate(texts.slice(i, i + bs)); // (b, C, T, H, W)
      try {
        out.push(...videosFromTensor(v));
      } finally {
        v.dispose();
      }
    }
    return out;
  } finally {
    model.dispose();
  }
}
