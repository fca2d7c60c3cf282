/** The quality metrics; each lives in its own file here. */
import type { MetricDef } from '../types.js';

export const METRICS: readonly MetricDef[] = [];
