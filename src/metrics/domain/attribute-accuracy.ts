/**
 * `attribute_accuracy` (`../shared/docs/metrics.md` §5): on synthetic data whose captions state
 * the attributes (SyncDraw: digit identity and motion per digit), the attribute probe
 * (src/domain/probe.ts) predicts each generated video's attributes; a video is correct when every
 * attribute equals what its prompt states. Aggregate: the fraction of correct videos among those
 * whose prompt parses; per-attribute accuracies beside it. Report the probe's own accuracy on real
 * test videos (its config.json `test.accuracy`) as the ceiling.
 */
import { MetricInputError, type MetricDef, type MetricResult, type PerVideoRecord } from '../types.js';

export const attributeAccuracy: MetricDef = {
  name: 'attribute_accuracy',
  summary: 'fraction of videos whose probe-predicted attributes (digits, motions) all match the prompt',
  reference: 'attribute probe accuracy on synthetic data, metrics.md §5',
  needs: ['probe'],
  higherIsBetter: true,
  async compute(ctx): Promise<MetricResult> {
    const probe = ctx.probe;
    if (!probe) throw new MetricInputError('attribute_accuracy needs the attribute probe: pass --probe DIR (a folder made by `t2v train probe`)');
    // 1. What each prompt states (null: not a caption the probe knows).
    const wanted = ctx.videos.map((v) => probe.captionAttributes(v.prompt));
    const parsed = ctx.videos.filter((_, i) => wanted[i] !== null);
    if (parsed.length < ctx.videos.length) ctx.log?.(`attribute_accuracy: ${ctx.videos.length - parsed.length} of ${ctx.videos.length} prompts do not parse as captions the probe knows; they are left out (NaN)`);
    // 2. Predictions for those videos.
    const predicted = parsed.length > 0 ? probe.predict(parsed.map((v) => v.video)) : [];
    const byId = new Map(parsed.map((v, i) => [v.id, predicted[i]!]));
    const keyHits = new Map<string, number>();
    let correct = 0;
    const perVideo: PerVideoRecord[] = ctx.videos.map((v, i) => {
      const want = wanted[i];
      const got = byId.get(v.id);
      if (!want || !got) return { id: v.id, value: Number.NaN, note: `prompt '${v.prompt}' does not parse as a caption the probe knows` };
      const keys = Object.keys(want);
      for (const k of keys) keyHits.set(k, (keyHits.get(k) ?? 0) + (got[k] === want[k] ? 1 : 0));
      const ok = keys.every((k) => got[k] === want[k]);
      if (ok) correct++;
      return { id: v.id, value: ok ? 1 : 0, extra: { correct: ok, ...got } };
    });
    const n = parsed.length;
    const aggregates: Record<string, number> = { parsed: n, unparsed: ctx.videos.length - n };
    for (const [k, hits] of keyHits) aggregates[k] = hits / n;
    return {
      metric: 'attribute_accuracy',
      aggregate: n === 0 ? Number.NaN : correct / n,
      aggregates,
      perVideo,
      extractor: probe.name,
      settings: { correct: 'every attribute of the prompt predicted', slots: 'sorted by digit value (order-free)' },
      higherIsBetter: true,
    };
  },
};
