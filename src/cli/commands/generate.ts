/**
 * `t2v generate`: videos for a list of prompts from a trained generator of either family, in
 * the folder layout `t2v eval --videos DIR --prompts DIR/prompts.json` reads:
 *
 *   OUT/<p>-<s>.npy     uint8 (T, H, W, C), prompt p (0-based), sample s; indices zero-padded
 *                       to the width of the largest, so file-name order is prompt-major
 *   OUT/gif/<p>-<s>.gif with --gif (in a subfolder, so `t2v eval` scores each video once)
 *   OUT/prompts.json    { "<p>-<s>.npy": prompt }
 *   OUT/manifest.json   { run, kind, prompts, samples: [{file, prompt, promptIndex, sampleIndex,
 *                         seed}], steps, guidance, sampler, seed, samplesPerPrompt, seconds,
 *                         threads, versions, ... }
 *
 * The run's kind (RUN/model/task.json) picks the path:
 *   diffusion/<denoiser>  (t2v train diffusion) → loadDiffusionRun + the seeded sampling pipeline;
 *                         sample s of prompt p gets seed + p·k + s (k samples per prompt), so
 *                         the same arguments give bit-identical files (on the CPU, same threads);
 *   align/<method>        (t2v train align) → generateJoint (deterministic mapping; samples after
 *                         the first insert a seeded noise word); --steps/--guidance/--sampler do
 *                         not apply.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { UsageError, parseFlags, type Command } from '../command.js';
import type { VideoU8 } from '../../media/video.js';
import { writeNpy } from '../../io/npy.js';
import { writeGif } from '../../media/gif.js';
import type { ConditionerSpec } from '../../align/text-encoder.js';
import type { generateJoint as GenerateJointFn } from '../../align/generate.js';
import type { FrozenLoaders, RunTask } from '../../diffusion/load.js';
import type { SchedulerName } from '../../diffusion/schedulers/types.js';

const SAMPLERS: readonly SchedulerName[] = ['ddim', 'ddpm', 'flow-euler'];

const USAGE = `usage: t2v generate --run RUN --prompts FILE --out DIR [options]

Generate videos for prompts with a trained run: a diffusion run (t2v train diffusion) or a
joint-family run (t2v train align). Writes DIR/<prompt>-<sample>.npy (uint8 T×H×W×C),
DIR/prompts.json (file → prompt, for \`t2v eval --prompts\`) and DIR/manifest.json (prompts,
seeds, settings, versions).

options:
  --run RUN                 trained run folder (model/task.json)                 [required]
  --prompts FILE            one prompt per line, or JSON: an array of prompts or an object
                            whose values are prompts (or {caption})              [required]
  --out DIR                 output folder (new, or without a manifest.json)      [required]
  --steps N                 denoising steps                       [the run's preset's]
  --guidance S              classifier-free guidance scale; 1 = none [the run's preset's]
  --sampler NAME            ${SAMPLERS.join(' | ')} (flow-euler for flow runs) [the run's]
  --seed K                  base seed: sample s of prompt p uses K + p·k + s     [0]
  --samples-per-prompt k    videos per prompt                                    [1]
  --batch B                 videos per forward                                   [16]
  --gif                     also write DIR/gif/<prompt>-<sample>.gif
  --fps F                   frames per second of the GIFs                        [8]
  --ae RUN                  autoencoder run, if it moved since training
  --text DIR | --clip DIR   text encoder, if it moved since training`;

export interface GenerateArgs {
  run: string;
  promptFile: string;
  prompts: string[];
  out: string;
  steps?: number;
  guidance?: number;
  sampler?: SchedulerName;
  seed: number;
  samplesPerPrompt: number;
  batch: number;
  gif: boolean;
  fps: number;
  ae?: string;
  conditioner?: ConditionerSpec;
}

/** Replace how the frozen pieces and joint-family videos are made (tests). */
export interface GenerateDeps {
  loaders?: FrozenLoaders;
  generateJoint?: typeof GenerateJointFn;
  log?: (message: string) => void;
}

