/**
 * Inflated Inception-v1 (I3D; Carreira & Zisserman 2017, "Quo Vadis, Action Recognition? A New
 * Model and the Kinetics Dataset", https://arxiv.org/abs/1705.07750, Fig. 3), the feature
 * extractor of FVD (metrics.md §3), with the module names and state-dict keys of the common
 * PyTorch port (piergiaj/pytorch-i3d `pytorch_i3d.py`), e.g. `Conv3d_1a_7x7.conv3d.weight`,
 * `Conv3d_1a_7x7.bn.running_mean`, `Mixed_3b.b1b.conv3d.weight`, `logits.conv3d.bias`.
 *
 * Layers (input (B, 3, T, H, W) in [−1, 1]; sizes for 16×224×224):
 *   Conv3d_1a_7x7 (64, k7, s2)            → (B, 64, 8, 112, 112)
 *   MaxPool3d_2a_3x3 (k1×3×3, s1×2×2)     → (B, 64, 8, 56, 56)
 *   Conv3d_2b_1x1 (64), Conv3d_2c_3x3 (192)
 *   MaxPool3d_3a_3x3 (k1×3×3, s1×2×2)     → (B, 192, 8, 28, 28)
 *   Mixed_3b, Mixed_3c                     → (B, 480, 8, 28, 28)
 *   MaxPool3d_4a_3x3 (k3, s2)             → (B, 480, 4, 14, 14)
 *   Mixed_4b … Mixed_4f                    → (B, 832, 4, 14, 14)
 *   MaxPool3d_5a_2x2 (k2, s2)             → (B, 832, 2, 7, 7)
 *   Mixed_5b, Mixed_5c                     → (B, 1024, 2, 7, 7)
 *   AvgPool3d (k2×7×7, s1), logits 1×1×1 conv with bias → (B, 400, 1, 1, 1)
 * Every Unit3D is conv (no bias) → BatchNorm3d (eps 1e-3) → ReLU, except `logits` (bias, no BN,
 * no activation). Convolutions and max-pools use TensorFlow's 'SAME' padding computed from the
 * input size: total pad = max(k − s, 0) when s divides the size, else max(k − (size mod s), 0);
 * ⌊pad/2⌋ before, the rest after, zeros (the port pads the max-pools with zeros too).
 * Smallest input the logits' 2×7×7 pool accepts: T ≥ 9, H, W ≥ 193.
 *
 * FVD features = the 400 pre-softmax logits averaged over time (StyleGAN-V; metrics.md §3):
 * clips are resized to 224×224 (bilinear, no antialias, as the TF-Hub module's resize) and
 * mapped x ↦ 2x/255 − 1.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { BatchNorm3d, Conv3d, Module } from '../nn/index.js';
import { loadTensors } from '../io/tensors.js';
import type { VideoEncoder } from '../metrics/types.js';

/** Total TF-'SAME' padding along one dimension of size `size` for kernel k and stride s. */
export function samePadding(size: number, k: number, s: number): number {
  return size % s === 0 ? Math.max(k - s, 0) : Math.max(k - (size % s), 0);
}

/** Zero-pad x (B, C, T, H, W) for TF-'SAME' with the given kernel and stride. */
function padSame(x: Tensor, kernel: readonly number[], stride: readonly number[]): Tensor {
  const sizes = x.shape.slice(2); // [T, H, W]
  const pads: number[] = [];
  for (let d = 2; d >= 0; d--) {
    const p = samePadding(sizes[d]!, kernel[d]!, stride[d]!);
    pads.push(Math.floor(p / 2), p - Math.floor(p / 2)); // constant_pad_nd order: W, H, T (before, after)
  }
  return pads.some((p) => p > 0) ? T.constantPadNd(x, pads) : x; // (B, C, T + pt, H + ph, W + pw)
}

interface UnitOptions {
  stride?: number[];
  batchNorm?: boolean;
  bias?: boolean;
  relu?: boolean;
}

/** piergiaj `Unit3D`: 'SAME'-padded Conv3d → BatchNorm3d (eps 1e-3, momentum 0.01) → ReLU. */
export class Unit3D extends Module {
  readonly kernel: number[];
  readonly stride: number[];
  readonly relu: boolean;
  readonly conv3d: Conv3d;
  readonly bn: BatchNorm3d | null;

