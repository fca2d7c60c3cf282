/**
 * The trainer every t2vlab model uses: it owns everything around a {@link TrainTask}'s step —
 * seeds, data order, learning-rate schedule, gradient sync hook, EMA, logging, progress,
 * validation, checkpoints, resume and the run folder (layout in run-dir.ts).
 *
 * One step s (0-based; `step` in logs and checkpoints counts completed steps, s + 1):
 *   1. every optimizer's rate ← warmupCosine(base, warmupSteps, steps)(s), base being the rate
 *      the task created it with (Loshchilov & Hutter 2017, eq. 5; src/optim/schedule.ts);
 *   2. figures ← task.trainStep(batch, {step: s, epoch, clipNorm, syncGrads});
 *   3. EMA ← update with the weights of task.emaModules() (decay train.ema, TF warmup rule);
 *   4. log line every logEvery steps; validation every valEvery steps and at the end (EMA
 *      weights swapped in, RNG state saved and restored around it, so validating changes
 *      nothing in the training); a checkpoint every ckptEvery steps, at a new best validation
 *      figure and at the end, then pruning to keepLast plus the best.
 *   The end is step `steps`, or with `maxSeconds` the first step that ends at or past that many
 *   seconds of training (all sessions; in data-parallel runs rank 0's clock decides for all).
 *
 * Resume policy:
 *   - A run folder that already holds a run (config.json or checkpoints) is refused unless
 *     `resume` is set, so a typo in --out never overwrites a run.
 *   - `resume: true` continues from the newest checkpoint (or starts fresh when there is none,
 *     so a restart script can always pass --resume). The resolved config must equal the saved
 *     config.json (except data.dir and train.threads).
 *   - A damaged newest checkpoint (checksum mismatch, truncated) is refused with an error that
 *     names it and the newest intact one, and says to pass `resume: <that file>`
 *     (--resume-from FILE). Nothing is deleted. Resuming from an older checkpoint renames the
 *     newer step files to `<name>.superseded` (the resumed run writes those steps again).
 *   - The resumed run restores weights, optimizer state, EMA, RNG and the data position (epoch,
 *     next batch) and truncates log.jsonl to the checkpoint's step, so its final weights are
 *     bit-identical to an uninterrupted run with the same seed and thread count.
 *
 * @example
 *   const cfg = resolveTrainerConfig([{ name: 'flags', value: { data: { dir: 'data/single' } } }]);
 *   const result = await train(() => spec.createTask(cfg.model, [1, 16, 64, 64], cfg.train), { config: cfg, runDir: 'runs/ae' });
 *   result.validation;   // { psnr: 19.4, ssim: 0.9 }
 */
import { basename, join } from 'node:path';
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { EMA } from '../optim/ema.js';
import { warmupCosine } from '../optim/schedule.js';
import { checkpointName, pruneCheckpoints } from '../io/checkpoint.js';
import { DataLoader, type Batch } from '../data/loader.js';
import { DatasetReader } from '../data/format.js';
import type { TrainerConfig } from './config.js';
import { TrainError } from './errors.js';
import { initFromRun } from './init.js';
import { checkSameConfig, loadResumeCheckpoint, rewindRunDir } from './resume.js';
import { SINGLE_PROCESS, type DistributedContext } from './distributed.js';
import { Progress, formatFigure, type ProgressStream } from './progress.js';
import { RUN_FILES, RunDir, collectVersions, hostInfo, type RunInfo } from './run-dir.js';
import { namedState, restoreTrainState, saveTrainState, type BestRecord, type DataPosition, type LogWindow, type TrainMeta } from './state.js';
import type { StepContext, TrainTask } from './types.js';
import { loadValidationAids, type LoadedAids } from './validation-aids.js';

