/**
 * Which timesteps of the N-step training chain an n-step sampler visits (diffusers'
 * `timestep_spacing`; Lin et al. 2024, "Common Diffusion Noise Schedules and Sample Steps are
 * Flawed", Table 2, https://arxiv.org/abs/2305.08891):
 *   trailing: round(N − i·N/n) − 1, i = 0 … n−1   → starts at N − 1 (the noisiest step)
 *   leading:  (n − 1 − i)·⌊N/n⌋                   → starts below N − 1 (DDIM's original grid)
 * Both descending; `round` is numpy's (half to even).
 */
import { roundHalfEven } from '../../util/round.js';

export type TimestepSpacing = 'trailing' | 'leading';
export const TIMESTEP_SPACINGS: readonly TimestepSpacing[] = ['trailing', 'leading'];

export function spacedTimesteps(numTrain: number, n: number, spacing: TimestepSpacing): number[] {
  const out: number[] = [];
  if (spacing === 'trailing') {
    for (let i = 0; i < n; i++) out.push(roundHalfEven(numTrain - (i * numTrain) / n) - 1);
  } else if (spacing === 'leading') {
    const ratio = Math.floor(numTrain / n);
    for (let i = n - 1; i >= 0; i--) out.push(i * ratio);
  } else {
    throw new Error(`timestepSpacing must be one of ${TIMESTEP_SPACINGS.join(', ')}, got '${String(spacing)}'`);
  }
  return out;
}
