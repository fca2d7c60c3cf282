/**
 * The executors of every step kind (run.ts `Executors`): loaded by `t2v study` only when it runs,
 * so that building a plan or `t2v --help` never loads the engine.
 */
import type { Executors } from '../run.js';
import { trainAeStep } from './ae.js';
import { trainDomainStep, trainProbeStep } from './domain.js';
import { sampleDiffusionStep, trainDiffusionStep } from './diffusion.js';
import { evaluateStep } from './evaluate.js';
import { generateDataStep } from './data.js';
import { sampleJointStep, trainJointStep } from './joint.js';
import { sampleOracleStep } from './oracle.js';
import { sampleReferenceStep } from './reference.js';

export const STUDY_EXECUTORS: Executors = {
  data: generateDataStep,
  ae: trainAeStep,
  domain: trainDomainStep,
  probe: trainProbeStep,
  train: (step, ctx) => (step.method.kind === 'diffusion' ? trainDiffusionStep(step, ctx) : trainJointStep(step, ctx)),
  samples: (step, ctx) => {
    switch (step.method.kind) {
      case 'reference': return sampleReferenceStep(step, ctx);
      case 'oracle': return sampleOracleStep(step, ctx);
      case 'diffusion': return sampleDiffusionStep(step, ctx);
      default: return sampleJointStep(step, ctx);
    }
  },
  eval: (step, ctx) => evaluateStep(step, ctx),
};
