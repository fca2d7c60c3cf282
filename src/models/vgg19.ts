/**
 * VGG19 (Simonyan & Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale Image
 * Recognition", https://arxiv.org/abs/1409.1556, Table 1 column E), convolutional part only, as
 * the frozen feature extractor of the perceptual term of the video WAE's cost (method.md, eq. A.2:
 * 0.0025·‖VGG(x) − VGG(y)‖₂² at block4_conv3 and block5_conv4). Keys and layer indices are
 * torchvision's `vgg19().features` (`features.{i}.weight`, `features.{i}.bias`):
 *
 *   block  convs (3×3, pad 1, each followed by ReLU)     max-pool 2×2 s2   Keras names
 *   1      0, 2              (64)                        4                 block1_conv1..2
 *   2      5, 7              (128)                       9                 block2_conv1..2
 *   3      10, 12, 14, 16    (256)                       18                block3_conv1..4
 *   4      19, 21, 23, 25    (512)                       27                block4_conv1..4
 *   5      28, 30, 32, 34    (512)                       36                block5_conv1..4
 *
 * A tap `blockB_convK` is the ReLU output right after that conv (Keras convolutions carry their
 * ReLU): block4_conv3 = features.24, block5_conv4 = features.35. Only the layers up to the deepest
 * tap are built, loaded and run. Channel counts are read from the weight shapes, so a folder with
 * narrower layers (the test fixture test/fixtures/vgg19-tiny) loads as well as the real one.
 *
 * Input: videos (B, C, T, H, W) in [0, 1], C = 1 (grey, replicated to RGB) or 3; the frames are a
 * batch of B·T images, normalised with ImageNet's mean and std as torchvision's weights expect.
 * The weights never require grad; gradients flow to the input.
 *
 * Cost: VGG19's convolutions to block5_conv4 take ≈ 19.6 GFLOP per 224×224 image, so ≈ 1.6 GFLOP
 * per 64×64 frame; the perceptual term runs them for x and y and back through y, for every frame
 * of the batch (B·T images), far more than the 3DConv-Base autoencoder itself.
 *
 * Weights: torchvision's (ImageNet normalisation, RGB). The paper names Keras layers; Keras's own
 * VGG19 weights expect caffe preprocessing (BGR, mean subtraction only), so its features differ.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Conv2d, Module, ReLU, Sequential, type Layer } from '../nn/index.js';
import { loadTensors } from '../io/tensors.js';
import { imagenetNormalize } from './blocks/imagenet-norm.js';

/** Convolutions per block (VGG19 = configuration E). */
export const VGG19_BLOCKS: readonly number[] = [2, 2, 4, 4, 4];

/** The taps of the paper's perceptual term. */
export const PERCEPTUAL_TAPS: readonly string[] = ['block4_conv3', 'block5_conv4'];

/** One entry of `features`: a 3×3 conv (its output channels), a ReLU or a 2×2 max-pool. */
type Entry = { kind: 'conv'; name: string } | { kind: 'relu'; name: string } | { kind: 'pool' };

/** torchvision's `features` layout: index i ↦ what sits at `features.{i}` (37 entries). */
function layout(): Entry[] {
  const out: Entry[] = [];
  VGG19_BLOCKS.forEach((convs, b) => {
    for (let k = 1; k <= convs; k++) {
      const name = `block${b + 1}_conv${k}`;
      out.push({ kind: 'conv', name }, { kind: 'relu', name });
    }
    out.push({ kind: 'pool' });
  });
  return out;
}
const LAYOUT = layout();

/** The `features` index of a tap's ReLU ('block4_conv3' → 24); unknown names throw listing the valid ones. */
export function tapIndex(name: string): number {
  const i = LAYOUT.findIndex((e) => e.kind === 'relu' && e.name === name);
  if (i < 0) {
    const valid = LAYOUT.flatMap((e) => (e.kind === 'relu' ? [e.name] : []));
    throw new Error(`VGG19: unknown feature layer '${name}'; valid (Keras names, after the ReLU): ${valid.join(', ')}`);
  }
  return i;
}

/** The `features` indices of the convolutions among the first `depth` entries. */
export function convIndices(depth: number): number[] {
  return LAYOUT.slice(0, depth).flatMap((e, i) => (e.kind === 'conv' ? [i] : []));
}

/** `torch.nn.MaxPool2d(kernel_size=2, stride=2)`: (N, C, H, W) → (N, C, ⌊H/2⌋, ⌊W/2⌋). */
class MaxPool2x2 extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return T.maxPool2d(x, 2, { stride: 2 }); // (N, C, H/2, W/2)
  }
  override extraRepr(): string {
    return 'kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False';
  }
}