export interface TrainOptions {
  /** The resolved, validated config (config.ts). */
  config: TrainerConfig;
  /** The run folder (created). */
  runDir: string;
  /** true: continue from the newest checkpoint; a path (or a file name in RUN/ckpt): from that checkpoint. */
  resume?: boolean | string;
  /** Data-parallel context (issue 10); default a single process. */
  dist?: DistributedContext;
  /** Progress display; default process.stderr, null for none. */
  progress?: ProgressStream | null;
  /** Aborting stops after the current step with a checkpoint (no final export). */
  signal?: AbortSignal;
  /**
   * Each `model` key's value when not set (the architecture's and preset's defaults): a resumed
   * run whose config.json predates a key compares it with this (resume.ts).
   */
  modelDefaults?: Record<string, unknown>;
}

export interface TrainResult {
  runDir: string;
  /** Completed steps. */
  step: number;
  /** The step or time budget was reached (false when stopped by the signal). */
  completed: boolean;
  /** What ended a completed run: the step budget, or `train.maxSeconds`. */
  stoppedBy: 'steps' | 'time' | null;
  /** Final validation metrics (null without validation or when stopped). */
  validation: Record<string, number> | null;
  best: BestRecord | null;
  /** Seconds of training over all sessions. */
  wallClockS: number;
}

/** A task, or a function that builds one (called after seeding, so its init is reproducible). */
export type TaskSource = TrainTask | (() => TrainTask);

export { TrainError };

/**
 * Train `source` under `opts.config` into `opts.runDir`. When `source` is a function, the
 * trainer seeds the engine first and disposes the task it built at the end; a task passed
 * directly stays the caller's (seed with {@link seedEverything} before building it).
 */
export async function train(source: TaskSource, opts: TrainOptions): Promise<TrainResult> {
  const cfg = opts.config;
  if (cfg.train.threads !== undefined) T.setNumThreads(cfg.train.threads);
  seedEverything(cfg.train.seed);
  const task = typeof source === 'function' ? source() : source;
  try {
    const aids = await loadValidationAids(cfg.train, task);
    try {
      const trainer = new Trainer(task, opts, aids);
      try {
        return await trainer.run();
      } finally {
        trainer.dispose();
      }
    } finally {
      aids.dispose();
    }
  } finally {
    if (typeof source === 'function') task.dispose();
  }
}

/** Seed the engine's generator (weights init, noise); data order is seeded by the loader from the same seed. */
export function seedEverything(seed: number): void {
  T.manualSeed(seed);
}

/** The validation figure that picks the best checkpoint (see TrainTask.bestMetric). */
function bestMetricOf(task: TrainTask, metrics: Record<string, number>): { name: string; mode: 'min' | 'max' } | null {
  if (task.bestMetric) return task.bestMetric;
  if ('psnr' in metrics) return { name: 'psnr', mode: 'max' };
  if ('loss' in metrics) return { name: 'loss', mode: 'min' };
  return null;
}

class Trainer {
  private readonly cfg: TrainerConfig;
  private readonly dist: DistributedContext;
  private readonly isMain: boolean;
  private readonly rd: RunDir;
  private readonly reader: DatasetReader;
  private readonly loader: DataLoader;
  private readonly valLoader: DataLoader | null;
  private readonly schedules: Map<string, (s: number) => number>;
  private readonly modules: ReturnType<TrainTask['modules']>;
  private ema: EMA | null = null;
  private emaTensors: Map<string, Tensor> | null = null;
  private readonly progress: Progress;
  private step = 0;
  private pos: DataPosition = { epoch: 0, batch: 0 };
  private best: BestRecord | null = null;
  private window: LogWindow = { count: 0, videos: 0, sums: {} };
  private windowStart = performance.now();
  private elapsedBefore = 0;
  private sessionStart = performance.now();
  private lastCheckpoint = -1;
  private finalValidation: Record<string, number> | null = null;
  private lastFigures: Record<string, number> = {};
  /** Set when `train.maxSeconds` ended the run. */
  private timeUp = false;
  private runInfo!: RunInfo;

