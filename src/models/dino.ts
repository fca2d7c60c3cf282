/**
 * DINO ViT (Caron et al. 2021, "Emerging Properties in Self-Supervised Vision Transformers",
 * https://arxiv.org/abs/2104.14294) — the ViT of Dosovitskiy et al. 2021 (eq. 1–4) — in the layout
 * of HF `ViTModel` (`facebook/dino-vitb16`): the frame feature of VBench's subject_consistency
 * (metrics.md §2). Keys:
 *   embeddings.cls_token (1, 1, D), embeddings.position_embeddings (1, 1 + N, D),
 *   embeddings.patch_embeddings.projection.{weight (D, 3, P, P), bias}
 *   encoder.layer.i.{layernorm_before, attention.attention.{query,key,value}, attention.output.dense,
 *                    layernorm_after, intermediate.dense, output.dense}
 *   layernorm
 * Pre-LN blocks: z ← z + MSA(LN(z)); z ← z + MLP(LN(z)) with exact GELU; the feature is the
 * class token after the final LayerNorm (as DINO's `model(x)` and HF's last_hidden_state[:, 0]).
 *
 * Inputs other than the configured image size interpolate the patch position embeddings as HF's
 * `ViTEmbeddings.interpolate_pos_encoding`: the √N×√N grid resized to (H/P)×(W/P), bicubic,
 * align_corners=False (size-based; the original DINO repo used scale factors with a +0.1 offset,
 * which can differ in the last digits).
 *
 * Preprocessing (VBench `dino_transform`): shorter side resized to 224 (bilinear, antialiased,
 * longer side int(224·long/short), rounded back to 8-bit as torchvision does on uint8 tensors),
 * no crop, /255, ImageNet mean (0.485, 0.456, 0.406) / std (0.229, 0.224, 0.225).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Conv2d, LayerNorm, Linear, Module, ModuleList } from '../nn/index.js';
import { loadTensors } from '../io/tensors.js';
import { clipResizeSize } from '../clip/preprocess.js';
import { imagenetNormalize } from './blocks/imagenet-norm.js';
import type { FrameEncoder } from '../metrics/types.js';

/** The fields of HF's ViTConfig this model reads (config.json). */
export interface ViTConfig {
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  image_size: number;
  patch_size: number;
  num_channels: number;
  layer_norm_eps: number;
  qkv_bias: boolean;
  hidden_act: string;
}

/** ViT-B/16 as `facebook/dino-vitb16`'s config.json. */
export const DINO_VITB16_CONFIG: ViTConfig = {
  hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, image_size: 224,
  patch_size: 16, num_channels: 3, layer_norm_eps: 1e-6, qkv_bias: true, hidden_act: 'gelu',
};

export { IMAGENET_MEAN, IMAGENET_STD } from './blocks/imagenet-norm.js';

/** A module holding one `dense` Linear (HF's ViTSelfOutput / ViTIntermediate / ViTOutput keys). */
class Dense extends Module {
  readonly dense: Linear;
  constructor(inF: number, outF: number) {
    super();
    this.dense = this.registerModule('dense', new Linear(inF, outF));
  }
}

/** HF `ViTSelfAttention`: query, key, value projections. */
class SelfAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  constructor(readonly dim: number, readonly heads: number, bias: boolean) {
    super();
    this.query = this.registerModule('query', new Linear(dim, dim, { bias }));
    this.key = this.registerModule('key', new Linear(dim, dim, { bias }));
    this.value = this.registerModule('value', new Linear(dim, dim, { bias }));
  }

  /** x (B, L, D) → (B, L, D): softmax(Q Kᵀ/√d_h) V per head, heads merged. */
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      const split = (t: Tensor): Tensor => T.rearrange(t, 'b l (h d) -> b h l d', { h: this.heads }); // (B, h, L, d_h)
      const o = T.scaledDotProductAttention(split(this.query.forward(x)), split(this.key.forward(x)), split(this.value.forward(x))); // (B, h, L, d_h)
      return T.rearrange(o, 'b h l d -> b l (h d)'); // (B, L, D)
    });
  }
}

/** HF `ViTAttention`: `attention` (self-attention) then `output.dense`. */
class Attention extends Module {
  readonly attention: SelfAttention;
  readonly output: Dense;
  constructor(c: ViTConfig) {
    super();
    this.attention = this.registerModule('attention', new SelfAttention(c.hidden_size, c.num_attention_heads, c.qkv_bias));
    this.output = this.registerModule('output', new Dense(c.hidden_size, c.hidden_size));
  }
  forward(x: Tensor): Tensor {
    return T.tidy(() => this.output.dense.forward(this.attention.forward(x))); // (B, L, D)
  }
}

