/** The quality metrics; each lives in its own file here. */
import type { MetricDef } from '../types.js';
import { psnr } from './psnr.js';
import { ssim } from './ssim.js';
import { tSsim } from './t-ssim.js';
import { bPsnr } from './b-psnr.js';
import { bSsim } from './b-ssim.js';
import { intraBucketDiversity } from './intra-bucket-diversity.js';
import { fvd } from './fvd.js';
import { kvd } from './kvd.js';
import { subjectConsistency } from './subject-consistency.js';
import { blurLaplacianVar } from './blur-laplacian-var.js';
import { checkerboardEntropy } from './checkerboard-entropy.js';
import { colorInconsistency } from './color-inconsistency.js';

export const METRICS: readonly MetricDef[] = [
  psnr,
  ssim,
  tSsim,
  bPsnr,
  bSsim,
  intraBucketDiversity,
  fvd,
  kvd,
  subjectConsistency,
  blurLaplacianVar,
  checkerboardEntropy,
  colorInconsistency,
];