  constructor(
    private readonly task: TrainTask,
    private readonly opts: TrainOptions,
    private readonly aids: LoadedAids,
  ) {
    this.cfg = opts.config;
    this.dist = opts.dist ?? SINGLE_PROCESS;
    this.isMain = this.dist.rank === 0;
    this.rd = new RunDir(opts.runDir);
    this.modules = task.modules();
    const stream = opts.progress === undefined ? process.stderr : opts.progress;
    this.progress = new Progress(this.isMain ? stream : null, this.cfg.train.steps, 0);
    // Base rates as the task created its optimizers, before a checkpoint overwrites them.
    const { warmupSteps, steps } = this.cfg.train;
    this.schedules = new Map(
      Object.entries(task.optimizers()).map(([name, o]) => [name, warmupCosine({ baseLr: o.lr, warmupSteps, totalSteps: steps })]),
    );
    const d = this.cfg.data;
    this.reader = DatasetReader.open(d.dir);
    try {
      [this.loader, this.valLoader] = this.makeLoaders();
    } catch (err) {
      this.reader.close();
      throw err;
    }
  }

  /** The training loader (sharded in data-parallel runs) and the validation loader (null without validation). */
  private makeLoaders(): [DataLoader, DataLoader | null] {
    const d = this.cfg.data;
    const task = this.task;
    const loader = new DataLoader(this.reader, {
      split: d.split,
      batchSize: this.cfg.train.batchSize,
      sampler: d.sampler,
      perBucket: d.perBucket,
      seed: this.cfg.train.seed,
      dropLast: true,
      ...(d.channels !== null ? { channels: d.channels } : {}),
      ...(this.dist.worldSize > 1 ? { shard: { rank: this.dist.rank, worldSize: this.dist.worldSize, even: true } } : {}),
    });
    if (loader.len() === 0) {
      throw new TrainError(
        `the '${d.split}' split of ${d.dir} has ${loader.entries.length} videos, too few for one batch of ${this.cfg.train.batchSize}` +
          (this.dist.worldSize > 1 ? ` on each of ${this.dist.worldSize} ranks` : '') + '; lower train.batchSize or use more data',
      );
    }
    const validates = task.validate !== undefined && this.cfg.train.valBatches > 0;
    const valLoader = validates
      ? new DataLoader(this.reader, { split: d.valSplit, batchSize: this.cfg.train.batchSize, shuffle: false, ...(d.channels !== null ? { channels: d.channels } : {}) })
      : null;
    return [loader, valLoader];
  }

  async run(): Promise<TrainResult> {
    const ck = this.openRun();
    this.progress.startStep = this.step;
    for (const m of Object.values(this.modules)) m.train();
    const total = this.cfg.train.steps;
    if (ck) this.progress.message(`resumed from ${ck} at step ${this.step} (epoch ${this.pos.epoch}, batch ${this.pos.batch})`);
    if (this.aids.names.length > 0) this.progress.message(`validation also judges the outputs with ${this.aids.names.join(' and ')}`);
    this.writeRunInfo(false);
    const stopped = await this.loop();
    this.progress.done();
    if (stopped) {
      this.progress.message(`stopped at step ${this.step}; resume with --resume`);
      this.writeRunInfo(false);
      return { runDir: this.rd.dir, step: this.step, completed: false, stoppedBy: null, validation: null, best: this.best, wallClockS: this.elapsed() };
    }
    if (this.finalValidation === null) this.finalValidation = await this.validate(); // resumed at the end
    if (this.timeUp) this.progress.message(`train.maxSeconds (${this.cfg.train.maxSeconds} s) reached at step ${this.step} of ${total}`);
    this.finish();
    return { runDir: this.rd.dir, step: this.step, completed: true, stoppedBy: this.timeUp ? 'time' : 'steps', validation: this.finalValidation, best: this.best, wallClockS: this.elapsed() };
  }

  dispose(): void {
    this.ema?.dispose();
    for (const t of this.emaTensors?.values() ?? []) t.dispose();
    this.ema = null;
    this.emaTensors = null;
    this.reader.close();
  }