/** HF `ViTLayer` (pre-LN transformer block). */
class Block extends Module {
  readonly attention: Attention;
  readonly intermediate: Dense;
  readonly output: Dense;
  readonly layernorm_before: LayerNorm;
  readonly layernorm_after: LayerNorm;
  constructor(c: ViTConfig) {
    super();
    this.attention = this.registerModule('attention', new Attention(c));
    this.intermediate = this.registerModule('intermediate', new Dense(c.hidden_size, c.intermediate_size));
    this.output = this.registerModule('output', new Dense(c.intermediate_size, c.hidden_size));
    this.layernorm_before = this.registerModule('layernorm_before', new LayerNorm(c.hidden_size, { eps: c.layer_norm_eps }));
    this.layernorm_after = this.registerModule('layernorm_after', new LayerNorm(c.hidden_size, { eps: c.layer_norm_eps }));
  }

  /** z (B, L, D) → (B, L, D). */
  forward(z: Tensor): Tensor {
    return T.tidy(() => {
      const h = z.add(this.attention.forward(this.layernorm_before.forward(z))); // (B, L, D)
      const m = this.output.dense.forward(T.gelu(this.intermediate.dense.forward(this.layernorm_after.forward(h)))); // (B, L, D)
      return h.add(m);
    });
  }
}

/** HF `ViTPatchEmbeddings`: a P×P, stride-P convolution named `projection`. */
class PatchEmbeddings extends Module {
  readonly projection: Conv2d;
  constructor(c: ViTConfig) {
    super();
    this.projection = this.registerModule('projection', new Conv2d(c.num_channels, c.hidden_size, c.patch_size, { stride: c.patch_size }));
  }
}

/**
 * The position embeddings for an (H/P)×(W/P) patch grid: (1, 1 + N, D) → (1, 1 + h·w, D), as HF's
 * `interpolate_pos_encoding` (unchanged when the count matches and the image is square).
 */
export function interpolatePositions(pos: Tensor, h: number, w: number, square: boolean): Tensor {
  const n = pos.size(1) - 1;
  const d = pos.size(2);
  if (n === h * w && square) return T.tidy(() => pos.clone()); // (1, 1 + N, D)
  const side = Math.round(Math.sqrt(n));
  if (side * side !== n) throw new Error(`DINO: ${n} position embeddings do not form a square grid`);
  return T.tidy(() => {
    const grid = pos.narrow(1, 1, n).reshape([1, side, side, d]).permute([0, 3, 1, 2]); // (1, D, √N, √N)
    const resized = T.interpolate(grid, [h, w], 'bicubic', { alignCorners: false }); // (1, D, h, w)
    return T.cat([pos.narrow(1, 0, 1), resized.permute([0, 2, 3, 1]).reshape([1, h * w, d])], { dim: 1 }); // (1, 1 + h·w, D)
  });
}

class Embeddings extends Module {
  readonly patch_embeddings: PatchEmbeddings;
  constructor(readonly config: ViTConfig) {
    super();
    const n = (config.image_size / config.patch_size) ** 2;
    this.registerParameter('cls_token', T.zeros([1, 1, config.hidden_size])); // (1, 1, D)
    this.registerParameter('position_embeddings', T.tidy(() => T.randn([1, n + 1, config.hidden_size]).mulScalar(0.02))); // (1, 1 + N, D)
    this.patch_embeddings = this.registerModule('patch_embeddings', new PatchEmbeddings(config));
  }

  /** pixels (B, C, H, W) → tokens (B, 1 + (H/P)(W/P), D). */
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      const [b, , hh, ww] = x.shape as [number, number, number, number];
      const patches = this.patch_embeddings.projection.forward(x); // (B, D, h, w)
      const [h, w] = [patches.size(2), patches.size(3)];
      const tokens = patches.flatten({ startDim: 2 }).transpose(1, 2); // (B, h·w, D)
      const cls = this.param('cls_token').expand([b, 1, this.config.hidden_size]); // (B, 1, D)
      const pos = interpolatePositions(this.param('position_embeddings'), h, w, hh === ww); // (1, 1 + h·w, D)
      return T.cat([cls, tokens], { dim: 1 }).add(pos); // (B, 1 + h·w, D)
    });
  }
}

/**
 * HF `ViTModel` without the pooler; `forward` gives the class token after the final LayerNorm.
 *
 * @example
 *   const vit = new DinoViT(DINO_VITB16_CONFIG).eval();
 *   T.tidy(() => vit.forward(T.zeros([2, 3, 224, 298]))).shape;   // [2, 768]
 */
export class DinoViT extends Module {
  readonly embeddings: Embeddings;
  readonly encoder: Module;
  readonly layers: ModuleList<Block>;
  readonly layernorm: LayerNorm;

  constructor(readonly config: ViTConfig) {
    super();
    if (config.hidden_size % config.num_attention_heads !== 0) {
      throw new Error(`DINO: hidden_size ${config.hidden_size} is not divisible by num_attention_heads ${config.num_attention_heads}`);
    }
    if (config.hidden_act !== 'gelu') throw new Error(`DINO: hidden_act '${config.hidden_act}' is not supported (only 'gelu', as facebook/dino-vitb16)`);
    this.embeddings = this.registerModule('embeddings', new Embeddings(config));
    this.encoder = this.registerModule('encoder', new Module());
    this.layers = this.encoder.registerModule('layer', new ModuleList(Array.from({ length: config.num_hidden_layers }, () => new Block(config))));
    this.layernorm = this.registerModule('layernorm', new LayerNorm(config.hidden_size, { eps: config.layer_norm_eps }));
  }

