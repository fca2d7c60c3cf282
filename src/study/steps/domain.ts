/**
 * Adapter to the domain work (src/domain: the CLIP-style domain text–video model, its attribute
 * probe, and the domain text tower that conditions generation). Every call the study makes into
 * src/domain is in this file.
 *
 * Three roles, three folders (plan.ts): `shared/seed-<s>/domain` (evaluation, train seed s),
 * `shared/seed-<s>/probe` (evaluation) and `shared/seed-<s>/text` (conditioning, train seed
 * s + 1000): the evaluation models never condition generation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDomainModel } from '../../domain/model.js';
import { loadAttributeProbe } from '../../domain/probe.js';
import { trainDomainModel } from '../../domain/train.js';
import { trainAttributeProbe } from '../../domain/train-probe.js';
import { loadConditioner } from '../../align/text-encoder.js';
import type { TextConditioner } from '../../models/conditioning.js';
import type { AttributeProbe, FrameEncoder, TextEncoder, VideoEncoder } from '../../metrics/types.js';
import type { RunContext } from '../run.js';
import type { StepOf } from '../plan.js';

interface Disposable {
  dispose(): void;
}

/** The file a finished domain/probe folder has (written last by its trainer). */
const FINISHED = 'config.json';

/** The evaluation domain model: the metric interfaces, freed by `dispose` when the model has one. */
export type DomainEvaluator = FrameEncoder & TextEncoder & VideoEncoder & Partial<Disposable>;

/** Train a domain model (evaluation or conditioning role) into the step's folder; a finished folder is kept. */
export async function trainDomainStep(step: StepOf<'domain'>, ctx: RunContext): Promise<Record<string, unknown>> {
  const out = ctx.abs(step.dir);
  if (!existsSync(join(out, FINISHED))) {
    const r = await trainDomainModel({ data: ctx.abs(ctx.plan.dataDir), out, preset: step.piece.preset, seed: step.trainSeed, recipe: step.piece.recipe, log: (l) => ctx.log(`  ${l}`) });
    r.model.dispose();
  }
  return { role: step.role, trainSeed: step.trainSeed, ...summary(out) };
}

/** Train the attribute probe into the step's folder; a finished folder is kept. */
export async function trainProbeStep(step: StepOf<'probe'>, ctx: RunContext): Promise<Record<string, unknown>> {
  const out = ctx.abs(step.dir);
  if (!existsSync(join(out, FINISHED))) {
    const r = await trainAttributeProbe({ data: ctx.abs(ctx.plan.dataDir), out, preset: step.piece.preset, seed: step.trainSeed, recipe: step.piece.recipe, log: (l) => ctx.log(`  ${l}`) });
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

/** The conditioning text tower of a domain-model folder; `dispose` frees the whole model. */
export function loadTextConditioner(dir: string): Promise<TextConditioner & Disposable> {
  return loadConditioner(dir);
}
