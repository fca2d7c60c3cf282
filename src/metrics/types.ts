/**
 * The metric contract shared by every evaluation metric (`../shared/docs/metrics.md`), after
 * VBench's one-file-per-dimension layout: a metric declares what it needs (model folders, a
 * reference data set) and returns its aggregate *and* per-video records, naming the
 * feature extractor / backbone that produced them.
 */
import type { Tensor } from '../tensor/index.js';
import type { VideoU8 } from '../media/video.js';

/** One video under evaluation with its prompt. */
export interface EvalVideo {
  /** File name (without folder) or data-set id; unique within a set. */
  id: string;
  prompt: string;
  video: VideoU8; // (T, H, W, C) uint8
}

/** Per-frame image features. */
export interface FrameEncoder {
  /** Backbone name recorded in results, e.g. 'clip-vit-b32' or 'domain:single-seed0'. */
  readonly name: string;
  /** frames (N, H, W, C) uint8 RGB (C = 3; gray callers repeat) → (N, D) float32, not normalised. */
  encodeFrames(frames: Tensor): Tensor;
}

/** Text features in the same space as a {@link FrameEncoder} / {@link VideoEncoder}. */
export interface TextEncoder {
  readonly name: string;
  /** texts → (N, D) float32, not normalised. */
  encodeTexts(texts: string[]): Tensor;
}

/** Whole-clip features (I3D, the domain model's video tower). */
export interface VideoEncoder {
  readonly name: string;
  /** videos (B, T, H, W, C) uint8 RGB → (B, D) float32. */
  encodeVideos(videos: Tensor): Tensor;
}

/** Predicts the attributes a synthetic caption states (digit, motion per slot). */
export interface AttributeProbe {
  readonly name: string;
  /** Predicted attributes of each video, e.g. { digit0: '6', motion0: 'up and down' }. */
  predict(videos: VideoU8[]): Record<string, string>[];
  /** The attributes a caption states, in the same keys as `predict`; null when it cannot parse it. */
  captionAttributes(caption: string): Record<string, string> | null;
}

/** The real videos generated ones are compared with (FVD, B-PSNR, ...): a data set's split. */
export interface ReferenceSet {
  /** e.g. '/data/single:test'. */
  readonly name: string;
  readonly videos: EvalVideo[];
}

/** What a metric can ask for. */
export type Need = 'clip' | 'domain' | 'probe' | 'reference' | 'i3d' | 'dino';

export interface MetricContext {
  videos: EvalVideo[];
  /** Frames per second of the videos (dynamic_degree's sampling); default 8. */
  fps: number;
  reference?: ReferenceSet;
  clip?: FrameEncoder & TextEncoder;
  domain?: FrameEncoder & TextEncoder & VideoEncoder;
  probe?: AttributeProbe;
  i3d?: VideoEncoder;
  dino?: FrameEncoder;
  /** Progress / notes for the user (stderr). */
  log?: (message: string) => void;
}

export interface PerVideoRecord {
  id: string;
  /** The metric's per-video value (NaN when undefined for that video, with `note`). */
  value: number;
  /** Other per-video figures (e.g. `rank` for R-precision, `dynamic` for dynamic_degree). */
  extra?: Record<string, number | string | boolean>;
  note?: string;
}

export interface MetricResult {
  metric: string;
  aggregate: number;
  /** Further aggregates (e.g. std, R@5 beside R@1); optional. */
  aggregates?: Record<string, number>;
  perVideo: PerVideoRecord[];
  /** The feature extractor / backbone / flow method used; null when none. */
  extractor: string | null;
  /** Constants and options that determine the value (thresholds, window, protocol). */
  settings: Record<string, unknown>;
  higherIsBetter: boolean;
  /** Secondary diagnostics (spatial-distortion checks) are shown apart in tables. */
  secondary?: boolean;
}

export interface MetricDef {
  readonly name: string;
  /** One line for `t2v eval --help` and reports. */
  readonly summary: string;
  /** The reference implementation / paper it follows. */
  readonly reference: string;
  /** Required context entries; the eval command loads them or explains which flag is missing. */
  readonly needs: readonly Need[];
  /** Used when present, in this order of preference (e.g. dino, clip, domain). */
  readonly wants?: readonly Need[];
  readonly higherIsBetter: boolean;
  readonly secondary?: boolean;
  compute(ctx: MetricContext): Promise<MetricResult>;
}

/** Thrown when a metric cannot run on the given context (user error: say what to pass). */
export class MetricInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MetricInputError';
  }
}