  // ---- start: fresh or resumed ---------------------------------------------------------------

  /** Decide fresh vs resume, restore state; returns the checkpoint resumed from (or null). */
  private openRun(): string | null {
    const existing = this.rd.checkpoints();
    const hasConfig = this.rd.readJson(RUN_FILES.config) !== null;
    if (!this.opts.resume && (existing.length > 0 || hasConfig)) {
      const what = existing.length > 0 ? `checkpoints up to step ${existing.at(-1)!.step}` : 'a config.json (a run that never reached its first checkpoint)';
      throw new TrainError(`${this.rd.dir} already holds a run (${what}); pass --resume to continue it, or choose another --out`);
    }
    if (this.opts.resume && hasConfig) checkSameConfig(this.rd, this.cfg, this.opts.modelDefaults);
    const ck = this.opts.resume ? loadResumeCheckpoint(this.rd, typeof this.opts.resume === 'string' ? this.opts.resume : null) : null;
    if (ck === null) {
      this.startFresh();
      return null;
    }
    try {
      this.makeEma();
      const meta = restoreTrainState(ck, this.task, this.ema);
      this.step = ck.step;
      this.pos = meta.position;
      this.best = meta.best;
      this.window = meta.window;
      this.elapsedBefore = meta.elapsedS;
      this.lastCheckpoint = ck.step;
    } finally {
      ck.dispose();
    }
    if (this.isMain) this.cleanUpAfter(ck.step);
    return ck.path;
  }

  private startFresh(): void {
    if (this.cfg.train.init !== null) {
      const r = initFromRun(this.cfg.train.init, this.task.kind, this.modules);
      this.progress.message(`initialised ${r.loaded.join(', ')} from ${this.cfg.train.init}${r.fresh.length ? ` (${r.fresh.join(', ')} fresh)` : ''}`);
    }
    // Every rank starts from rank 0's weights (a no-op in one process).
    if (this.dist.worldSize > 1) {
      const state = namedState(this.modules);
      T.noGrad(() => this.dist.broadcast([...state.values()], 0));
      for (const t of state.values()) t.dispose();
      const rng = T.getRngState(); // (n) uint8
      this.dist.broadcast([rng], 0);
      T.setRngState(rng);
      rng.dispose();
    }
    this.makeEma();
    if (this.isMain) {
      this.rd.ensure();
      this.rd.writeJson(RUN_FILES.config, this.cfg);
      this.rd.truncateLog(0);
    }
  }

  private makeEma(): void {
    const decay = this.cfg.train.ema;
    if (decay === null) return;
    const mods = this.task.emaModules?.();
    if (!mods || Object.keys(mods).length === 0) {
      this.warn(`config train.ema is ${decay} but task ${this.task.kind} names no emaModules(); no EMA is kept`);
      return;
    }
    for (const [name, m] of Object.entries(mods)) {
      if (this.modules[name] !== m) throw new TrainError(`task ${this.task.kind}: emaModules() names '${name}', which is not the same module under that name in modules(); EMA modules must be a subset of modules()`);
    }
    this.emaTensors = namedState(mods);
    this.ema = new EMA(this.emaTensors, { decay, warmup: true });
  }

  /** After resuming from `step`: set newer checkpoints aside, cut the log, rewrite best.json. */
  private cleanUpAfter(step: number): void {
    for (const p of rewindRunDir(this.rd, step)) this.warn(`${p} is newer than the checkpoint resumed from; renamed to ${basename(p)}.superseded`);
    this.writeBestJson();
  }

  // ---- the loop ------------------------------------------------------------------------------

