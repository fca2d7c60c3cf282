/**
 * The denoiser registry: build a denoiser by architecture name from its (partial) config.
 *
 * @example
 *   const net = createDenoiser('dit', { hidden: 64, depth: 1 }, [4, 4, 8, 8], 512);
 *   net.config;   // the resolved config, saved with the run to rebuild it
 */
import { DiT, DIT_DEFAULTS } from './dit.js';
import { UNet3D, UNET3D_DEFAULTS } from './unet3d.js';
import { MLPDenoiser, MLP_DEFAULTS } from './mlp.js';
import { DENOISER_ARCHS, type Denoiser, type DenoiserArch } from './types.js';

export { DiT, UNet3D, MLPDenoiser, DIT_DEFAULTS, UNET3D_DEFAULTS, MLP_DEFAULTS };
export * from './types.js';

export function checkArch(arch: string): DenoiserArch {
  if (!DENOISER_ARCHS.includes(arch as DenoiserArch)) throw new Error(`unknown denoiser '${arch}'; valid: ${DENOISER_ARCHS.join(', ')}`);
  return arch as DenoiserArch;
}

/** A new denoiser (random init) for latents of `latentShape` and a text encoder of width `condDim`. */
export function createDenoiser(arch: string, config: Record<string, unknown>, latentShape: readonly number[], condDim: number): Denoiser {
  switch (checkArch(arch)) {
    case 'dit': return new DiT(latentShape, condDim, config);
    case 'unet3d': return new UNet3D(latentShape, condDim, config);
    case 'mlp': return new MLPDenoiser(latentShape, condDim, config);
  }
}

/** The architecture that suits a latent: 'mlp' for vectors, 'dit' for (C, T, H, W). */
export function defaultArchFor(latentShape: readonly number[]): DenoiserArch {
  return latentShape.length === 4 ? 'dit' : 'mlp';
}
