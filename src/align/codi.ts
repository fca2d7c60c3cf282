/**
 * CoDi-style alignment baseline (paper §4.2.2: "we considered the UnetLDM video AE model with our
 * mapping function architecture, which is based on a non-sharing representational framework";
 * after Tang et al., NeurIPS 2023): the progressive architecture with InfoNCE over the latent of
 * the 3-D U-Net AE (arch 'unet3d').
 *
 * That latent is spatial, e.g. (C_z, t, h, w); the MLPs E_s and G_s work on it flattened to one
 * vector of C_z·t·h·w values (row-major, as `reshape`), and G_s's output is reshaped back before
 * G decodes it (ours: the paper PCA-reduces UnetLDM codes only for plots; it does not say how
 * the MLP meets the spatial latent). The base class does the flattening for every method.
 */
import type { AlignOptions, FrozenParts } from './base.js';
import { ProgressiveTask } from './progressive.js';

export function createCodiTask(parts: FrozenParts, options: Partial<AlignOptions>): ProgressiveTask {
  if (parts.ae.arch !== 'unet3d') {
    throw new Error(`method 'codi' aligns over the 3-D U-Net autoencoder's latent, but the AE run is '${parts.ae.arch}'; pass --ae with a unet3d run (or pick another method)`);
  }
  return new ProgressiveTask('codi', parts, options, { align: 'infonce' });
}
