/**
 * Clip features for the distribution metrics (fvd, kvd; metrics.md §3).
 *
 * Extractor: `ctx.i3d` (Kinetics-400 I3D, the FVD protocol) when given, otherwise the domain
 * model's video tower (`ctx.domain`), which makes the offline variant "FVD-<name>". The result's
 * metric name is `fvd` / `kvd` with I3D and `fvd_<extractor>` / `kvd_<extractor>` otherwise.
 *
 * I3D protocol (StyleGAN-V `fvd2048_16f`): the first 16 consecutive frames of each video; the
 * encoder resizes them to 224×224 and maps x ↦ 2x/255 − 1 (src/models/i3d.ts). 2048 real and
 * 2048 generated clips; with other counts the value is only comparable at equal counts.
 * Domain extractor: the whole video, as the domain model's own preprocessing expects.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { sliceFrames, toRGB, type VideoU8 } from '../../media/video.js';
import { MetricInputError, type EvalVideo, type MetricContext, type VideoEncoder } from '../types.js';
import { requireReference } from './common.js';

/** Frames per clip in the I3D protocol. */
export const I3D_CLIP_FRAMES = 16;
/** Clips per set in the reference protocol fvd2048_16f. */
export const PROTOCOL_CLIPS = 2048;
/** Videos per encoder call. */
const BATCH = 8;

export interface FeatureSets {
  /** (N, D) float32 features of the generated videos. */
  generated: Tensor;
  /** (M, D) float32 features of the reference videos. */
  reference: Tensor;
  /** The name the result carries: `base` with I3D, `<base>_<extractor>` otherwise. */
  metric: string;
  extractor: string;
  settings: Record<string, unknown>;
}

/** The clip an extractor sees: the first 16 frames (I3D) or the whole video (domain), in RGB. */
function clipOf(v: EvalVideo, i3d: boolean, metric: string): VideoU8 {
  if (!i3d) return toRGB(v.video);
  if (v.video.frames < I3D_CLIP_FRAMES) {
    throw new MetricInputError(`${metric}: the I3D protocol takes ${I3D_CLIP_FRAMES} consecutive frames but '${v.id}' has ${v.video.frames}; ` +
      'generate at least 16 frames, or drop --i3d to use the domain model\'s video tower (fvd_<domain>)');
  }
  return toRGB(sliceFrames(v.video, 0, I3D_CLIP_FRAMES));
}

/** Encode videos in batches of consecutive same-sized clips → (N, D) float32. */
export function encodeClips(encoder: VideoEncoder, clips: readonly VideoU8[]): Tensor {
  const parts: Tensor[] = [];
  try {
    for (let s = 0; s < clips.length; ) {
      const first = clips[s]!;
      let e = s + 1;
      while (e < clips.length && e - s < BATCH && sameSize(clips[e]!, first)) e++;
      const bytes = first.frames * first.height * first.width * 3;
      const data = new Uint8Array((e - s) * bytes); // (B, T, H, W, 3)
      for (let i = s; i < e; i++) data.set(clips[i]!.data, (i - s) * bytes);
      parts.push(T.tidy(() => encoder.encodeVideos(T.tensor(data, { shape: [e - s, first.frames, first.height, first.width, 3] })).toDType('float32').to('cpu'))); // (B, D)
      s = e;
    }
    return T.cat(parts, { dim: 0 }); // (N, D)
  } finally {
    for (const p of parts) p.dispose();
  }
}

function sameSize(a: VideoU8, b: VideoU8): boolean {
  return a.frames === b.frames && a.height === b.height && a.width === b.width;
}

/** Features of the generated and reference sets with the preferred extractor. */
export function distributionFeatures(ctx: MetricContext, base: 'fvd' | 'kvd'): FeatureSets {
  const reference = requireReference(ctx, base);
  const encoder: VideoEncoder | undefined = ctx.i3d ?? ctx.domain;
  if (!encoder) throw new MetricInputError(`${base} needs a video feature extractor: pass --i3d DIR (Kinetics-400 I3D, the FVD protocol) or --domain DIR (gives ${base}_<domain>)`);
  const i3d = ctx.i3d !== undefined;
  if (ctx.videos.length === 0) throw new MetricInputError(`${base}: no generated videos`);
  const metric = i3d ? base : `${base}_${encoder.name}`;
  if (i3d && (ctx.videos.length < PROTOCOL_CLIPS || reference.videos.length < PROTOCOL_CLIPS)) {
    ctx.log?.(`${metric}: ${ctx.videos.length} generated and ${reference.videos.length} reference clips (the fvd2048_16f protocol uses ${PROTOCOL_CLIPS} each); compare only values computed with the same counts`);
  }
  ctx.log?.(`${metric}: encoding ${ctx.videos.length} generated and ${reference.videos.length} reference videos with ${encoder.name}`);
  const generated = encodeClips(encoder, ctx.videos.map((v) => clipOf(v, i3d, metric))); // (N, D)
  let ref: Tensor;
  try {
    ref = encodeClips(encoder, reference.videos.map((v) => clipOf(v, i3d, metric))); // (M, D)
  } catch (err) {
    generated.dispose();
    throw err;
  }
  const settings: Record<string, unknown> = {
    extractor: encoder.name,
    generatedClips: ctx.videos.length,
    referenceClips: reference.videos.length,
    reference: reference.name,
    featureDim: generated.size(1),
    clip: i3d ? `first ${I3D_CLIP_FRAMES} frames, resized to 224x224, 2x/255-1` : 'whole video (domain preprocessing)',
  };
  if (i3d) settings.protocol = `fvd${ctx.videos.length}_${I3D_CLIP_FRAMES}f`;
  return { generated, reference: ref, metric, extractor: encoder.name, settings };
}
