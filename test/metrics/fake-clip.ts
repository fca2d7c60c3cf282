/**
 * A deterministic stand-in for a CLIP model, so metric values can be derived by hand:
 * - image feature of a frame = (2·mean(R)/255 − 1, 2·mean(G)/255 − 1, 2·mean(B)/255 − 1), so a
 *   solid white frame is (1, 1, 1), red (1, −1, −1), yellow (1, 1, −1), black (−1, −1, −1), and
 *   the cosine of two such ±1 vectors is (3 − 2·#differing signs)/3 ∈ {1, 1/3, −1/3, −1};
 * - text feature = a fixed table (unknown text throws).
 * It records every call, and rejects anything but (N, H, W, 3) uint8 frames.
 */
import * as T from '../../src/tensor/index.js';
import { makeVideo, type VideoU8 } from '../../src/media/video.js';
import type { FrameEncoder, TextEncoder } from '../../src/metrics/types.js';

export type RGB = readonly [number, number, number];
export const WHITE: RGB = [255, 255, 255];
export const RED: RGB = [255, 0, 0];
export const YELLOW: RGB = [255, 255, 0];
export const BLACK: RGB = [0, 0, 0];
export const CYAN: RGB = [0, 255, 255];

export class FakeClip implements FrameEncoder, TextEncoder {
  readonly name = 'fake-clip';
  /** Frames per encodeFrames call. */
  readonly frameCalls: number[] = [];
  /** Texts of each encodeTexts call. */
  readonly textCalls: string[][] = [];

  constructor(private readonly table: Record<string, number[]> = {}) {}

  encodeFrames(frames: T.Tensor): T.Tensor {
    const [N, H, W, C] = frames.shape;
    if (frames.ndim !== 4 || C !== 3 || frames.dtype !== 'uint8') {
      throw new Error(`FakeClip: expected (N, H, W, 3) uint8, got ${frames.dtype} (${frames.shape.join(', ')})`);
    }
    this.frameCalls.push(N!);
    const px = frames.toTypedArray() as Uint8Array; // (N, H, W, 3)
    const out = new Float32Array(N! * 3); // (N, 3)
    const n = H! * W!;
    for (let f = 0; f < N!; f++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let p = 0; p < n; p++) s += px[(f * n + p) * 3 + c]!;
        out[f * 3 + c] = (2 * s) / (255 * n) - 1;
      }
    }
    return T.tensor(out, { shape: [N!, 3] }); // (N, 3)
  }

  encodeTexts(texts: string[]): T.Tensor {
    this.textCalls.push([...texts]);
    const rows = texts.map((t) => {
      const v = this.table[t];
      if (!v) throw new Error(`FakeClip: no text feature for '${t}'`);
      return v;
    });
    return T.tensor(rows); // (N, 3)
  }
}

/** A video of solid-colour frames, one colour per frame, 4×4 pixels. */
export function solidVideo(colours: readonly RGB[], size = 4): VideoU8 {
  const v = makeVideo(colours.length, size, size, 3);
  colours.forEach((c, t) => {
    for (let p = 0; p < size * size; p++) v.data.set(c, (t * size * size + p) * 3);
  });
  return v;
}
