/**
 * The joint-family methods by name (issue 7; paper §4.2.2 Table 2 and §4.2.3 Table 3):
 *
 *   progressive-bucket  the paper's method: MLPs M, E_s, G_s, D_s, bucket loss (eq. 4)
 *   clip-infonce        CLIP-based: the same architecture, InfoNCE
 *   imagebind           linear projections of z_t and z_v into the shared space, InfoNCE
 *   codi                the progressive architecture over the 3-D U-Net AE's latent, InfoNCE
 *   nonprog-bucket      text mapped straight to z_v, bucket loss
 *   nonprog-infonce     text mapped straight to z_v, InfoNCE
 *   vicreg              progressive with VICReg in place of the bucket loss
 *   byol                progressive with BYOL in place of the bucket loss
 */
import type { AlignOptions, AlignTask, FrozenParts } from './base.js';
import { ALIGN_METHODS, isAlignMethod, type AlignMethod } from './names.js';
import { createProgressiveTask } from './progressive.js';
import { createImageBindTask } from './imagebind.js';
import { createCodiTask } from './codi.js';
import { NonProgressiveTask } from './nonprogressive.js';

export { ALIGN_METHODS, isAlignMethod, type AlignMethod };

/** Build a method's task over the frozen pieces; an unknown name throws listing the valid ones. */
export function createAlignTask(method: string, parts: FrozenParts, options: Partial<AlignOptions> = {}): AlignTask {
  if (!isAlignMethod(method)) throw new Error(`unknown alignment method '${method}'; valid: ${ALIGN_METHODS.join(', ')}`);
  switch (method) {
    case 'progressive-bucket':
    case 'clip-infonce':
    case 'vicreg':
    case 'byol':
      return createProgressiveTask(method, parts, options);
    case 'imagebind':
      return createImageBindTask(parts, options);
    case 'codi':
      return createCodiTask(parts, options);
    case 'nonprog-bucket':
    case 'nonprog-infonce':
      return new NonProgressiveTask(method, parts, options);
  }
}