  constructor(inChannels: number, outChannels: number, kernel: number[], opts: UnitOptions = {}) {
    super();
    this.kernel = kernel;
    this.stride = opts.stride ?? [1, 1, 1];
    this.relu = opts.relu ?? true;
    this.conv3d = this.registerModule('conv3d', new Conv3d(inChannels, outChannels, kernel, { stride: this.stride, bias: opts.bias ?? false }));
    this.bn = (opts.batchNorm ?? true) ? this.registerModule('bn', new BatchNorm3d(outChannels, { eps: 1e-3, momentum: 0.01 })) : null;
  }

  /** x (B, C_in, T, H, W) → (B, C_out, ⌈T/s⌉, ⌈H/s⌉, ⌈W/s⌉). */
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      let y = this.conv3d.forward(padSame(x, this.kernel, this.stride)); // (B, C_out, T', H', W')
      if (this.bn) y = this.bn.forward(y);
      return this.relu ? y.relu() : y;
    });
  }
}

/** piergiaj `MaxPool3dSamePadding`: zero 'SAME' padding, then max-pool (no parameters). */
export class MaxPool3dSame extends Module {
  constructor(readonly kernel: number[], readonly stride: number[]) {
    super();
  }

  /** x (B, C, T, H, W) → (B, C, ⌈T/s⌉, ⌈H/s⌉, ⌈W/s⌉). */
  forward(x: Tensor): Tensor {
    return T.tidy(() => T.maxPool3d(padSame(x, this.kernel, this.stride), this.kernel, { stride: this.stride })); // (B, C, T', H', W')
  }
}

/** piergiaj `InceptionModule`: four branches concatenated on channels; `out` = [b0, b1a, b1b, b2a, b2b, b3b]. */
export class InceptionModule extends Module {
  readonly b0: Unit3D;
  readonly b1a: Unit3D;
  readonly b1b: Unit3D;
  readonly b2a: Unit3D;
  readonly b2b: Unit3D;
  readonly b3a: MaxPool3dSame;
  readonly b3b: Unit3D;

  constructor(inChannels: number, out: readonly [number, number, number, number, number, number]) {
    super();
    this.b0 = this.registerModule('b0', new Unit3D(inChannels, out[0], [1, 1, 1]));
    this.b1a = this.registerModule('b1a', new Unit3D(inChannels, out[1], [1, 1, 1]));
    this.b1b = this.registerModule('b1b', new Unit3D(out[1], out[2], [3, 3, 3]));
    this.b2a = this.registerModule('b2a', new Unit3D(inChannels, out[3], [1, 1, 1]));
    this.b2b = this.registerModule('b2b', new Unit3D(out[3], out[4], [3, 3, 3]));
    this.b3a = this.registerModule('b3a', new MaxPool3dSame([3, 3, 3], [1, 1, 1]));
    this.b3b = this.registerModule('b3b', new Unit3D(inChannels, out[5], [1, 1, 1]));
  }

  /** x (B, C_in, T, H, W) → (B, out[0] + out[2] + out[4] + out[5], T, H, W). */
  forward(x: Tensor): Tensor {
    return T.tidy(() =>
      T.cat([this.b0.forward(x), this.b1b.forward(this.b1a.forward(x)), this.b2b.forward(this.b2a.forward(x)), this.b3b.forward(this.b3a.forward(x))], { dim: 1 }),
    );
  }
}

type Stage = Unit3D | MaxPool3dSame | InceptionModule;

/** The Inception blocks: [name, input channels, branch widths] (pytorch_i3d.py, Fig. 3 of the paper). */
const MIXED: readonly [string, number, readonly [number, number, number, number, number, number]][] = [
  ['Mixed_3b', 192, [64, 96, 128, 16, 32, 32]],
  ['Mixed_3c', 256, [128, 128, 192, 32, 96, 64]],
  ['Mixed_4b', 480, [192, 96, 208, 16, 48, 64]],
  ['Mixed_4c', 512, [160, 112, 224, 24, 64, 64]],
  ['Mixed_4d', 512, [128, 128, 256, 24, 64, 64]],
  ['Mixed_4e', 512, [112, 144, 288, 32, 64, 64]],
  ['Mixed_4f', 528, [256, 160, 320, 32, 128, 128]],
  ['Mixed_5b', 832, [256, 160, 320, 32, 128, 128]],
  ['Mixed_5c', 832, [384, 192, 384, 48, 128, 128]],
];

