/**
 * The domain video tower (issue 4, part 5): a small 3-D convolutional network, (B, C, T, H, W)
 * → (B, D), in the spirit of C3D (Tran et al. 2015, https://arxiv.org/abs/1412.0767: 3×3×3
 * kernels throughout) with BatchNorm (Ioffe & Szegedy 2015).
 *
 *   x ∈ [0, 1]  →  frames subsampled to `frames` (t_k = ⌊k·T/frames⌋)     input downsampling (speed)
 *              →  spatial average pool to (size, size)
 *              →  space-to-depth by `patch`: (C, size, size) → (C·p², size/p, size/p)
 *              →  2x − 1
 *              →  [Conv3d 3×3×3 → norm → SiLU] × len(channels), strides per stage
 *              →  mean (or max) over (T, H, W)                           (B, D), D = channels[-1]
 *
 * Why these choices (measured on SyncDraw, whose digits are only ~12 px tall in 64×64 frames):
 *   - frames are picked, not averaged: averaging neighbouring frames smears a moving digit;
 *   - space-to-depth instead of 2× average pooling keeps every pixel of the small glyphs for the
 *     price of p² input channels in the first convolution only;
 *   - BatchNorm, not GroupNorm: GroupNorm makes every (sample, group) map zero-mean, so the global
 *     mean pool that follows sees almost the same vector for every video and training collapses
 *     to the constant solution (the loss sits at its prior). BatchNorm normalises across the
 *     batch and keeps the videos apart; in eval mode it uses running statistics, so a video's
 *     features do not depend on its batch. `norm: 'group'` remains available.
 *
 * The default strides are (1,2,2) for the first stage, (2,2,2) for the next two and 1 after, so an
 * (8, 32, 32) grid (after space-to-depth) ends at (2, 4, 4) positions before the pool. Inputs of
 * any size are accepted and brought to (frames, size, size) as above.
 *
 * State-dict keys: `stages.<i>.conv.{weight,bias}`, `stages.<i>.norm.*` (BatchNorm3d: weight,
 * bias, running_mean, running_var, num_batches_tracked).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { BatchNorm3d, Conv3d, GroupNorm, Module, ModuleList, type Layer } from '../nn/index.js';

export interface VideoTowerConfig {
  /** Channels the tower reads: 1 (gray) or 3 (RGB). */
  inputChannels: 1 | 3;
  /** Frames the tower reads (subsampled from the input). */
  frames: number;
  /** Side (H = W) the input is pooled to, before space-to-depth. */
  size: number;
  /** Space-to-depth factor p (default 1): the convolutions see (C·p², size/p, size/p). */
  patch?: number;
  /** Output channels of each stage; the last is the feature width D. */
  channels: number[];
  /** [t, h, w] stride of each stage; default (1,2,2), (2,2,2), (2,2,2), then 1. */
  strides?: [number, number, number][];
  /** Pooling of the last stage over (T, H, W): 'mean' (default) or 'max'. */
  pool?: 'mean' | 'max';
  /** Normalisation of each stage: 'batch' (default) or 'group'. */
  norm?: 'batch' | 'group';
}

/** The default stride schedule for `n` stages. */
export function defaultStrides(n: number): [number, number, number][] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? [1, 2, 2] : i <= 2 ? [2, 2, 2] : [1, 1, 1]));
}

/** Conv3d 3×3×3 → norm → SiLU. */
class Stage extends Module {
  readonly conv: Conv3d;
  readonly norm: Module & Layer;
  constructor(cin: number, cout: number, stride: [number, number, number], norm: 'batch' | 'group') {
    super();
    this.conv = this.registerModule('conv', new Conv3d(cin, cout, 3, { stride, padding: 1 }));
    this.norm = this.registerModule('norm', norm === 'batch' ? new BatchNorm3d(cout) : new GroupNorm(groupsFor(cout), cout));
  }
  forward(x: Tensor): Tensor {
    return T.tidy(() => T.silu(this.norm.forward(this.conv.forward(x)))); // (B, C_out, T', H', W')
  }
}

/** Up to 8 groups, dividing the channel count. */
function groupsFor(c: number): number {
  for (let g = Math.min(8, c); g > 1; g--) if (c % g === 0) return g;
  return 1;
}

export class VideoTower extends Module {
  readonly dim: number;
  readonly stages: ModuleList<Stage>;

