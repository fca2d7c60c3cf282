/**
 * The typed registry of every metric `t2v eval` and the study can compute. Groups register
 * their metrics in their own `index.ts`; an unknown name throws and lists the valid ones.
 */
import type { MetricDef } from './types.js';
import { METRICS as ALIGNMENT } from './alignment/index.js';
import { METRICS as DOMAIN } from './domain/index.js';
import { METRICS as MOTION } from './motion/index.js';
import { METRICS as QUALITY } from './quality/index.js';

const ALL: readonly MetricDef[] = [...ALIGNMENT, ...DOMAIN, ...MOTION, ...QUALITY];

const BY_NAME = new Map<string, MetricDef>();
for (const m of ALL) {
  if (BY_NAME.has(m.name)) throw new Error(`metric '${m.name}' is registered twice`);
  BY_NAME.set(m.name, m);
}

/** Every registered metric, in registration order. */
export function listMetrics(): readonly MetricDef[] {
  return ALL;
}

/** The metric called `name`; throws listing the valid names otherwise. */
export function getMetric(name: string): MetricDef {
  const m = BY_NAME.get(name);
  if (!m) throw new Error(`unknown metric '${name}'; valid metrics: ${[...BY_NAME.keys()].join(', ') || '(none)'}`);
  return m;
}
