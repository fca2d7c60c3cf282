/**
 * The shared video autoencoders of a seed (method.md: the same AE for both families where a
 * family allows it): `t2v train ae`'s flow — `aeSpec(arch).defaults(preset)`, the study preset's
 * overrides, then the data and seed — trained with the shared trainer into the step's folder,
 * resumable from its checkpoints.
 */
import { aeSpec } from '../../models/ae/index.js';
import type { StepOf } from '../plan.js';
import type { RunContext } from '../run.js';
import { inputOf, readManifest, runConfig, trainRun } from './trainer.js';

export async function trainAeStep(step: StepOf<'ae'>, ctx: RunContext): Promise<Record<string, unknown>> {
  const runDir = ctx.abs(step.dir);
  const dataDir = ctx.abs(ctx.plan.dataDir);
  const spec = aeSpec(step.arch);
  const d = spec.defaults(step.piece.preset);
  const cfg = runConfig([
    { name: `preset '${step.piece.preset}' of ${step.arch}`, value: { train: d.train, model: d.model } },
    { name: `study preset '${ctx.plan.preset.name}'`, value: { model: step.piece.model, train: { valEvery: 0, valBatches: 2, keepLast: 1, ckptEvery: ctx.plan.budget.ckptEvery, ...step.piece.train } } },
  ], dataDir, step.seed ?? 0);
  const input = inputOf(readManifest(dataDir));
  const info = await trainRun(() => spec.createTask(cfg.model, input, { lr: cfg.train.lr, clipNorm: cfg.train.clipNorm }), cfg, runDir, ctx);
  return { arch: step.arch, ...info };
}
