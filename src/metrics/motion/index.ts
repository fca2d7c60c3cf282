/** The motion metrics; each lives in its own file here. */
import type { MetricDef } from '../types.js';
import { dynamicDegree } from './dynamic-degree.js';
import { fvmd } from './fvmd.js';
import { motionSmoothness } from './motion-smoothness.js';
import { temporalFlickering } from './temporal-flickering.js';
import { warpingError } from './warping-error.js';

export const METRICS: readonly MetricDef[] = [warpingError, temporalFlickering, motionSmoothness, dynamicDegree, fvmd];
