/** The alignment metrics (and the CLIP-feature consistency metrics); each lives in its own file here. */
import type { MetricDef } from '../types.js';
import { clipsim } from './clipsim.js';
import { clipscoreHessel } from './clipscore-hessel.js';
import { clipscoreTm } from './clipscore-tm.js';
import { clipTemp } from './clip-temp.js';
import { cscv } from './cscv.js';
import { backgroundConsistency } from './background-consistency.js';

export const METRICS: readonly MetricDef[] = [clipsim, clipscoreHessel, clipscoreTm, clipTemp, cscv, backgroundConsistency];
