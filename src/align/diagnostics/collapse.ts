/**
 * Collapse measures of generated codes against real ones, per caption bucket (issue 7; the
 * numeric side of the paper's Figures 4–5, where "cluster concentration of the generated
 * distribution" is read off the plots):
 *
 *   intra-bucket variance  v_b(X) = (1/|X_b|) Σ_{x ∈ X_b} ‖x − μ_b(X)‖²   (trace of the covariance)
 *   variance ratio         mean over buckets b of v_b(generated) / v_b(real), over buckets with at
 *                          least 2 generated and 2 real codes and v_b(real) > 0.
 *                          0 = every caption collapsed to one point; 1 = as spread as the data.
 *   centroid accuracy      fraction of generated codes whose nearest (Euclidean) real-bucket
 *                          centroid μ_b(real) is their own bucket's; chance = 1 / #real buckets.
 */
import type { Matrix } from './pca.js';

export interface CollapseMeasures {
  varianceRatio: number;
  /** v_b(generated) / v_b(real) for every bucket that entered the mean. */
  perBucketRatio: Record<string, number>;
  centroidAccuracy: number;
  /** 1 / number of buckets with real codes. */
  chance: number;
  realBuckets: number;
  generatedCodes: number;
}

interface BucketStats {
  count: number;
  mean: Float64Array;
  variance: number;
}

function bucketStats(x: Matrix, buckets: Int32Array): Map<number, BucketStats> {
  if (buckets.length !== x.n) throw new RangeError(`collapse: ${x.n} codes but ${buckets.length} bucket ids`);
  const out = new Map<number, BucketStats>();
  for (let i = 0; i < x.n; i++) {
    const b = buckets[i]!;
    let s = out.get(b);
    if (!s) out.set(b, (s = { count: 0, mean: new Float64Array(x.d), variance: 0 }));
    s.count++;
    for (let k = 0; k < x.d; k++) s.mean[k] = s.mean[k]! + x.data[i * x.d + k]!;
  }
  for (const s of out.values()) for (let k = 0; k < x.d; k++) s.mean[k] = s.mean[k]! / s.count;
  for (let i = 0; i < x.n; i++) {
    const s = out.get(buckets[i]!)!;
    let q = 0;
    for (let k = 0; k < x.d; k++) q += (x.data[i * x.d + k]! - s.mean[k]!) ** 2;
    s.variance += q / s.count;
  }
  return out;
}

export function collapseMeasures(real: Matrix, realBuckets: Int32Array, gen: Matrix, genBuckets: Int32Array): CollapseMeasures {
  if (real.d !== gen.d) throw new RangeError(`collapse: real codes have d = ${real.d}, generated d = ${gen.d}`);
  const r = bucketStats(real, realBuckets);
  const g = bucketStats(gen, genBuckets);
  // 1. Variance ratio.
  const perBucketRatio: Record<string, number> = {};
  for (const [b, gs] of g) {
    const rs = r.get(b);
    if (!rs || rs.count < 2 || gs.count < 2 || !(rs.variance > 0)) continue;
    perBucketRatio[String(b)] = gs.variance / rs.variance;
  }
  const ratios = Object.values(perBucketRatio);
  // 2. Nearest real centroid.
  const ids = [...r.keys()];
  let hits = 0;
  let scored = 0;
  for (let i = 0; i < gen.n; i++) {
    const own = genBuckets[i]!;
    if (!r.has(own)) continue;
    let best = -1;
    let bestD = Infinity;
    for (const b of ids) {
      const mu = r.get(b)!.mean;
      let q = 0;
      for (let k = 0; k < gen.d; k++) q += (gen.data[i * gen.d + k]! - mu[k]!) ** 2;
      if (q < bestD) {
        bestD = q;
        best = b;
      }
    }
    scored++;
    if (best === own) hits++;
  }
  return {
    varianceRatio: ratios.length > 0 ? ratios.reduce((a, v) => a + v, 0) / ratios.length : Number.NaN,
    perBucketRatio,
    centroidAccuracy: scored > 0 ? hits / scored : Number.NaN,
    chance: ids.length > 0 ? 1 / ids.length : Number.NaN,
    realBuckets: ids.length,
    generatedCodes: scored,
  };
}