/** Videos (B, C, T, H, W) in [0, 1], C = 1 or 3 → ImageNet-normalised frames (B·T, 3, H, W). */
export function preprocessVgg(video: Tensor): Tensor {
  const s = video.shape;
  if (s.length !== 5 || (s[1] !== 1 && s[1] !== 3)) throw new Error(`VGG19: expected videos (B, C, T, H, W) with C = 1 or 3, got [${s.join(', ')}]`);
  const [b, c, t, h, w] = s as [number, number, number, number, number];
  return T.tidy(() => {
    let x = video.permute([0, 2, 1, 3, 4]).reshape([b * t, c, h, w]); // (B·T, C, H, W)
    if (c === 1) x = x.expand([b * t, 3, h, w]); // (B·T, 3, H, W) grey replicated
    return imagenetNormalize(x); // (B·T, 3, H, W)
  });
}

/**
 * The frozen VGG19 feature extractor with its taps; `features` holds torchvision's entries up to
 * the deepest tap.
 *
 * @example
 *   const vgg = loadVgg19('models/vgg19');                         // taps block4_conv3, block5_conv4
 *   T.tidy(() => vgg.forward(T.rand([2, 1, 16, 64, 64]))).map((f) => f.shape);
 *   // [[32, 512, 8, 8], [32, 512, 4, 4]]
 *   T.tidy(() => vgg.perceptualLoss(x, y).item());                  // Σ_taps mean((VGG(x) − VGG(y))²)
 */
export class Vgg19Features extends Module {
  readonly features: Sequential;
  readonly taps: readonly string[];
  /** The `features` index of each tap's ReLU, in the order of `taps`. */
  readonly tapIndices: readonly number[];
  /** Max-pools before the deepest tap: H and W must be at least 2^pools. */
  readonly pools: number;

  /**
   * @param channels  output channels of each conv up to the deepest tap (VGG19: 64, 64, 128, …)
   * @param taps      Keras layer names whose ReLU outputs `forward` returns
   */
  constructor(channels: readonly number[], taps: readonly string[] = PERCEPTUAL_TAPS) {
    super();
    if (taps.length === 0) throw new Error('VGG19: no feature layers requested; pass at least one, e.g. block4_conv3');
    this.taps = [...taps];
    this.tapIndices = taps.map(tapIndex);
    const depth = Math.max(...this.tapIndices) + 1;
    const convs = convIndices(depth);
    if (channels.length !== convs.length) {
      throw new Error(`VGG19: ${taps.join(', ')} need ${convs.length} convolutions (features.${convs.join(', ')}), got ${channels.length} channel counts`);
    }
    this.pools = LAYOUT.slice(0, depth).filter((e) => e.kind === 'pool').length;
    this.features = this.registerModule('features', new Sequential());
    let cin = 3;
    let c = 0;
    for (const e of LAYOUT.slice(0, depth)) {
      if (e.kind === 'conv') {
        const cout = channels[c++]!;
        this.features.append(new Conv2d(cin, cout, 3, { padding: 1 }));
        cin = cout;
      } else {
        this.features.append(e.kind === 'relu' ? new ReLU() : new MaxPool2x2());
      }
    }
    this.requiresGrad_(false);
    this.eval();
  }

  /** Normalised frames (N, 3, H, W) → one tap per entry of `taps`, each (N, C_tap, H/2^p, W/2^p). */
  forwardImages(x: Tensor): Tensor[] {
    const [h, w] = [x.size(2), x.size(3)];
    const min = 2 ** this.pools;
    if (h < min || w < min) {
      throw new Error(`VGG19: frames of ${h}×${w} are too small for ${this.taps.join(', ')} (${this.pools} max-pools need H, W ≥ ${min}); use larger videos or shallower layers`);
    }
    return T.tidy(() => {
      const out = new Map<number, Tensor>();
      let y = x;
      const last = Math.max(...this.tapIndices);
      for (let i = 0; i <= last; i++) {
        y = this.features.at(i).forward(y); // (N, C_i, H_i, W_i)
        if (this.tapIndices.includes(i)) out.set(i, y);
      }
      return this.tapIndices.map((i) => out.get(i)!);
    });
  }

  /** Videos (B, C, T, H, W) in [0, 1] → the taps of their B·T frames, each (B·T, C_tap, h, w). */
  forward(video: Tensor): Tensor[] {
    return T.tidy(() => this.forwardImages(preprocessVgg(video)));
  }

  /**
   * The perceptual distance Σ_taps mean((VGG(x) − VGG(y))²), a scalar (). x is the target (its
   * features are computed without grad), y the reconstruction (gradients reach y only), both
   * (B, C, T, H, W) in [0, 1].
   *
   * Normalisation (ours): the paper writes ‖VGG(x) − VGG(y)‖₂² without saying how it is
   * normalised; we take the mean over the elements of each tap (frames, channels, positions), as
   * the L1 terms of the cost are means, so the weight 0.0025 does not depend on batch size,
   * clip length or resolution, and sum over the two taps.
   */
  perceptualLoss(x: Tensor, y: Tensor): Tensor {
    if (x.shape.join() !== y.shape.join()) throw new Error(`VGG19 perceptual loss: x [${x.shape.join(', ')}] and y [${y.shape.join(', ')}] differ in shape`);
    return T.tidy(() => {
      const fx = T.noGrad(() => this.forward(x)); // per tap (B·T, C_tap, h, w), no graph
      const fy = this.forward(y); // per tap (B·T, C_tap, h, w)
      return T.stack(fy.map((f, i) => T.mseLoss(f, fx[i]!))).sum(); // ()
    });
  }
}

