/**
 * CLIP (Radford et al. 2021, "Learning Transferable Visual Models From Natural Language
 * Supervision", Fig. 3 pseudocode): an image tower and a text tower, each followed by a linear
 * projection (no bias) into a shared space; similarity logits are the cosines scaled by
 * exp(logit_scale):
 *
 *   I_e = visual_projection(vision_model(pixels))        (B, P)
 *   T_e = text_projection(text_model(ids))               (N, P)
 *   logits_per_image = exp(t) · norm(I_e) · norm(T_e)ᵀ   (B, N);  logits_per_text = its transpose
 *
 * Module names and state-dict keys are those of Hugging Face's `CLIPModel`
 * (`modeling_clip.py`): `text_model.*`, `vision_model.*`, `visual_projection.weight`,
 * `text_projection.weight`, `logit_scale`, so `model.safetensors` of any HF CLIP folder loads
 * strictly with {@link ClipModel.fromPretrained}.
 *
 * Unlike HF's `CLIPOutput` (whose `image_embeds` / `text_embeds` are L2-normalised),
 * {@link ClipOutput} returns the projected embeddings *before* normalisation, as OpenAI's
 * `encode_image` / `encode_text` and the project's clip-tiny fixture; normalise them to compare.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Linear, Module } from '../nn/index.js';
import { SafetensorsFile } from '../io/safetensors.js';
import { rawToTensor } from '../io/tensors.js';
import { readClipConfig, type ClipConfig } from './config.js';
import { ClipTextTransformer } from './text.js';
import { ClipVisionTransformer } from './vision.js';

/** Checkpoint entries that are not parameters and are safe to skip (old HF files persist these buffers). */
export const CLIP_IGNORED_KEYS: ReadonlySet<string> = new Set([
  'text_model.embeddings.position_ids',
  'vision_model.embeddings.position_ids',
]);

/** The files of a Hugging Face CLIP folder that t2vlab reads. */
export const CLIP_FILES = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'] as const;

/** How to get a CLIP folder: repeated in every missing-file error. */
export function clipDownloadHint(dir: string): string {
  return (
    `download ${CLIP_FILES.join(', ')} of a Hugging Face CLIP model (e.g. openai/clip-vit-base-patch32) into ${dir} ` +
    `on a machine with network access, e.g. \`huggingface-cli download openai/clip-vit-base-patch32 ${CLIP_FILES.join(' ')} ` +
    `--local-dir ${dir}\`; t2vlab never downloads`
  );
}

/** The one-line conversion of a PyTorch-pickle checkpoint to safetensors. */
export function convertBinHint(dir: string): string {
  const bin = join(dir, 'pytorch_model.bin');
  const out = join(dir, 'model.safetensors');
  return (
    `${dir} has pytorch_model.bin but no model.safetensors; t2vlab reads only safetensors (pickles can run code). Convert it once with ` +
    `python -c "import torch; from safetensors.torch import save_file; sd = torch.load('${bin}', map_location='cpu'); ` +
    `save_file({k: v.contiguous() for k, v in sd.items()}, '${out}', metadata={'format': 'pt'})"`
  );
}

/**
 * Throw one error naming every file of `files` missing from `dir` and how to obtain it (a
 * pickle-only folder gets the conversion command instead).
 */
export function checkClipFolder(dir: string, files: readonly string[] = CLIP_FILES): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`CLIP: model folder ${dir} does not exist; ${clipDownloadHint(dir)}`);
  }
  const missing = files.filter((f) => !existsSync(join(dir, f)));
  if (missing.length === 0) return;
  if (missing.includes('model.safetensors') && existsSync(join(dir, 'pytorch_model.bin'))) {
    throw new Error(`CLIP: ${convertBinHint(dir)}`);
  }
  throw new Error(`CLIP: ${missing.join(', ')} not found in ${dir}; ${clipDownloadHint(dir)}`);
}

/** What {@link ClipModel.forward} returns; every tensor is owned by the caller. */
export interface ClipOutput {
  /** Projected, NOT normalised: (B, P). */
  imageEmbeds: Tensor;
  /** Projected, NOT normalised: (N, P). */
  textEmbeds: Tensor;
  /** exp(logit_scale) · cos: (B, N). */
  logitsPerImage: Tensor;
  /** (N, B). */
  logitsPerText: Tensor;
}

/**
 * @example
 *   const clip = ClipModel.fromPretrained('/models/clip-vit-base-patch32');
 *   const px = preprocessClipImages(frames);                      // (B, 3, 224, 224)
 *   const { ids, shape } = ClipTokenizer.fromPretrained(dir).encodeBatch(['a cat', 'a dog']);
 *   const out = T.noGrad(() => clip.forward(T.tensor(ids, { shape }), px));
 *   out.logitsPerImage.shape;                                      // [B, 2]
 *   clip.numParameters();                                          // 151277313
 */
export class ClipModel extends Module {
  readonly textModel: ClipTextTransformer;
  readonly visionModel: ClipVisionTransformer;
  readonly visualProjection: Linear;
  readonly textProjection: Linear;