/** The prompts of a prompt file (see the usage); errors name the file and what is wrong. */
export function readPromptFile(path: string): string[] {
  if (!existsSync(path)) throw new UsageError(`prompt file '${path}' does not exist; pass --prompts FILE (one prompt per line, or JSON)`);
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  if (extname(path).toLowerCase() === '.json' || /^\s*[[{]/.test(text)) {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      if (extname(path).toLowerCase() === '.json') throw new UsageError(`prompt file '${path}' is not valid JSON (${(err as Error).message})`);
    }
  }
  let prompts: unknown[];
  if (raw !== undefined) {
    if (typeof raw !== 'object' || raw === null) throw new UsageError(`prompt file '${path}' must hold a JSON array of prompts or an object whose values are prompts`);
    prompts = (Array.isArray(raw) ? raw : Object.values(raw)).map((v) => (typeof v === 'object' && v !== null && typeof (v as { caption?: unknown }).caption === 'string' ? (v as { caption: string }).caption : v));
  } else {
    prompts = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  }
  const bad = prompts.findIndex((p) => typeof p !== 'string' || p.trim() === '');
  if (bad >= 0) throw new UsageError(`prompt file '${path}': entry ${bad + 1} is not a non-empty string (${JSON.stringify(prompts[bad])})`);
  if (prompts.length === 0) throw new UsageError(`prompt file '${path}' holds no prompts`);
  return (prompts as string[]).map((p) => p.trim());
}

function intFlag(v: unknown, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

/** The parsed command line. */
export function parseGenerate(argv: string[]): GenerateArgs {
  const { flags, positional } = parseFlags(argv, {
    run: { type: 'string', required: true }, prompts: { type: 'string', required: true }, out: { type: 'string', required: true },
    steps: { type: 'number' }, guidance: { type: 'number' }, sampler: { type: 'string' }, seed: { type: 'number', default: 0 },
    'samples-per-prompt': { type: 'number', default: 1 }, batch: { type: 'number', default: 16 }, gif: { type: 'boolean', default: false },
    fps: { type: 'number', default: 8 }, ae: { type: 'string' }, text: { type: 'string' }, clip: { type: 'string' },
  });
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  if (flags.sampler !== undefined && !SAMPLERS.includes(flags.sampler as SchedulerName)) throw new UsageError(`--sampler must be one of ${SAMPLERS.join(', ')}, got '${String(flags.sampler)}'`);
  if (flags.text !== undefined && flags.clip !== undefined) throw new UsageError('give at most one of --text DIR and --clip DIR');
  if (!((flags.fps as number) > 0)) throw new UsageError(`--fps must be positive, got ${String(flags.fps)}`);
  const a: GenerateArgs = {
    run: resolve(flags.run as string), promptFile: resolve(flags.prompts as string), prompts: readPromptFile(flags.prompts as string),
    out: resolve(flags.out as string), seed: intFlag(flags.seed, 'seed', 0)!, samplesPerPrompt: intFlag(flags['samples-per-prompt'], 'samples-per-prompt', 1)!,
    batch: intFlag(flags.batch, 'batch', 1)!, gif: flags.gif as boolean, fps: flags.fps as number,
  };
  const steps = intFlag(flags.steps, 'steps', 1);
  if (steps !== undefined) a.steps = steps;
  if (flags.guidance !== undefined) a.guidance = flags.guidance as number;
  if (flags.sampler !== undefined) a.sampler = flags.sampler as SchedulerName;
  if (flags.ae !== undefined) a.ae = resolve(flags.ae as string);
  if (flags.text !== undefined) a.conditioner = { kind: 'text', dir: resolve(flags.text as string) };
  if (flags.clip !== undefined) a.conditioner = { kind: 'clip', dir: resolve(flags.clip as string) };
  return a;
}

/** One written sample (a manifest row). */
export interface SampleRecord {
  file: string;
  prompt: string;
  promptIndex: number;
  sampleIndex: number;
  seed: number;
}

/** Writes OUT/<p>-<s>.npy (and the GIF) and collects the manifest rows. */
class SampleWriter {
  readonly records: SampleRecord[] = [];
  readonly #pw: number;
  readonly #sw: number;

  constructor(readonly out: string, prompts: number, samplesPerPrompt: number, readonly gif: boolean, readonly fps: number) {
    this.#pw = String(prompts - 1).length;
    this.#sw = String(samplesPerPrompt - 1).length;
    mkdirSync(out, { recursive: true });
    if (gif) mkdirSync(join(out, 'gif'), { recursive: true });
  }

  write(v: VideoU8, s: Omit<SampleRecord, 'file'>): void {
    const name = `${String(s.promptIndex).padStart(this.#pw, '0')}-${String(s.sampleIndex).padStart(this.#sw, '0')}`;
    writeNpy(join(this.out, `${name}.npy`), { dtype: 'u1', shape: [v.frames, v.height, v.width, v.channels], data: v.data });
    if (this.gif) writeGif(join(this.out, 'gif', `${name}.gif`), v, { fps: this.fps });
    this.records.push({ file: `${name}.npy`, ...s });
  }
}

/** What a generation path reports for the manifest besides the samples. */
type RunSettings = Record<string, unknown> & { steps: number | null; guidance: number | null; sampler: string | null };

/** The diffusion path: seeded sampling, written chunk by chunk (about --batch videos per chunk). */
async function generateDiffusion(a: GenerateArgs, w: SampleWriter, deps: GenerateDeps, log: (m: string) => void): Promise<RunSettings> {
  const { loadDiffusionRun } = await import('../../diffusion/load.js');
  const { generate } = await import('../../diffusion/pipeline.js');
  const { samplerFor } = await import('../../diffusion/schedulers/index.js');
  const run = await loadDiffusionRun(a.run, { ...(deps.loaders ? { loaders: deps.loaders } : {}), ...(a.ae ? { ae: a.ae } : {}), ...(a.conditioner ? { conditioner: a.conditioner } : {}), warn: (m) => log(`warning: ${m}`) });
  try {
    const flow = run.scheduler['name'] === 'flow-euler';
    const sampler = a.sampler ?? run.sample?.sampler ?? (flow ? 'flow-euler' : 'ddim');
    const steps = a.steps ?? run.sample?.steps ?? 50;
    const guidance = a.guidance ?? run.sample?.guidance ?? 3;
    const eta = run.sample?.eta ?? 0;
    let scheduler;
    try {
      scheduler = samplerFor(run.scheduler, sampler, sampler === 'ddim' ? { eta } : {});
    } catch (err) {
      throw new UsageError(`--sampler: ${(err as Error).message}`);
    }
    const k = a.samplesPerPrompt;
    const per = Math.max(1, Math.floor(a.batch / k));
    const t0 = performance.now();
    for (let p0 = 0; p0 < a.prompts.length; p0 += per) {
      const chunk = a.prompts.slice(p0, p0 + per);
      // Seeds: sample s of prompt p0 + i gets (seed + p0·k) + i·k + s = seed + (p0 + i)·k + s.
      const out = generate({
        denoiser: run.denoiser, scheduler, conditioner: run.conditioner, ae: run.ae, prompts: chunk, steps, guidance,
        seed: a.seed + p0 * k, samplesPerPrompt: k, latentScale: run.latentScale, latentShift: run.latentShift, batchSize: a.batch,
      });
      for (const [i, s] of out.samples.entries()) w.write(out.videos[i]!, { prompt: s.prompt, promptIndex: p0 + s.promptIndex, sampleIndex: s.sampleIndex, seed: s.seed });
      log(`${w.records.length}/${a.prompts.length * k} videos (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    return {
      steps, guidance, sampler, ...(sampler === 'ddim' ? { eta } : {}), ae: run.aeRun, conditioner: run.conditionerSpec,
      latentScale: run.latentScale, latentShift: run.latentShift, standIn: run.ae.config['standIn'] === true,
    };
  } finally {
    run.dispose();
  }
}

/** The joint-family path: generateJoint over the recorded (or overridden) frozen pieces. */
async function generateJointRun(a: GenerateArgs, rt: RunTask, w: SampleWriter, deps: GenerateDeps, log: (m: string) => void): Promise<RunSettings> {
  const { frozenPaths } = await import('../../diffusion/load.js');
  for (const [flag, v] of [['--steps', a.steps], ['--guidance', a.guidance], ['--sampler', a.sampler]] as const) {
    if (v !== undefined) log(`warning: ${flag} does not apply to a joint-family run (${rt.kind}); ignored`);
  }
  const paths = frozenPaths(rt, { ...(a.ae ? { ae: a.ae } : {}), ...(a.conditioner ? { conditioner: a.conditioner } : {}) });
  const base: FrozenLoaders = deps.loaders ?? {
    loadAutoencoder: (await import('../../models/ae/index.js')).loadAutoencoder,
    loadConditioner: (await import('../../align/text-encoder.js')).loadConditionerSpec,
  };
  const loaders: FrozenLoaders = { loadAutoencoder: () => base.loadAutoencoder(paths.ae), loadConditioner: () => base.loadConditioner(paths.conditioner) };
  const joint = deps.generateJoint ?? (await import('../../align/generate.js')).generateJoint;
  const k = a.samplesPerPrompt;
  const videos = await joint(a.run, a.prompts, { seed: a.seed, samplesPerPrompt: k, batchSize: a.batch }, loaders);
  if (videos.length !== a.prompts.length * k) throw new Error(`generateJoint returned ${videos.length} videos for ${a.prompts.length} prompts × ${k} samples`);
  for (const [n, v] of videos.entries()) {
    const p = Math.floor(n / k);
    w.write(v, { prompt: a.prompts[p]!, promptIndex: p, sampleIndex: n % k, seed: a.seed });
  }
  return { steps: null, guidance: null, sampler: null, ae: paths.ae, conditioner: paths.conditioner };
}

/** `t2v generate`; returns the exit code. */
export async function runGenerate(argv: string[], deps: GenerateDeps = {}): Promise<number> {
  const a = parseGenerate(argv);
  const log = deps.log ?? ((m: string) => void process.stderr.write(`t2v generate: ${m}\n`));
  if (existsSync(join(a.out, 'manifest.json'))) throw new UsageError(`'${a.out}' already holds generated videos (manifest.json); choose a new --out folder`);
  const { readRunTask, RunLoadError } = await import('../../diffusion/load.js');
  const t0 = performance.now();
  try {
    const rt = readRunTask(a.run);
    const family = rt.kind.startsWith('diffusion/') ? 'diffusion' : rt.kind.startsWith('align/') ? 'joint' : null;
    if (family === null) {
      throw new UsageError(`'${rt.path}' describes a '${rt.kind}' run; t2v generate needs a diffusion run (kind diffusion/*, from \`t2v train diffusion\`) ` +
        'or a joint-family run (kind align/*, from `t2v train align`)');
    }
    const w = new SampleWriter(a.out, a.prompts.length, a.samplesPerPrompt, a.gif, a.fps);
    const settings = family === 'diffusion' ? await generateDiffusion(a, w, deps, log) : await generateJointRun(a, rt, w, deps, log);
    await writeIndex(a, rt.kind, w, settings, (performance.now() - t0) / 1000);
    log(`wrote ${w.records.length} videos, prompts.json and manifest.json to ${a.out}`);
    return 0;
  } catch (err) {
    if (err instanceof RunLoadError) throw new UsageError(err.message);
    throw err;
  }
}

/** OUT/prompts.json and OUT/manifest.json. */
async function writeIndex(a: GenerateArgs, kind: string, w: SampleWriter, settings: RunSettings, seconds: number): Promise<void> {
  const { writeJsonAtomic } = await import('../../io/atomic.js');
  const { collectVersions } = await import('../../train/run-dir.js');
  const T = await import('../../tensor/index.js');
  writeJsonAtomic(join(a.out, 'prompts.json'), Object.fromEntries(w.records.map((r) => [r.file, r.prompt])));
  writeJsonAtomic(join(a.out, 'manifest.json'), {
    run: a.run, kind, promptFile: a.promptFile, prompts: a.prompts, samples: w.records,
    ...settings, seed: a.seed, samplesPerPrompt: a.samplesPerPrompt, batch: a.batch,
    gif: a.gif ? { dir: 'gif', fps: a.fps } : null,
    seconds: Math.round(seconds * 1000) / 1000, threads: T.getNumThreads(), versions: collectVersions(), created: new Date().toISOString(),
  });
}

const generateCommand: Command = {
  path: ['generate'],
  summary: 'generate videos for prompts with a trained diffusion or joint-family run',
  usage: USAGE,
  run: (argv) => runGenerate(argv),
};

export const commands: readonly Command[] = [generateCommand];