const CONVERT_HINT =
  "put torchvision's ImageNet VGG19 there as vgg19.safetensors: download https://download.pytorch.org/models/vgg19-dcbb9e9d.pth and convert it with\n" +
  '  python -c "import torch; from safetensors.torch import save_file; ' +
  "sd = torch.load('vgg19-dcbb9e9d.pth', map_location='cpu'); save_file({k: v.contiguous() for k, v in sd.items() if k.startswith('features.')}, 'vgg19.safetensors')\"";

/** `<dir>/vgg19.safetensors`, else `<dir>/model.safetensors` (or `dir` itself when it is a file). */
function checkpointPath(dir: string): string {
  if (existsSync(dir) && statSync(dir).isFile()) return dir;
  if (!existsSync(dir)) throw new Error(`loadVgg19: folder '${dir}' does not exist; ${CONVERT_HINT}`);
  for (const name of ['vgg19.safetensors', 'model.safetensors']) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`loadVgg19: no vgg19.safetensors or model.safetensors in '${dir}'; ${CONVERT_HINT}`);
}

/** The output channels of each needed conv, read from (and checked against) the weight shapes. */
function channelsOf(sd: Map<string, Tensor>, convs: readonly number[], path: string, taps: readonly string[]): number[] {
  const out: number[] = [];
  let cin = 3;
  for (const i of convs) {
    const [wKey, bKey] = [`features.${i}.weight`, `features.${i}.bias`];
    const w = sd.get(wKey);
    const b = sd.get(bKey);
    const need = `needed for ${taps.join(', ')}`;
    if (!w || !b) throw new Error(`loadVgg19: '${path}' has no '${w ? bKey : wKey}' (${need}), so it is not a VGG19 state dict with torchvision's keys; ${CONVERT_HINT}`);
    const ws = w.shape;
    if (ws.length !== 4 || ws[1] !== cin || ws[2] !== 3 || ws[3] !== 3) {
      throw new Error(`loadVgg19: '${path}': '${wKey}' has shape [${ws.join(', ')}], expected [C_out, ${cin}, 3, 3] (a 3×3 conv after ${cin} channels); not VGG19's layout; ${CONVERT_HINT}`);
    }
    if (b.shape.length !== 1 || b.shape[0] !== ws[0]) {
      throw new Error(`loadVgg19: '${path}': '${bKey}' has shape [${b.shape.join(', ')}], expected [${ws[0]}] (the output channels of '${wKey}'); ${CONVERT_HINT}`);
    }
    cin = ws[0]!;
    out.push(cin);
  }
  return out;
}

export interface LoadVgg19Options {
  /** Keras layer names to tap (default: the paper's block4_conv3, block5_conv4). */
  taps?: readonly string[];
}

/**
 * The frozen VGG19 feature extractor from a safetensors file with torchvision's `features.*` keys
 * (other keys, e.g. `classifier.*`, and layers deeper than the deepest tap are ignored). Leaves
 * the global random state as it was (building the layers would otherwise draw their throw-away
 * initial weights from it), so enabling the perceptual term changes no other initialisation.
 *
 * @example
 *   const vgg = loadVgg19('models/vgg19');   // reads models/vgg19/vgg19.safetensors
 *   vgg.taps;                                // ['block4_conv3', 'block5_conv4']
 */
export function loadVgg19(dir: string, opts: LoadVgg19Options = {}): Vgg19Features {
  const taps = opts.taps ?? PERCEPTUAL_TAPS;
  const convs = convIndices(Math.max(...taps.map(tapIndex)) + 1);
  const path = checkpointPath(dir);
  const { tensors } = loadTensors(path);
  const rng = T.getRngState(); // (n) uint8
  try {
    const channels = channelsOf(tensors, convs, path, taps);
    const needed = new Map(convs.flatMap((i) => ['weight', 'bias'].map((p): [string, Tensor] => [`features.${i}.${p}`, tensors.get(`features.${i}.${p}`)!])));
    const model = new Vgg19Features(channels, taps);
    try {
      model.loadStateDict(needed);
    } catch (err) {
      model.dispose();
      throw new Error(`loadVgg19: '${path}' does not match VGG19: ${(err as Error).message}`);
    }
    return model;
  } finally {
    T.setRngState(rng);
    rng.dispose();
    for (const t of tensors.values()) t.dispose();
  }
}
