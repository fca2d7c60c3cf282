/**
 * Decoded videos leave the engine here: a float batch in [0, 1] becomes {@link VideoU8}s, the
 * form every writer, metric and probe takes. The one conversion shared by the autoencoder
 * commands, both generators and the autoencoder's validation.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { VideoU8 } from './video.js';

/**
 * videos (B, C, T, H, W) float in [0, 1] (any device) → B videos of (T, H, W, C) uint8,
 * round(255·clamp(v, 0, 1)). C must be 1 or 3. No gradient; frees its temporaries.
 * @example videosFromTensor(T.full([2, 1, 4, 8, 8], 0.5))[0].data[0] // 128
 */
export function videosFromTensor(x: Tensor): VideoU8[] {
  if (x.ndim !== 5) throw new Error(`videos must be (B, C, T, H, W), got shape [${x.shape.join(', ')}]`);
  const [b, c, t, h, w] = x.shape as [number, number, number, number, number];
  if (c !== 1 && c !== 3) throw new Error(`videos have ${c} channels; expected 1 (gray) or 3 (RGB)`);
  const bytes = T.noGrad(() => T.tidy(() =>
    x.clamp({ min: 0, max: 1 }).mulScalar(255).round().toDType('uint8').permute([0, 2, 3, 4, 1]).contiguous().to('cpu').toTypedArray() as Uint8Array)); // (B, T, H, W, C)
  const n = t * h * w * c;
  return Array.from({ length: b }, (_, i) => ({ frames: t, height: h, width: w, channels: c, data: bytes.slice(i * n, (i + 1) * n) }));
}
