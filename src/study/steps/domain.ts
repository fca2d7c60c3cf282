/**
 * Adapter to the domain work (src/domain: the CLIP-style domain text–video model, its attribute
 * probe, and the domain text tower that conditions generation). Every call the study makes into
 * src/domain is in this file, so that signatures are fixed in one place at merge.
 *
 * TODO(merge): `trainDomainModel` (src/domain/train.ts) and `trainAttributeProbe`
 * (src/domain/train-probe.ts) are not on this branch yet; they are imported dynamically through
 * a path held in a variable and typed by the local interfaces below, which mirror their API.
 * `loadDomainModel` / `loadAttributeProbe` are the agreed signatures (placeholders here).
 *
 * Three roles, three folders (plan.ts): `shared/seed-<s>/domain` (evaluation, train seed s),
 * `shared/seed-<s>/probe` (evaluation) and `shared/seed-<s>/text` (conditioning, train seed
 * s + 1000): the evaluation models never condition generation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDomainModel } from '../../domain/model.js';
import { loadAttributeProbe } from '../../domain/probe.js';
import { isTextConditioner, loadConditioner } from '../../align/text-encoder.js';
import type { TextConditioner, TextTokens } from '../../models/conditioning.js';
import type { AttributeProbe, FrameEncoder, TextEncoder, VideoEncoder } from '../../metrics/types.js';
import type { RunContext } from '../run.js';
import type { StepOf } from '../plan.js';

/** Mirrors src/domain/train.ts `trainDomainModel` / train-probe.ts `trainAttributeProbe` (options and result). */
interface DomainTrainOptions {
  data: string;
  out: string;
  preset?: 'micro' | 'quick' | 'paper';
  seed?: number;
  recipe?: Record<string, number>;
  log?: (line: string) => void;
}
interface Disposable {
  dispose(): void;
}
interface DomainTrainModule {
  trainDomainModel(opts: DomainTrainOptions): Promise<{ model: Disposable; epochLosses: number[] }>;
}
interface ProbeTrainModule {
  trainAttributeProbe(opts: DomainTrainOptions): Promise<{ probe: Disposable; epochLosses: number[] }>;
}

// TODO(merge): plain imports once src/domain/train.ts and train-probe.ts are merged.
const DOMAIN_TRAIN_MODULE = '../../domain/train.js';
const PROBE_TRAIN_MODULE = '../../domain/train-probe.js';

/** The file a finished domain/probe folder has (written last by its trainer). */
const FINISHED = 'config.json';

/** The evaluation domain model: the metric interfaces, freed by `dispose` when the model has one. */
export type DomainEvaluator = FrameEncoder & TextEncoder & VideoEncoder & Partial<Disposable>;

/** Train a domain model (evaluation or conditioning role) into the step's folder; a finished folder is kept. */
export async function trainDomainStep(step: StepOf<'domain'>, ctx: RunContext): Promise<Record<string, unknown>> {
  const out = ctx.abs(step.dir);
  if (!existsSync(join(out, FINISHED))) {
    const mod = (await import(DOMAIN_TRAIN_MODULE)) as DomainTrainModule;
    const r = await mod.trainDomainModel({ data: ctx.abs(ctx.plan.dataDir), out, preset: step.piece.preset, seed: step.trainSeed, recipe: step.piece.recipe, log: (l) => ctx.log(`  ${l}`) });
    r.model.dispose();
  }
  return { role: step.role, trainSeed: step.trainSeed, ...summary(out) };
}

/** Train the attribute probe into the step's folder; a finished folder is kept. */
export async function trainProbeStep(step: StepOf<'probe'>, ctx: RunContext): Promise<Record<string, unknown>> {
  const out = ctx.abs(step.dir);
  if (!existsSync(join(out, FINISHED))) {
    const mod = (await import(PROBE_TRAIN_MODULE)) as ProbeTrainModule;
    const r = await mod.trainAttributeProbe({ data: ctx.abs(ctx.plan.dataDir), out, preset: step.piece.preset, seed: step.trainSeed, recipe: step.piece.recipe, log: (l) => ctx.log(`  ${l}`) });
    r.probe.dispose();
  }
  return { trainSeed: step.trainSeed, ...summary(out) };
}

/** Training seconds and test figures from a finished folder's config.json (absent fields left out). */
function summary(dir: string): Record<string, unknown> {
  try {
    const c = JSON.parse(readFileSync(join(dir, FINISHED), 'utf8')) as { train?: { seconds?: unknown; steps?: unknown }; test?: unknown };
    return { trainSeconds: typeof c.train?.seconds === 'number' ? c.train.seconds : null, steps: c.train?.steps ?? null, test: c.test ?? null };
  } catch {
    return {};
  }
}

/** The evaluation domain model of a folder. */
export async function loadDomainEvaluator(dir: string): Promise<DomainEvaluator> {
  return (await loadDomainModel(dir)) as DomainEvaluator;
}

/** The attribute probe of a folder. */
export async function loadProbe(dir: string): Promise<AttributeProbe & Partial<Disposable>> {
  return (await loadAttributeProbe(dir)) as AttributeProbe & Partial<Disposable>;
}

/**
 * The conditioning text tower of a domain-model folder, as a TextConditioner whose `dispose`
 * frees the whole model. Accepts `model.conditioner()` (a method), `model.conditioner` or
 * `model.text` (a property), or a model that is itself a conditioner (align's loadConditioner).
 */
export async function loadTextConditioner(dir: string): Promise<TextConditioner & Disposable> {
  const model: unknown = await loadDomainModel(dir);
  const m = model as { conditioner?: unknown; text?: unknown } & Partial<Disposable>;
  const raw = typeof m.conditioner === 'function' ? (m.conditioner as () => unknown).call(model) : m.conditioner ?? m.text;
  const free = (): void => m.dispose?.();
  if (!isTextConditioner(raw)) {
    free();
    const c = await loadConditioner(dir);
    return Object.assign(c, { dispose: (c as Partial<Disposable>).dispose?.bind(c) ?? ((): void => {}) });
  }
  return {
    name: raw.name, dim: raw.dim, maxTokens: raw.maxTokens,
    encode: (texts: string[]): TextTokens => raw.encode(texts),
    dispose: free,
  };
}
