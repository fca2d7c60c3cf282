// Hand-made encoders and probes for the domain metric tests.
import * as T from '../../../src/tensor/index.js';
import type { Tensor } from '../../../src/tensor/index.js';
import type { AttributeProbe, EvalVideo, FrameEncoder, TextEncoder, VideoEncoder } from '../../../src/metrics/types.js';
import { makeVideo, type VideoU8 } from '../../../src/media/video.js';
import { captionAttributes } from '../../../src/domain/probe.js';

/**
 * Text → a fixed 2-d vector from a table; video → (first byte, second byte) of its data. So a
 * video whose first two bytes are (a, b) has cosine (a·x + b·y) / (|(a, b)| |(x, y)|) with text (x, y).
 */
export function fakeDomain(table: Record<string, [number, number]>): FrameEncoder & TextEncoder & VideoEncoder {
  return {
    name: 'domain:fake',
    encodeTexts(texts: string[]): Tensor {
      return T.tensor(texts.map((t) => table[t] ?? [0, 0]));
    },
    encodeVideos(videos: Tensor): Tensor {
      return T.tidy(() => videos.flatten({ startDim: 1 }).narrow(1, 0, 2).toDType('float32')); // (B, 2)
    },
    encodeFrames(frames: Tensor): Tensor {
      return T.tidy(() => frames.flatten({ startDim: 1 }).narrow(1, 0, 2).toDType('float32')); // (N, 2)
    },
  };
}

/** A video whose first two bytes are (a, b). */
export function videoWith(a: number, b: number, frames = 2, side = 4): VideoU8 {
  const v = makeVideo(frames, side, side, 1);
  v.data[0] = a;
  v.data[1] = b;
  return v;
}

export function evalVideo(id: string, prompt: string, video: VideoU8): EvalVideo {
  return { id, prompt, video };
}

/** A probe that "predicts" the attributes stored in its table by the video's first byte. */
export function fakeProbe(byFirstByte: Record<number, Record<string, string>>): AttributeProbe {
  return {
    name: 'probe:fake',
    predict: (videos) => videos.map((v) => byFirstByte[v.data[0]!]!),
    captionAttributes,
  };
}