  /** A randomly initialised CLIP of this shape (load weights with {@link loadSafetensors}). */
  constructor(readonly config: ClipConfig) {
    super();
    const P = config.projectionDim;
    this.textModel = this.registerModule('text_model', new ClipTextTransformer(config.text));
    this.visionModel = this.registerModule('vision_model', new ClipVisionTransformer(config.vision));
    this.visualProjection = this.registerModule('visual_projection', new Linear(config.vision.hiddenSize, P, { bias: false }));
    this.textProjection = this.registerModule('text_projection', new Linear(config.text.hiddenSize, P, { bias: false }));
    this.registerParameter('logit_scale', T.scalar(config.logitScaleInitValue)); // ()
  }

  /**
   * Load a Hugging Face CLIP folder: `config.json` and `model.safetensors` (strict: every
   * parameter present with its shape, no unknown entries besides {@link CLIP_IGNORED_KEYS};
   * float16/bfloat16 weights are converted to float32). The model is in eval mode.
   */
  static fromPretrained(dir: string, opts: { device?: string } = {}): ClipModel {
    checkClipFolder(dir, ['config.json', 'model.safetensors']);
    const model = new ClipModel(readClipConfig(join(dir, 'config.json')));
    try {
      model.loadSafetensors(join(dir, 'model.safetensors'));
      if (opts.device && opts.device !== 'cpu') model.to(opts.device);
    } catch (err) {
      model.dispose();
      throw err;
    }
    return model.eval();
  }

  get logitScale(): Tensor {
    return this.param('logit_scale');
  }

  /**
   * Copy the weights of an HF CLIP `model.safetensors` into this model, one tensor at a time.
   * Everything is checked before anything is copied: missing and unexpected keys and shape
   * mismatches are reported together.
   */
  loadSafetensors(path: string): void {
    using f = SafetensorsFile.open(path);
    const params = this.namedParameters();
    const problems: string[] = [];
    const missing = [...params.keys()].filter((k) => !f.has(k));
    const unexpected = f.keys().filter((k) => !params.has(k) && !CLIP_IGNORED_KEYS.has(k));
    if (missing.length > 0) problems.push(`missing: ${missing.join(', ')}`);
    if (unexpected.length > 0) problems.push(`unexpected: ${unexpected.join(', ')}`);
    for (const [k, p] of params) {
      if (!f.has(k)) continue;
      const e = f.entry(k);
      if (e.shape.join(',') !== p.shape.join(',')) problems.push(`${k}: shape [${e.shape.join(', ')}] in the file, [${p.shape.join(', ')}] in the model`);
      if (!['F32', 'F16', 'BF16', 'F64'].includes(e.dtype)) problems.push(`${k}: dtype ${e.dtype} is not floating`);
    }
    if (problems.length > 0) {
      throw new Error(
        `CLIP: ${path} does not match its config.json (${problems.length} problem(s)):\n  ${problems.join('\n  ')}\n` +
          'Use the config.json and model.safetensors of the same Hugging Face CLIPModel folder.',
      );
    }
    T.noGrad(() => {
      for (const [k, p] of params) {
        using src = rawToTensor(f.read(k)); // the file's shape and dtype
        p.copy_(src);
      }
    });
  }

  /** HF `get_image_features`: pixels (B, C, S, S) → projected (B, P), not normalised. */
  encodeImage(pixels: Tensor): Tensor {
    return T.tidy(() => this.visualProjection.forward(this.visionModel.pooled(pixels))); // (B, P)
  }

  /** HF `get_text_features`: ids (N, L) int64 → projected (N, P), not normalised. */
  encodeText(ids: Tensor): Tensor {
    return T.tidy(() => this.textProjection.forward(this.textModel.pooled(ids))); // (N, P)
  }

  /** Both towers and the scaled cosine logits (see the file header). */
  forward(inputIds: Tensor, pixelValues: Tensor): ClipOutput {
    return T.tidy(() => {
      const imageEmbeds = this.encodeImage(pixelValues); // (B, P)
      const textEmbeds = this.encodeText(inputIds); // (N, P)
      const logitsPerText = clipLogits(textEmbeds, imageEmbeds, this.logitScale); // (N, B)
      return { imageEmbeds, textEmbeds, logitsPerImage: logitsPerText.t().contiguous(), logitsPerText };
    });
  }
}

/** exp(logitScale) · cos(a_i, b_j): a (N, P), b (M, P) → (N, M). */
export function clipLogits(a: Tensor, b: Tensor, logitScale: Tensor): Tensor {
  return T.tidy(() => {
    const an = a.div(T.linalgVectorNorm(a, { dim: -1, keepdim: true })); // (N, P)
    const bn = b.div(T.linalgVectorNorm(b, { dim: -1, keepdim: true })); // (M, P)
    return an.matmul(bn.t()).mul(logitScale.exp()); // (N, M)
  });
}
