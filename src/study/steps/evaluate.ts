/**
 * Evaluation of one method and seed (issue 9 part 1): the metric suite (src/metrics `evaluate`)
 * on the method's samples against the real test split as the reference set, with the seed's
 * evaluation domain model (CLIPSIM-domain, R-precision, FVD/KVD features, subject consistency's
 * frame features when no DINO/CLIP is given), its attribute probe, and real CLIP with --clip.
 *
 * Every metric is computed on all k samples of every test caption (k videos per caption, equal
 * weight per caption): with 20 captions, one video per caption would put a ±0.1 binomial noise on
 * every accuracy, larger than most gaps between methods. The diversity metrics (suite.ts) need
 * the k samples anyway. One `eval.json` (the t2v eval report format, src/metrics/evaluate.ts)
 * holds them all, with notes naming the set and the suite metrics this study left out.
 */
import { join } from 'node:path';
import { loadClipEncoder } from '../../clip/encoder.js';
import { buildContext, DEFAULT_LOADERS, type ModelFlags, type ModelLoaders } from '../../metrics/context.js';
import { evaluate, reportToJson, type EvalReport } from '../../metrics/evaluate.js';
import { getMetric } from '../../metrics/registry.js';
import { loadReferenceSet } from '../../metrics/video-set.js';
import type { ReferenceSet } from '../../metrics/types.js';
import { writeFileAtomic } from '../../io/atomic.js';
import type { Split } from '../../data/format.js';
import type { StepOf } from '../plan.js';
import type { RunContext } from '../run.js';
import { loadDomainEvaluator, loadProbe } from './domain.js';
import { readSamples } from './samples.js';

export const EVAL_FILE = 'eval.json';

/** Reference sets by folder and split, loaded once per process (every evaluation of a study uses the same one). */
const references = new Map<string, ReferenceSet>();

function cachedReference(dir: string, split: Split): ReferenceSet {
  const key = `${dir}\n${split}`;
  let r = references.get(key);
  if (!r) references.set(key, (r = loadReferenceSet(dir, split)));
  return r;
}

/** The study's model loaders: the domain adapter (domain.ts) for the domain model and probe. */
export const STUDY_LOADERS: ModelLoaders = {
  ...DEFAULT_LOADERS,
  clip: loadClipEncoder,
  domain: loadDomainEvaluator,
  probe: loadProbe,
  reference: async (dir, split) => cachedReference(dir, split),
};

/** Free what the context loaded (models with a dispose). */
function release(models: unknown[]): void {
  for (const m of models) (m as { dispose?: () => void } | undefined)?.dispose?.();
}

export async function evaluateStep(step: StepOf<'eval'>, ctx: RunContext, loaders: ModelLoaders = STUDY_LOADERS): Promise<Record<string, unknown>> {
  const samples = readSamples(ctx.abs(step.samples));
  const flags: ModelFlags = { domain: ctx.abs(step.domain), reference: ctx.abs(ctx.plan.dataDir), referenceSplit: 'test' };
  if (step.probe) flags.probe = ctx.abs(step.probe);
  if (ctx.plan.clip) flags.clip = ctx.plan.clip;
  const names = [...step.metrics, ...step.diversityMetrics];
  const log = (m: string): void => ctx.log(`  ${m}`);
  const mctx = await buildContext(names.map(getMetric), samples.all, flags, { fps: 8, log, loaders });
  try {
    const settings = { samples: step.samples, domain: step.domain, probe: step.probe, clip: ctx.plan.clip, method: step.method.id, seed: step.seed };
    const report = await evaluate(mctx, names, { source: `${step.samples} (${samples.all.length} samples of ${samples.primary.length} captions)`, settings });
    report.notes.push(
      `every metric: all ${samples.all.length} samples of the ${samples.primary.length} test captions (up to ${samples.index.perPrompt} per caption)`,
      ...ctx.plan.metricsLeft.map((l) => `${l.name}: not computed (${l.reason})`),
    );
    writeFileAtomic(join(ctx.abs(step.dir), EVAL_FILE), reportToJson(report));
    return { metrics: Object.keys(report.metrics).length, failed: Object.keys(report.failed), videos: samples.all.length, captions: samples.primary.length };
  } finally {
    release([mctx.domain, mctx.probe, mctx.clip, mctx.i3d, mctx.dino]);
  }
}

/** An eval.json as written (NaN → null by reportToJson). */
export type StoredEvalReport = Omit<EvalReport, 'metrics'> & { metrics: Record<string, { aggregate: number | null; extractor: string | null; metric: string; higherIsBetter: boolean; secondary?: boolean; perVideo: { note?: string }[] }> };
