/** The domain metrics; each lives in its own file here. */
import type { MetricDef } from '../types.js';
import { clipsimDomain } from './clipsim-domain.js';
import { rPrecision } from './r-precision.js';
import { attributeAccuracy } from './attribute-accuracy.js';

export const METRICS: readonly MetricDef[] = [clipsimDomain, rPrecision, attributeAccuracy];
