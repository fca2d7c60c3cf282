/**
 * CLIP's image tower, a Vision Transformer (Dosovitskiy et al. 2021, eq. 1–4; Radford et al.
 * 2021 §2.4, which adds a LayerNorm before the transformer; openai/CLIP `model.py`
 * `VisionTransformer`; HF `modeling_clip.py` `CLIPVisionTransformer`):
 *
 *   1. patches: conv with kernel = stride = patch size, no bias      (B, D, g, g) → (B, g², D)
 *   2. x = [class_embedding; patches] + position_embedding            (B, g²+1, D)   (eq. 1)
 *   3. x = pre_layrnorm(x)  (HF's spelling)                           (B, g²+1, D)
 *   4. x = encoder(x), no mask                                        (B, g²+1, D)   (eq. 2–3)
 *   5. pooled = post_layernorm(x[:, 0])                               (B, D)         (eq. 4)
 *
 * The patch conv is computed as one matrix product over flattened patches, which is the same
 * sum as the strided convolution (kernel = stride, no padding), with the conv's weight viewed as
 * (D, C·p·p).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Conv2d, Embedding, LayerNorm, Module } from '../nn/index.js';
import { clipGridSize, type ClipVisionConfig } from './config.js';
import { ClipLayerStack } from './transformer.js';

/** HF `CLIPVisionEmbeddings`: `class_embedding`, `patch_embedding`, `position_embedding`. */
export class ClipVisionEmbeddings extends Module {
  readonly patchEmbedding: Conv2d;
  readonly positionEmbedding: Embedding;
  readonly grid: number;

  constructor(readonly config: ClipVisionConfig) {
    super();
    const d = config.hiddenSize;
    this.grid = clipGridSize(config);
    // HF init: N(0, D^-1/2).
    this.registerParameter('class_embedding', T.noGrad(() => T.tidy(() => T.randn([d]).mulScalar(d ** -0.5)))); // (D)
    this.patchEmbedding = this.registerModule(
      'patch_embedding',
      new Conv2d(config.numChannels, d, config.patchSize, { stride: config.patchSize, bias: false }),
    );
    this.positionEmbedding = this.registerModule('position_embedding', new Embedding(this.grid ** 2 + 1, d));
  }

  get classEmbedding(): Tensor {
    return this.param('class_embedding');
  }

  /** Steps 1–2: pixels (B, C, S, S) → tokens (B, g²+1, D). */
  forward(pixels: Tensor): Tensor {
    return T.tidy(() => {
      const { patchSize: p, numChannels: C, hiddenSize: D } = this.config;
      const g = this.grid;
      const B = pixels.size(0);
      // 1. the conv as a matmul: (B, C, g·p, g·p) → (B, g, g, C, p, p) → (B, g², C·p·p)
      const crop = pixels.size(2) === g * p ? pixels : pixels.narrow(2, 0, g * p).narrow(3, 0, g * p); // (B, C, g·p, g·p)
      const flat = crop
        .reshape([B, C, g, p, g, p])
        .permute([0, 2, 4, 1, 3, 5])
        .reshape([B, g * g, C * p * p]); // (B, g², C·p·p)
      const w = this.patchEmbedding.weight.view([D, C * p * p]); // (D, C·p·p)
      const patches = T.linear(flat, w); // (B, g², D)
      // 2. class token first, then positions
      const cls = this.classEmbedding.view([1, 1, D]).expand([B, 1, D]); // (B, 1, D)
      return T.cat([cls, patches], { dim: 1 }).add(this.positionEmbedding.weight); // (B, g²+1, D)
    });
  }
}

export interface ClipVisionOutput {
  /** Encoder output, before `post_layernorm` (as HF): (B, g²+1, D). */
  lastHiddenState: Tensor;
  /** `post_layernorm` of the class token: (B, D). */
  pooledOutput: Tensor;
}

/** HF `CLIPVisionTransformer`: `embeddings`, `pre_layrnorm`, `encoder`, `post_layernorm`. */
export class ClipVisionTransformer extends Module {
  readonly embeddings: ClipVisionEmbeddings;
  readonly preLayrnorm: LayerNorm;
  readonly encoder: ClipLayerStack;
  readonly postLayernorm: LayerNorm;

  constructor(readonly config: ClipVisionConfig) {
    super();
    const eps = config.layerNormEps;
    this.embeddings = this.registerModule('embeddings', new ClipVisionEmbeddings(config));
    this.preLayrnorm = this.registerModule('pre_layrnorm', new LayerNorm(config.hiddenSize, { eps }));
    this.encoder = this.registerModule('encoder', new ClipLayerStack(config));
    this.postLayernorm = this.registerModule('post_layernorm', new LayerNorm(config.hiddenSize, { eps }));
  }

  /** Steps 1–5: pixels (B, C, S, S) float32, CLIP-normalised → both outputs (owned by the caller). */
  forward(pixels: Tensor): ClipVisionOutput {
    return T.tidy(() => {
      const h = this.#encode(pixels); // (B, g²+1, D)
      return { lastHiddenState: h, pooledOutput: this.postLayernorm.forward(h.select(1, 0)) }; // (B, D)
    });
  }

  /** Steps 1–5, pooled only: pixels (B, C, S, S) → (B, D). */
  pooled(pixels: Tensor): Tensor {
    return T.tidy(() => this.postLayernorm.forward(this.#encode(pixels).select(1, 0))); // (B, D)
  }

  /** Steps 1–4. */
  #encode(pixels: Tensor): Tensor {
    const { numChannels: C, imageSize: S } = this.config;
    const [, c, h, w] = pixels.shape;
    if (pixels.ndim !== 4 || c !== C || h !== S || w !== S || !T.isFloating(pixels.dtype)) {
      throw new Error(
        `CLIP vision tower: pixel_values must be floating (B, ${C}, ${S}, ${S}), got ${pixels.dtype} [${pixels.shape.join(', ')}]; ` +
          'preprocess images with preprocessClipImages(frames, { size: image_size })',
      );
    }
    return T.tidy(() => {
      const px = pixels.toDType(this.embeddings.classEmbedding.dtype); // (B, C, S, S), the weights' dtype
      const x = this.preLayrnorm.forward(this.embeddings.forward(px)); // (B, g²+1, D)
      return this.encoder.forward(x, false); // (B, g²+1, D)
    });
  }
}