/**
 * InceptionI3d up to the logits (piergiaj `InceptionI3d(num_classes, final_endpoint='Logits')`).
 *
 * @example
 *   const net = new InceptionI3d().eval();
 *   T.tidy(() => net.forward(T.zeros([1, 3, 16, 224, 224]))).shape;   // [1, 400, 1]
 */
export class InceptionI3d extends Module {
  readonly numClasses: number;
  readonly stages: [string, Stage][] = [];
  readonly logits: Unit3D;

  constructor(numClasses = 400, inChannels = 3) {
    super();
    this.numClasses = numClasses;
    const add = (name: string, m: Stage): void => {
      this.stages.push([name, this.registerModule(name, m)]);
    };
    add('Conv3d_1a_7x7', new Unit3D(inChannels, 64, [7, 7, 7], { stride: [2, 2, 2] }));
    add('MaxPool3d_2a_3x3', new MaxPool3dSame([1, 3, 3], [1, 2, 2]));
    add('Conv3d_2b_1x1', new Unit3D(64, 64, [1, 1, 1]));
    add('Conv3d_2c_3x3', new Unit3D(64, 192, [3, 3, 3]));
    add('MaxPool3d_3a_3x3', new MaxPool3dSame([1, 3, 3], [1, 2, 2]));
    for (const [name, cin, out] of MIXED) {
      if (name === 'Mixed_4b') add('MaxPool3d_4a_3x3', new MaxPool3dSame([3, 3, 3], [2, 2, 2]));
      if (name === 'Mixed_5b') add('MaxPool3d_5a_2x2', new MaxPool3dSame([2, 2, 2], [2, 2, 2]));
      add(name, new InceptionModule(cin, out));
    }
    this.logits = this.registerModule('logits', new Unit3D(1024, numClasses, [1, 1, 1], { batchNorm: false, bias: true, relu: false }));
  }

  /** x (B, 3, T, H, W) in [−1, 1] → logits (B, classes, T'') (T'' = 1 for 16 frames; spatial positions kept when > 1). */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 5) throw new Error(`InceptionI3d: expected (B, 3, T, H, W), got [${x.shape.join(', ')}]`);
    return T.tidy(() => {
      let y = x;
      for (const [, m] of this.stages) y = m.forward(y); // (B, 1024, T/8, H/32, W/32)
      const [t, h, w] = y.shape.slice(2) as [number, number, number];
      if (t < 2 || h < 7 || w < 7) {
        throw new Error(`InceptionI3d: the input [${x.shape.join(', ')}] is too small for the 2×7×7 logits pool (features ${t}×${h}×${w}); use at least 9 frames of 193×193`);
      }
      const pooled = T.avgPool3d(y, [2, 7, 7], { stride: [1, 1, 1] }); // (B, 1024, T−1, H−6, W−6); dropout is the identity in eval
      const logits = this.logits.forward(pooled); // (B, classes, T'', h'', w'')
      return logits.size(3) === 1 && logits.size(4) === 1 ? logits.squeezeDim(4).squeezeDim(3) : logits; // (B, classes, T'')
    });
  }
}

/** I3D input pipeline: uint8 videos (B, T, H, W, 3) → float32 (B, 3, T, 224, 224) in [−1, 1]. */
export function preprocessI3d(videos: Tensor, size = 224): Tensor {
  const s = videos.shape;
  if (s.length !== 5 || s[4] !== 3 || videos.dtype !== 'uint8') {
    throw new Error(`I3D: expected uint8 videos (B, T, H, W, 3), got ${videos.dtype} [${s.join(', ')}]`);
  }
  const [b, t, h, w] = s as [number, number, number, number];
  return T.tidy(() => {
    let x = videos.reshape([b * t, h, w, 3]).permute([0, 3, 1, 2]).toDType('float32'); // (B·T, 3, H, W) 0..255
    if (h !== size || w !== size) x = T.interpolate(x, [size, size], 'bilinear'); // (B·T, 3, 224, 224)
    return x.mulScalar(2 / 255).subScalar(1).reshape([b, t, 3, size, size]).permute([0, 2, 1, 3, 4]).contiguous(); // (B, 3, T, 224, 224)
  });
}