  /** Normalised pixels (B, C, H, W) → class-token features (B, D). */
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      let z = this.embeddings.forward(x); // (B, 1 + h·w, D)
      for (const layer of this.layers) z = layer.forward(z); // (B, 1 + h·w, D)
      return this.layernorm.forward(z.select(1, 0)); // (B, D)
    });
  }
}

/** DINO frames: uint8 (N, H, W, 3) → float32 (N, 3, h, w), shorter side `size` (VBench `dino_transform`). */
export function preprocessDino(frames: Tensor, size = 224): Tensor {
  const s = frames.shape;
  if (s.length !== 4 || s[3] !== 3 || frames.dtype !== 'uint8') throw new Error(`DINO: expected uint8 frames (N, H, W, 3), got ${frames.dtype} [${s.join(', ')}]`);
  const [h, w] = [s[1]!, s[2]!];
  const [rh, rw] = clipResizeSize(h, w, size);
  return T.tidy(() => {
    let x = frames.permute([0, 3, 1, 2]).toDType('float32'); // (N, 3, H, W) 0..255
    if (rh !== h || rw !== w) x = T.interpolate(x, [rh, rw], 'bilinear', { antialias: true }).round().clamp({ min: 0, max: 255 }); // (N, 3, rh, rw)
    return imagenetNormalize(x.divScalar(255)).contiguous(); // (N, 3, rh, rw)
  });
}

/** The subject-consistency extractor: DINO class tokens of frames. Owns its model (`dispose()`). */
export class DinoFrameEncoder implements FrameEncoder {
  readonly name: string;
  constructor(readonly model: DinoViT, readonly device = 'cpu', readonly batch = 16) {
    const c = model.config;
    this.name = c.hidden_size === 768 && c.num_hidden_layers === 12 && c.patch_size === 16 ? 'dino-vitb16' : `dino-vit-${c.hidden_size}x${c.num_hidden_layers}-p${c.patch_size}`;
    model.eval();
  }

  /** frames (N, H, W, 3) uint8 → class tokens (N, D) float32 on the CPU. */
  encodeFrames(frames: Tensor): Tensor {
    return T.tidy(() =>
      T.noGrad(() => {
        const parts: Tensor[] = [];
        for (let s = 0; s < frames.size(0); s += this.batch) {
          const chunk = frames.narrow(0, s, Math.min(this.batch, frames.size(0) - s)).to(this.device); // (n, H, W, 3)
          parts.push(this.model.forward(preprocessDino(chunk)).to('cpu')); // (n, D)
        }
        return T.cat(parts, { dim: 0 }); // (N, D)
      }),
    );
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Read config.json: HF's ViTConfig fields, with ViTConfig's defaults for the optional ones. */
function readConfig(path: string): ViTConfig {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<ViTConfig>;
  const c: ViTConfig = { ...DINO_VITB16_CONFIG, layer_norm_eps: 1e-12, ...raw };
  for (const k of ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'image_size', 'patch_size', 'num_channels'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`loadDino: ${path}: '${k}' must be a positive integer, got ${String(c[k])}`);
  }
  return c;
}

const DOWNLOAD_HINT = "download facebook/dino-vitb16's config.json and model.safetensors (e.g. `huggingface-cli download facebook/dino-vitb16 config.json model.safetensors --local-dir DIR`)";

export interface LoadDinoOptions {
  /** Device for the model and its computation (default: 'cuda' when available, else 'cpu'). */
  device?: string;
}

/**
 * DINO from an HF folder (config.json + model.safetensors). Keys may carry a `vit.` prefix
 * (ViTForImageClassification); pooler / classifier weights are ignored.
 *
 * @example
 *   const dino = await loadDino('models/dino-vitb16');
 *   dino.name;                                      // 'dino-vitb16'
 *   dino.encodeFrames(frames).shape;                 // [N, 768] for frames (N, H, W, 3) uint8
 */
export async function loadDino(dir: string, opts: LoadDinoOptions = {}): Promise<FrameEncoder & { dispose(): void }> {
  const cfgPath = join(dir, 'config.json');
  const wPath = join(dir, 'model.safetensors');
  for (const p of [cfgPath, wPath]) if (!existsSync(p)) throw new Error(`loadDino: '${p}' not found; ${DOWNLOAD_HINT}`);
  const config = readConfig(cfgPath);
  const raw = loadTensors(wPath).tensors;
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of raw) {
    const key = k.startsWith('vit.') ? k.slice(4) : k;
    if (key.startsWith('pooler.') || key.startsWith('classifier.')) t.dispose();
    else tensors.set(key, t);
  }
  const model = new DinoViT(config);
  try {
    model.loadStateDict(tensors);
  } catch (err) {
    model.dispose();
    throw new Error(`loadDino: ${wPath} does not match config.json: ${(err as Error).message}`);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  const device = opts.device ?? (T.cudaAvailable() ? 'cuda' : 'cpu');
  return new DinoFrameEncoder(model.to(device), device);
}
