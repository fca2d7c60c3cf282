/**
 * Validation figures that need evaluation models: a training run's outputs (an autoencoder's
 * reconstructions) judged against the real videos they came from, with the suite's own
 * metrics (registry) so the figures mean what `t2v eval` reports:
 *   fvd_domain           fvd over the domain model's video features (metrics.md §3), outputs vs
 *                        the real videos; set-level, so only comparable at equal counts
 *   attribute_accuracy   fraction of outputs whose probe-predicted attributes all equal their
 *                        caption's (metrics.md §5), with attr_<key> per attribute (e.g. attr_digit0)
 */
import { getMetric } from './registry.js';
import type { EvalVideo, MetricContext } from './types.js';

export type JudgeModels = Pick<MetricContext, 'domain' | 'probe'>;

/** The figures the given models allow; {} without models. `outputs[i]` is made from `real[i]`. */
export async function judgeOutputs(outputs: EvalVideo[], real: EvalVideo[], models: JudgeModels): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (!models.domain && !models.probe) return out;
  const ctx: MetricContext = { videos: outputs, fps: 8, reference: { name: 'validation', videos: real }, ...models };
  if (models.probe) {
    const r = await getMetric('attribute_accuracy').compute(ctx);
    out.attribute_accuracy = r.aggregate;
    for (const [k, v] of Object.entries(r.aggregates ?? {})) if (k !== 'parsed' && k !== 'unparsed') out[`attr_${k}`] = v;
  }
  if (models.domain) out.fvd_domain = (await getMetric('fvd').compute(ctx)).aggregate;
  return out;
}
