/**
 * ImageBind-style alignment baseline (paper §4.2.2, after Girdhar et al., CVPR 2023 §3.2: "a
 * modality-specific linear projection head … to obtain a fixed size d dimensional embedding",
 * trained with InfoNCE): z_t and z_v are each projected into the shared space by one Linear
 * layer instead of the MLPs M and E_s; the alignment term is InfoNCE.
 *
 * Everything else is the progressive task (progressive.ts): G_s decodes the shared code to z_v
 * with the same MLP and the same eq. 2 cost, so only the alignment part differs — as the paper
 * isolates "only … this corresponding part from these approaches".
 */
import { Linear } from '../nn/index.js';
import type { AlignOptions, FrozenParts } from './base.js';
import { ProgressiveTask, type SharedMaps } from './progressive.js';

/** P_t: Linear(d_t → d_s), P_v: Linear(d_zv → d_s). */
export function linearMaps(textDim: number, videoDim: number, o: AlignOptions): SharedMaps {
  const makeVideo = (): Linear => new Linear(videoDim, o.sharedDim);
  return { kind: 'linear', text: new Linear(textDim, o.sharedDim), video: makeVideo(), makeVideo };
}

export function createImageBindTask(parts: FrozenParts, options: Partial<AlignOptions>): ProgressiveTask {
  return new ProgressiveTask('imagebind', parts, options, { align: 'infonce', maps: linearMaps });
}
