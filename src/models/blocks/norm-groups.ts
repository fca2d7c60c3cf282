/**
 * The group count of a GroupNorm over `channels` channels: the largest divisor of `channels`
 * that is at most `max` (LDM's `Normalize` uses 32 groups; small test models have fewer
 * channels than that).
 *
 * @example
 *   normGroups(64);      // 32
 *   normGroups(48);      // 24
 *   normGroups(12, 8);   // 6
 */
export function normGroups(channels: number, max = 32): number {
  for (let g = Math.min(max, channels); g > 1; g--) if (channels % g === 0) return g;
  return 1;
}