  /** Train to the step (or time) budget; returns true when stopped by the signal. */
  private async loop(): Promise<boolean> {
    const total = this.cfg.train.steps;
    const len = this.loader.len();
    if (this.step < total && this.overTime()) { // resumed past the time budget
      this.timeUp = true;
      return false;
    }
    while (this.step < total) {
      const epoch = this.pos.epoch;
      for await (const batch of this.loader.epoch(epoch, this.pos.batch)) {
        const videos = batch.indices.length;
        let figures: Record<string, number>;
        try {
          figures = this.trainStep(batch, epoch);
        } finally {
          batch.videos.dispose();
        }
        this.step += 1;
        this.pos = this.pos.batch + 1 >= len ? { epoch: epoch + 1, batch: 0 } : { epoch, batch: this.pos.batch + 1 };
        this.timeUp = this.step < total && this.overTime();
        const last = this.step >= total || this.timeUp;
        const stop = this.opts.signal?.aborted === true && !last;
        await this.afterStep(figures, videos, epoch, stop, last);
        if (last) return false;
        if (stop) return true;
      }
    }
    return false;
  }

  /** `train.maxSeconds` has passed (rank 0's clock, shared with every rank). */
  private overTime(): boolean {
    const max = this.cfg.train.maxSeconds;
    if (max === null) return false;
    const mine = this.elapsed() >= max ? 1 : 0;
    if (this.dist.worldSize === 1) return mine === 1;
    return T.tidy(() => {
      const flag = T.tensor(Float64Array.of(this.isMain ? mine : 0)); // (1,)
      this.dist.allReduce([flag], 'sum');
      return (flag.toArray() as ArrayLike<number>)[0]! > 0;
    });
  }

  /** Steps 1–3 of the file comment. */
  private trainStep(batch: Batch, epoch: number): Record<string, number> {
    const s = this.step;
    for (const [name, o] of Object.entries(this.task.optimizers())) o.setLr(this.schedules.get(name)!(s));
    const ctx: StepContext = {
      step: s,
      epoch,
      clipNorm: this.cfg.train.clipNorm,
      syncGrads: (params) => this.syncGrads(params),
    };
    const figures = this.task.trainStep(batch, ctx);
    for (const [k, v] of Object.entries(figures)) {
      if (!Number.isFinite(v)) {
        const last = this.lastCheckpoint >= 0 ? `the checkpoint of step ${this.lastCheckpoint}` : 'the start';
        throw new TrainError(`training diverged: '${k}' is ${v} at step ${s + 1}; lower train.lr or set train.clipNorm, and resume from ${last} or start again`);
      }
    }
    if (this.ema && this.emaTensors) this.ema.update(this.emaTensors);
    return figures;
  }

  private syncGrads(params: Tensor[]): void {
    if (this.dist.worldSize === 1) return;
    if (this.dist.syncGrads) return this.dist.syncGrads(params);
    T.tidy(() => {
      const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
      if (grads.length > 0) this.dist.allReduce(grads, 'avg');
    });
  }

  /** Step 4 of the file comment. */
  private async afterStep(figures: Record<string, number>, videos: number, epoch: number, stop: boolean, last: boolean): Promise<void> {
    const w = this.window;
    w.count += 1;
    w.videos += videos * this.dist.worldSize;
    for (const [k, v] of Object.entries(figures)) w.sums[k] = (w.sums[k] ?? 0) + v;
    const logDue = this.step % this.cfg.train.logEvery === 0 || last;
    const vps = w.videos / Math.max(1e-9, (performance.now() - this.windowStart) / 1000);
    if (logDue) this.logTrain(epoch, vps);
    this.progress.update(this.step, logDue ? this.lastFigures : this.windowMeans(), vps, logDue);

    const { valEvery } = this.cfg.train;
    let improved = false;
    if ((valEvery > 0 && this.step % valEvery === 0) || last) {
      const metrics = await this.validate();
      if (metrics) {
        if (last) this.finalValidation = metrics;
        improved = this.logValidation(metrics, epoch);
      }
    }
    if (this.step % this.cfg.train.ckptEvery === 0 || improved || last || stop) this.checkpoint();
  }

  private windowMeans(): Record<string, number> {
    const w = this.window;
    return Object.fromEntries(Object.entries(w.sums).map(([k, v]) => [k, v / Math.max(1, w.count)]));
  }

