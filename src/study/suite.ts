/**
 * The metric suite of a study (method.md "The study"; issue 9 part 1), by registry name
 * (src/metrics/registry.ts), with the labels the report shows. Which of them a study computes:
 *   - `clipsim` only when `--clip DIR` is given (real CLIP);
 *   - `attribute_accuracy` only on synthetic data whose captions the probe can parse (SyncDraw);
 *   - names the registry of this build does not know are left out and named in the notes;
 *   - every metric is computed on the k-per-caption sample set (steps/evaluate.ts says why);
 *     `intra_bucket_diversity` is listed apart because it needs more than one sample a caption.
 * Pure data: nothing here loads the engine.
 */

/** The suite in table order. */
export const METRIC_SUITE: readonly string[] = [
  'clipsim', 'clipsim_domain', 'r_precision', 'attribute_accuracy',
  'warping_error', 'motion_smoothness', 'temporal_flickering', 'dynamic_degree', 'subject_consistency',
  'fvmd', 'fvd', 'kvd', 'b_psnr', 'b_ssim', 'intra_bucket_diversity',
];

/** Metrics evaluated on the k-samples-per-caption set (they need several videos per caption). */
export const DIVERSITY_METRICS: readonly string[] = ['intra_bucket_diversity'];

/** Display labels; a metric without one is shown by its name. */
export const METRIC_LABELS: Readonly<Record<string, string>> = {
  clipsim: 'CLIPSIM',
  clipsim_domain: 'CLIPSIM (domain)',
  r_precision: 'R-precision',
  attribute_accuracy: 'Attribute accuracy',
  warping_error: 'Warping error',
  motion_smoothness: 'Motion smoothness',
  temporal_flickering: 'Temporal flicker',
  dynamic_degree: 'Dynamic degree',
  subject_consistency: 'Subject consistency',
  fvmd: 'FVMD',
  fvd: 'FVD',
  kvd: 'KVD',
  b_psnr: 'B-PSNR',
  b_ssim: 'B-SSIM',
  intra_bucket_diversity: 'Intra-bucket diversity',
};

export function metricLabel(name: string): string {
  return METRIC_LABELS[name] ?? name;
}

export interface SuiteChoice {
  /** Metrics the study computes, in suite order. */
  metrics: string[];
  /** Suite metrics left out, each with the reason. */
  left: { name: string; reason: string }[];
}

/**
 * The metrics a study computes: the suite filtered by what is given (`clip`, a `probe` for
 * synthetic data) and by the registry (`registered`, the names this build knows).
 */
export function chooseMetrics(opts: { registered: readonly string[]; clip: boolean; probe: boolean }): SuiteChoice {
  const known = new Set(opts.registered);
  const out: SuiteChoice = { metrics: [], left: [] };
  for (const name of METRIC_SUITE) {
    if (name === 'clipsim' && !opts.clip) out.left.push({ name, reason: 'needs real CLIP: pass --clip DIR' });
    else if (name === 'attribute_accuracy' && !opts.probe) out.left.push({ name, reason: 'needs an attribute probe, trained only on synthetic (SyncDraw) data' });
    else if (!known.has(name)) out.left.push({ name, reason: 'not available in this build (not in the metric registry)' });
    else out.metrics.push(name);
  }
  return out;
}
