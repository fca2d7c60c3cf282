/**
 * Embedding evaluation videos with a {@link VideoEncoder}: consecutive videos of the same shape
 * go through the encoder together (in chunks), so sets of mixed sizes work and uniform sets are fast.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { EvalVideo, TextEncoder, VideoEncoder } from '../types.js';

/** (N, E) float32 embeddings of `videos`, in order; the caller owns the tensor. */
export function embedVideos(encoder: VideoEncoder, videos: readonly EvalVideo[], chunk = 32): Tensor {
  if (videos.length === 0) throw new RangeError('embedVideos: no videos');
  return T.tidy(() => {
    const parts: Tensor[] = [];
    let i = 0;
    while (i < videos.length) {
      const v0 = videos[i]!.video;
      let n = 1;
      while (n < chunk && i + n < videos.length && sameShape(videos[i + n]!.video, v0)) n++;
      const bytes = v0.frames * v0.height * v0.width * v0.channels;
      const buf = new Uint8Array(n * bytes); // (n, T, H, W, C)
      for (let k = 0; k < n; k++) buf.set(videos[i + k]!.video.data, k * bytes);
      parts.push(T.tidy(() => encoder.encodeVideos(T.fromBytes(buf, 'uint8', [n, v0.frames, v0.height, v0.width, v0.channels])))); // (n, E)
      i += n;
    }
    return parts.length === 1 ? parts[0]! : T.cat(parts, { dim: 0 }); // (N, E)
  });
}

/** The distinct texts in first-seen order, their (K, E) embeddings, and each input's row. */
export function embedDistinct(encoder: TextEncoder, texts: readonly string[]): { distinct: string[]; emb: Tensor; row: number[] } {
  const distinct = [...new Set(texts)];
  const index = new Map(distinct.map((t, i) => [t, i]));
  return { distinct, emb: encoder.encodeTexts(distinct), row: texts.map((t) => index.get(t)!) };
}

function sameShape(a: EvalVideo['video'], b: EvalVideo['video']): boolean {
  return a.frames === b.frames && a.height === b.height && a.width === b.width && a.channels === b.channels;
}