  constructor(readonly config: VideoTowerConfig) {
    super();
    const { inputChannels, frames, size, channels } = config;
    if (inputChannels !== 1 && inputChannels !== 3) throw new RangeError(`VideoTower: inputChannels must be 1 or 3, got ${inputChannels}`);
    const patch = config.patch ?? 1;
    for (const [k, v] of Object.entries({ frames, size, patch })) {
      if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`VideoTower: ${k} must be an integer >= 1, got ${v}`);
    }
    if (size % patch !== 0) throw new RangeError(`VideoTower: size ${size} must be divisible by patch ${patch}`);
    if (channels.length === 0 || !channels.every((c) => Number.isInteger(c) && c >= 1)) {
      throw new RangeError(`VideoTower: channels must be a non-empty list of positive integers, got [${channels.join(', ')}]`);
    }
    const strides = config.strides ?? defaultStrides(channels.length);
    if (strides.length !== channels.length) throw new RangeError(`VideoTower: ${strides.length} strides for ${channels.length} stages`);
    this.dim = channels[channels.length - 1]!;
    const stages: Stage[] = [];
    const cin = inputChannels * patch * patch;
    channels.forEach((c, i) => stages.push(new Stage(i === 0 ? cin : channels[i - 1]!, c, strides[i]!, config.norm ?? 'batch')));
    this.stages = this.registerModule('stages', new ModuleList(stages));
  }

  /** x (B, C, T, H, W) float in [0, 1] (C = inputChannels) → features (B, D). */
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      let h = this.prepare(x); // (B, C·p², frames, size/p, size/p) in [-1, 1]
      for (const stage of this.stages) h = stage.forward(h); // (B, C_i, T_i, H_i, W_i)
      return this.config.pool === 'max' ? h.flatten({ startDim: 2 }).amax({ dim: 2 }) : h.meanDim([2, 3, 4]); // (B, D)
    });
  }

  /** The input steps: {@link resample}, space-to-depth, 2x − 1. */
  prepare(x: Tensor): Tensor {
    return T.tidy(() => {
      const { inputChannels: C, frames, size } = this.config;
      const p = this.config.patch ?? 1;
      let h = this.resample(x); // (B, C, frames, size, size)
      if (p > 1) {
        const [B, s] = [h.size(0), size / p];
        h = h.reshape([B, C, frames, s, p, s, p]).permute([0, 1, 4, 6, 2, 3, 5]).reshape([B, C * p * p, frames, s, s]); // (B, C·p², frames, s, s)
      }
      return h.mulScalar(2).subScalar(1); // (B, C·p², frames, size/p, size/p)
    });
  }

  /** Videos (B, C, T, H, W) → (B, C, frames, size, size): frames t_k = ⌊k·T/frames⌋, area-pooled space. */
  resample(x: Tensor): Tensor {
    return T.tidy(() => {
      const { inputChannels: C, frames, size } = this.config;
      if (x.ndim !== 5 || x.size(1) !== C) throw new RangeError(`VideoTower: expected (B, ${C}, T, H, W), got [${x.shape.join(', ')}]`);
      const [Tin, H, W] = [x.size(2), x.size(3), x.size(4)];
      let h = x;
      if (Tin !== frames) {
        const picks = Array.from({ length: frames }, (_, k) => Math.floor((k * Tin) / frames));
        h = h.indexSelect(2, T.tensor(picks, { dtype: 'int64' })); // (B, C, frames, H, W)
      }
      if (H !== size || W !== size) h = T.adaptiveAvgPool3d(h, [frames, size, size]); // (B, C, frames, size, size)
      return h === x ? x.view(x.shape) : h; // a new handle either way
    });
  }
}

/** ITU-R BT.601 luma weights (as the data loader and PIL's convert('L')). */
const LUMA = [0.299, 0.587, 0.114];

/**
 * uint8 videos (B, T, H, W, C), C = 1 or 3, → (B, channels, T, H, W) float32 in [0, 1]:
 * gray is repeated to RGB, RGB is reduced to BT.601 luma for a gray model.
 */
export function videosFromU8(u8: Tensor, channels: 1 | 3): Tensor {
  return T.tidy(() => {
    if (u8.ndim !== 5 || (u8.size(4) !== 1 && u8.size(4) !== 3)) {
      throw new RangeError(`expected uint8 videos (B, T, H, W, C) with C = 1 or 3, got ${u8.dtype} [${u8.shape.join(', ')}]`);
    }
    const x = u8.permute([0, 4, 1, 2, 3]).toDType('float32').mulScalar(1 / 255); // (B, C_in, T, H, W)
    const cin = x.size(1);
    if (cin === channels) return x.contiguous(); // (B, C, T, H, W)
    if (channels === 3) return x.expand([x.size(0), 3, x.size(2), x.size(3), x.size(4)]).contiguous(); // (B, 3, T, H, W)
    const w = T.tensor(LUMA, { shape: [1, 3, 1, 1, 1] }); // (1, 3, 1, 1, 1)
    return x.mul(w).sumDim(1, { keepdim: true }); // (B, 1, T, H, W)
  });
}