  private logTrain(epoch: number, vps: number): void {
    let means = this.windowMeans();
    if (this.dist.worldSize > 1) means = this.reduceFigures(means);
    this.lastFigures = means;
    const rec: Record<string, unknown> = { ...means, type: 'train', step: this.step, epoch, time: round(this.elapsed()) };
    const opts = Object.entries(this.task.optimizers());
    opts.forEach(([name, o], i) => (rec[i === 0 ? 'lr' : `lr_${name}`] = o.lr));
    rec['videos_per_s'] = round(vps);
    if (this.isMain) this.rd.appendLog(rec);
    this.window = { count: 0, videos: 0, sums: {} };
    this.windowStart = performance.now();
  }

  /** Average figures across ranks (same keys on every rank). */
  private reduceFigures(f: Record<string, number>): Record<string, number> {
    const keys = Object.keys(f).sort();
    const values = T.tidy(() => {
      const t = T.tensor(new Float64Array(keys.map((k) => f[k]!))); // (K,)
      this.dist.allReduce([t], 'avg');
      return Array.from(t.toArray() as ArrayLike<number>);
    });
    return Object.fromEntries(keys.map((k, i) => [k, values[i]!]));
  }

  /** Log a validation; returns true when it is a new best. */
  private logValidation(metrics: Record<string, number>, epoch: number): boolean {
    if (this.isMain) this.rd.appendLog({ ...metrics, type: 'val', step: this.step, epoch, time: round(this.elapsed()) });
    const shown = Object.entries(metrics).map(([k, v]) => `${k} ${formatFigure(v)}`).join(' ');
    this.progress.message(`validation at step ${this.step}${this.ema ? ' (EMA weights)' : ''}: ${shown}`);
    const bm = bestMetricOf(this.task, metrics);
    if (!bm) return false;
    const v = metrics[bm.name];
    if (v === undefined || !Number.isFinite(v)) {
      this.warn(`validation reported no finite '${bm.name}' (the best-checkpoint figure); got ${Object.keys(metrics).join(', ')}`);
      return false;
    }
    const better = this.best === null || (bm.mode === 'max' ? v > this.best.value : v < this.best.value);
    if (better) this.best = { metric: bm.name, mode: bm.mode, value: v, step: this.step };
    return better;
  }

  /**
   * task.validate over the first valBatches batches of the validation split, in eval mode, with
   * EMA weights swapped in; the RNG state is restored afterwards. Null when there is no validation.
   */
  private async validate(): Promise<Record<string, number> | null> {
    if (!this.valLoader || !this.task.validate) return null;
    const rng = T.getRngState();
    const mods = Object.values(this.modules);
    if (this.ema && this.emaTensors) this.ema.swap(this.emaTensors);
    for (const m of mods) m.eval();
    try {
      return await this.task.validate(this.valBatches(this.valLoader), this.aids.aids);
    } finally {
      for (const m of mods) m.train();
      if (this.ema && this.emaTensors) this.ema.swap(this.emaTensors);
      T.setRngState(rng);
      rng.dispose();
    }
  }

  private async *valBatches(loader: DataLoader): AsyncGenerator<Batch, void, undefined> {
    let n = 0;
    for await (const b of loader.epoch(0)) {
      try {
        yield b;
      } finally {
        b.videos.dispose();
      }
      if (++n >= this.cfg.train.valBatches) return;
    }
  }

  // ---- checkpoints and the end ---------------------------------------------------------------

  private checkpoint(): void {
    if (this.lastCheckpoint === this.step) return;
    if (this.isMain) {
      const meta: TrainMeta = { kind: this.task.kind, position: this.pos, elapsedS: this.elapsed(), best: this.best, window: this.window };
      saveTrainState(join(this.rd.ckptDir, checkpointName(this.step)), this.task, this.ema, this.step, meta);
      this.writeBestJson();
      pruneCheckpoints(this.rd.ckptDir, this.cfg.train.keepLast, this.best ? [checkpointName(this.best.step)] : []);
      this.writeRunInfo(false);
    }
    this.lastCheckpoint = this.step;
    this.dist.barrier();
  }