/** The FVD extractor: Kinetics-400 I3D logits averaged over time. Owns its model (`dispose()`). */
export class I3dVideoEncoder implements VideoEncoder {
  readonly name: string;

  constructor(readonly model: InceptionI3d, readonly device = 'cpu', name = 'i3d-k400') {
    this.name = name;
    model.eval();
  }

  /** videos (B, T, H, W, 3) uint8 RGB → (B, classes) float32 on the CPU. */
  encodeVideos(videos: Tensor): Tensor {
    return T.tidy(() =>
      T.noGrad(() => {
        const x = preprocessI3d(videos.to(this.device)); // (B, 3, T, 224, 224)
        const logits = this.model.forward(x); // (B, classes, T'', …)
        const dims = Array.from({ length: logits.ndim - 2 }, (_, i) => i + 2);
        return logits.meanDim(dims).to('cpu'); // (B, classes)
      }),
    );
  }

  dispose(): void {
    this.model.dispose();
  }
}

const CONVERT_HINT =
  'convert the PyTorch checkpoint of piergiaj/pytorch-i3d (models/rgb_imagenet.pt, Kinetics-400) with\n' +
  '  python -c "import torch; from safetensors.torch import save_file; ' +
  "sd = torch.load('rgb_imagenet.pt', map_location='cpu'); save_file({k: v.contiguous() for k, v in sd.items()}, 'i3d.safetensors')\"\n" +
  'and put i3d.safetensors in that folder';

/** `<dir>/i3d.safetensors`, else `<dir>/model.safetensors` (or `dir` itself when it is a file). */
function checkpointPath(dir: string): string {
  if (existsSync(dir) && statSync(dir).isFile()) return dir;
  for (const name of ['i3d.safetensors', 'model.safetensors']) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`loadI3d: no i3d.safetensors or model.safetensors in '${dir}'; ${CONVERT_HINT}`);
}

/** Keys without a common wrapper prefix (nn.DataParallel saves 'module.…'). */
function stripPrefix(sd: Map<string, Tensor>, prefix: string): Map<string, Tensor> {
  if (![...sd.keys()].every((k) => k.startsWith(prefix))) return sd;
  return new Map([...sd].map(([k, t]) => [k.slice(prefix.length), t]));
}

export interface LoadI3dOptions {
  /** Device for the model and its computation (default: 'cuda' when available, else 'cpu'). */
  device?: string;
}

/**
 * The Kinetics-400 I3D from a safetensors file with piergiaj/pytorch-i3d's keys; checkpoints
 * without BatchNorm's `num_batches_tracked` (saved by old PyTorch) load too.
 *
 * @example
 *   const i3d = await loadI3d('models/i3d');   // reads models/i3d/i3d.safetensors
 *   i3d.name;                                   // 'i3d-k400'
 *   i3d.encodeVideos(clips).shape;              // [B, 400] for clips (B, 16, H, W, 3) uint8
 */
export async function loadI3d(dir: string, opts: LoadI3dOptions = {}): Promise<VideoEncoder & { dispose(): void }> {
  const path = checkpointPath(dir);
  const tensors = stripPrefix(loadTensors(path).tensors, 'module.');
  try {
    const w = tensors.get('logits.conv3d.weight');
    if (!w) throw new Error(`loadI3d: '${path}' has no 'logits.conv3d.weight', so it is not an InceptionI3d state dict; ${CONVERT_HINT}`);
    const model = new InceptionI3d(w.size(0));
    try {
      const { missingKeys, unexpectedKeys: unexpected } = model.loadStateDict(tensors, { strict: false });
      const missing = missingKeys.filter((k) => !k.endsWith('.num_batches_tracked'));
      if (missing.length > 0 || unexpected.length > 0) {
        throw new Error(`loadI3d: '${path}' does not match InceptionI3d: missing ${missing.slice(0, 5).join(', ') || 'none'}` +
          `${missing.length > 5 ? ` (+${missing.length - 5})` : ''}; unexpected ${unexpected.slice(0, 5).join(', ') || 'none'}; ${CONVERT_HINT}`);
      }
      const device = opts.device ?? (T.cudaAvailable() ? 'cuda' : 'cpu');
      model.to(device);
      return new I3dVideoEncoder(model, device, w.size(0) === 400 ? 'i3d-k400' : `i3d-${w.size(0)}`);
    } catch (err) {
      model.dispose();
      throw err;
    }
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
