/**
 * Build the {@link MetricContext} for a list of metrics: load every model the metrics need (and
 * those they want, when its flag was given) exactly once, and explain a missing one by naming
 * the metric, the need and the flag that provides it.
 */
import { loadClipEncoder } from '../clip/encoder.js';
import { loadDomainModel } from '../domain/model.js';
import { loadAttributeProbe } from '../domain/probe.js';
import { loadI3d } from '../models/i3d.js';
import { loadDino } from '../models/dino.js';
import type { Split } from '../data/format.js';
import { loadReferenceSet } from './video-set.js';
import { MetricInputError, type EvalVideo, type MetricContext, type MetricDef, type Need } from './types.js';

/** Where each need comes from: a folder per model, a dataset folder for the reference set. */
export interface ModelFlags {
  clip?: string;
  domain?: string;
  probe?: string;
  i3d?: string;
  dino?: string;
  /** A t2vlab dataset folder. */
  reference?: string;
  /** Split of `reference`; default 'test'. */
  referenceSplit?: Split;
}

/** Every need, in the order models are loaded. */
export const NEEDS: readonly Need[] = ['clip', 'domain', 'probe', 'i3d', 'dino', 'reference'];

/** The command-line flag that provides each need. */
export const NEED_FLAGS: Readonly<Record<Need, string>> = {
  clip: '--clip DIR', domain: '--domain DIR', probe: '--probe DIR', i3d: '--i3d DIR', dino: '--dino DIR', reference: '--reference DATASET_DIR',
};

/** What each need is, for messages. */
const NEED_WHAT: Readonly<Record<Need, string>> = {
  clip: 'a CLIP model', domain: 'a domain text–video model', probe: 'an attribute probe', i3d: 'an I3D model',
  dino: 'a DINO model', reference: 'a reference data set',
};

/** How each need is loaded; replaceable (tests pass fakes). */
export interface ModelLoaders {
  clip(dir: string): Promise<NonNullable<MetricContext['clip']>>;
  domain(dir: string): Promise<NonNullable<MetricContext['domain']>>;
  probe(dir: string): Promise<NonNullable<MetricContext['probe']>>;
  i3d(dir: string): Promise<NonNullable<MetricContext['i3d']>>;
  dino(dir: string): Promise<NonNullable<MetricContext['dino']>>;
  reference(dir: string, split: Split): Promise<NonNullable<MetricContext['reference']>>;
}

/** The agreed loaders of each model family. */
export const DEFAULT_LOADERS: ModelLoaders = {
  clip: loadClipEncoder,
  domain: loadDomainModel,
  probe: loadAttributeProbe,
  i3d: loadI3d,
  dino: loadDino,
  reference: async (dir, split) => loadReferenceSet(dir, split),
};

/** The needs whose flag was given. */
export function providedNeeds(flags: ModelFlags): Set<Need> {
  return new Set(NEEDS.filter((n) => flags[n] !== undefined && flags[n] !== ''));
}

/** Throw a MetricInputError listing every (metric, need, flag) that is missing. */
export function checkNeeds(metrics: readonly MetricDef[], flags: ModelFlags): void {
  const have = providedNeeds(flags);
  const missing = metrics.flatMap((m) => m.needs.filter((n) => !have.has(n))
    .map((n) => `metric '${m.name}' needs ${NEED_WHAT[n]} ('${n}'): pass ${NEED_FLAGS[n]}`));
  if (missing.length > 0) throw new MetricInputError(missing.join('\n'));
}

/** The needs to load for these metrics: all needs, plus wants whose flag was given; load order. */
export function needsToLoad(metrics: readonly MetricDef[], flags: ModelFlags): Need[] {
  const have = providedNeeds(flags);
  const want = new Set<Need>();
  for (const m of metrics) {
    for (const n of m.needs) want.add(n);
    for (const n of m.wants ?? []) if (have.has(n)) want.add(n);
  }
  return NEEDS.filter((n) => want.has(n));
}

/** The metrics whose needs are all provided by `flags` (`--metrics all-available`). */
export function availableMetrics(all: readonly MetricDef[], flags: ModelFlags): MetricDef[] {
  const have = providedNeeds(flags);
  return all.filter((m) => m.needs.every((n) => have.has(n)));
}

export interface BuildContextOptions {
  /** Frames per second of the videos; default 8. */
  fps?: number;
  log?: (message: string) => void;
  loaders?: ModelLoaders;
}

/**
 * The context for `metrics` over `videos`: checks the needs, then loads each needed (or wanted
 * and provided) model once, in {@link NEEDS} order.
 */
export async function buildContext(metrics: readonly MetricDef[], videos: EvalVideo[], flags: ModelFlags,
  opts: BuildContextOptions = {}): Promise<MetricContext> {
  checkNeeds(metrics, flags);
  const loaders = opts.loaders ?? DEFAULT_LOADERS;
  const ctx: MetricContext = { videos, fps: opts.fps ?? 8, ...(opts.log ? { log: opts.log } : {}) };
  for (const need of needsToLoad(metrics, flags)) {
    const dir = flags[need]!;
    opts.log?.(`loading ${NEED_WHAT[need]} from ${dir}`);
    try {
      await loadNeed(ctx, need, dir, loaders, flags.referenceSplit ?? 'test');
    } catch (err) {
      if (err instanceof MetricInputError) throw err;
      throw new MetricInputError(`could not load ${NEED_WHAT[need]} from '${dir}' (${NEED_FLAGS[need].split(' ')[0]}): ${(err as Error).message}`, { cause: err });
    }
  }
  return ctx;
}

async function loadNeed(ctx: MetricContext, need: Need, dir: string, loaders: ModelLoaders, split: Split): Promise<void> {
  switch (need) {
    case 'clip': ctx.clip = await loaders.clip(dir); break;
    case 'domain': ctx.domain = await loaders.domain(dir); break;
    case 'probe': ctx.probe = await loaders.probe(dir); break;
    case 'i3d': ctx.i3d = await loaders.i3d(dir); break;
    case 'dino': ctx.dino = await loaders.dino(dir); break;
    case 'reference': ctx.reference = await loaders.reference(dir, split); break;
  }
}