  private writeBestJson(): void {
    if (!this.best) return;
    this.rd.writeJson(join(RUN_FILES.ckpt, RUN_FILES.best), { ...this.best, file: checkpointName(this.best.step) });
  }

  /** results.json, model/, run.json (rank 0). */
  private finish(): void {
    if (!this.isMain) return;
    this.exportModel();
    const ema = this.ema !== null;
    this.rd.writeJson(RUN_FILES.results, {
      kind: this.task.kind,
      steps: this.step,
      epochs: round(this.step / this.loader.len()),
      stoppedBy: this.timeUp ? 'time' : 'steps',
      plannedSteps: this.cfg.train.steps,
      wallClockS: round(this.elapsed()),
      validation: this.finalValidation,
      validatedWith: ema ? 'ema' : 'weights',
      validationBatches: this.valLoader ? Math.min(this.cfg.train.valBatches, this.valLoader.len()) : 0,
      best: this.best,
      train: this.lastFigures,
      parameters: this.parameterCounts(),
      finished: new Date().toISOString(),
    });
    this.writeRunInfo(true);
  }

  /** `model/<module>.safetensors` (EMA weights for EMA modules) and `model/task.json`. */
  private exportModel(): void {
    const weights = new Map<string, Map<string, Tensor>>();
    const owned: Tensor[] = [];
    const emaModules = this.ema ? Object.keys(this.task.emaModules?.() ?? {}) : [];
    for (const [name, m] of Object.entries(this.modules)) {
      if (emaModules.includes(name)) {
        const prefix = `${name}.`;
        const own = [...this.ema!.shadow].filter(([k]) => k.startsWith(prefix)).map(([k, t]): [string, Tensor] => [k.slice(prefix.length), t]);
        weights.set(name, new Map(own));
      } else {
        const sd = m.stateDict();
        owned.push(...sd.values());
        weights.set(name, sd);
      }
    }
    try {
      this.rd.exportModel(weights, { kind: this.task.kind, ...this.task.describe() });
    } finally {
      for (const t of owned) t.dispose();
    }
  }

  private parameterCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    let total = 0;
    for (const [name, m] of Object.entries(this.modules)) total += counts[name] = m.numParameters();
    counts['total'] = total;
    return counts;
  }

  /** run.json: created on a fresh start, a session appended on resume, times updated. */
  private writeRunInfo(finished: boolean): void {
    if (!this.isMain) return;
    const now = new Date().toISOString();
    const { host, platform } = hostInfo();
    if (!this.runInfo) {
      const old = this.rd.readJson(RUN_FILES.run) as RunInfo | null;
      const session = { started: now, finished: null, fromStep: this.step, toStep: null, host, threads: T.getNumThreads() };
      this.runInfo =
        old && this.step > 0 && Array.isArray(old.sessions)
          ? { ...old, versions: collectVersions(), sessions: [...old.sessions, session] }
          : {
              kind: this.task.kind,
              versions: collectVersions(),
              host,
              platform,
              threads: T.getNumThreads(),
              seeds: { seed: this.cfg.train.seed, dataOrder: this.cfg.train.seed },
              parameters: this.parameterCounts(),
              started: now,
              finished: null,
              wallClockS: 0,
              steps: this.cfg.train.steps,
              sessions: [session],
            };
    }
    const s = this.runInfo.sessions.at(-1)!;
    s.finished = now;
    s.toStep = this.step;
    this.runInfo.wallClockS = round(this.elapsed());
    this.runInfo.finished = finished ? now : null;
    this.rd.writeJson(RUN_FILES.run, this.runInfo);
  }

  private elapsed(): number {
    return this.elapsedBefore + (performance.now() - this.sessionStart) / 1000;
  }

  private warn(text: string): void {
    this.progress.message(`warning: ${text}`);
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
