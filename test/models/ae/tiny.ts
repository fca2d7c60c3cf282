// Tiny configurations and data shared by the autoencoder tests (fast at 16×16×8).
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import type { AeTask, ReconMetrics } from '../../../src/models/ae/wae-task.js';

export const INPUT: [number, number, number, number] = [1, 8, 16, 16];

export const TINY: Record<'conv3d-base' | 'unet3d' | 'causal-vae', Record<string, unknown>> = {
  'conv3d-base': {
    channels: [4, 8], temporalStrides: [2, 2], latentDim: 8,
    discChannels: 4, discLayers: 1, discScales: 2, latentDiscHidden: 16, latentDiscLayers: 1,
  },
  unet3d: { baseChannels: 4, channelMult: [1, 2], temporalDown: [true], zChannels: 2, latentDim: 8 },
  'causal-vae': { baseChannels: 4, channelMult: [1, 2, 2], spatialCompression: 4, temporalCompression: 4, latentChannels: 4 },
};

/** Mean per-frame PSNR of each video (a, b: (B, C, T, H, W) in [0, 1]), written out here. */
export function psnrInline(a: T.Tensor, b: T.Tensor): Float64Array {
  return T.tidy(() => {
    const mse = a.sub(b).square().meanDim([1, 3, 4]).toDType('float64'); // (B, T)
    return Float64Array.from(mse.clampMin(1e-10).log10().mulScalar(-10).meanDim(1).toArray());
  });
}

export const METRICS: ReconMetrics = { psnr: psnrInline, ssim: (a) => new Float64Array(a.size(0)).fill(0.5) };

/**
 * B videos of a bright 4×4 square moving one pixel per frame (B, 1, T, 16, 16), each starting
 * at a different place: a tiny learnable data set.
 */
export function movingSquares(b: number, t = INPUT[1]): T.Tensor {
  const data = new Float32Array(b * t * 16 * 16);
  for (let i = 0; i < b; i++) {
    const y0 = 2 + 3 * i;
    for (let f = 0; f < t; f++) {
      const x0 = (i % 2 === 0 ? f : t - 1 - f) + 2;
      for (let y = y0; y < y0 + 4; y++) for (let x = x0; x < x0 + 4; x++) data[((i * t + f) * 16 + (y % 16)) * 16 + (x % 16)] = 1;
    }
  }
  return T.tensor(data, { shape: [b, 1, t, 16, 16] });
}

/**
 * An optional loss term, checked against the same task without it (both built alike from the
 * same seed): on videos `x`, seeded alike, `withTerm` logs `part`, every other part is equal, and
 * its autoencoder loss exceeds `without`'s by exactly weight·part. Then backward through
 * `withTerm`'s loss, `afterBackward` (e.g. to check a frozen network got no gradient), and the
 * gradients are zeroed. Returns the term's value.
 */
export function assertAddsTerm(without: AeTask, withTerm: AeTask, x: T.Tensor, part: string, weight: number, afterBackward: () => void = () => undefined): number {
  return T.tidy(() => {
    T.manualSeed(12);
    const a = without.losses(x, true);
    T.manualSeed(12);
    const b = withTerm.losses(x, true);
    assert.equal(a.parts[part], undefined);
    const value = b.parts[part]!.item();
    assert.ok(value > 0, `${part} ${value}`);
    for (const k of Object.keys(a.parts).filter((k) => k !== 'loss')) assert.equal(b.parts[k]!.item(), a.parts[k]!.item(), `part ${k}`);
    const gained = b.ae.item() - a.ae.item();
    assert.ok(Math.abs(gained - weight * value) < 1e-5 * Math.max(1, b.ae.item()), `loss gained ${gained}, ${weight}·${part} = ${weight * value}`);
    b.ae.backward();
    afterBackward();
    for (const m of Object.values(withTerm.modules())) m.zeroGrad();
    return value;
  });
}
