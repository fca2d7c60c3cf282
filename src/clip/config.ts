/**
 * CLIP model configuration, read from a Hugging Face `config.json` (transformers
 * `models/clip/configuration_clip.py`: `CLIPConfig`, `CLIPTextConfig`, `CLIPVisionConfig`).
 * Missing fields take HF's defaults, which describe OpenAI's ViT-B/32:
 *
 *   text:   vocab 49408, width 512, MLP 2048, 12 layers, 8 heads, 77 positions, quick_gelu,
 *           LayerNorm eps 1e-5, bos 49406, eos 49407, pad 1
 *   vision: width 768, MLP 3072, 12 layers, 12 heads, 3 channels, image 224, patch 32,
 *           quick_gelu, LayerNorm eps 1e-5
 *   model:  projection_dim 512, logit_scale_init_value 2.6592 (= ln(1/0.07))
 *
 * `text_config_dict` / `vision_config_dict` (older files, e.g. openai/clip-vit-large-patch14):
 * HF builds a complete sub-config from the dict (defaults for what it omits) and lets every one of
 * its values override `text_config` / `vision_config`; so when a dict is present it alone, with
 * defaults, decides the fields read here.
 *
 * EOS pooling (`CLIPTextTransformer.forward`): configs written before transformers PR #24773
 * carry `eos_token_id: 2`, which is not the tokenizer's `<|endoftext|>`; HF then pools at
 * `argmax(input_ids)` (the EOS id 49407 is the largest id). Any other value pools at the first
 * position equal to `eos_token_id`. See {@link ClipTextConfig.legacyEosPooling}.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Activations of HF's `ACT2FN` that CLIP checkpoints use. */
export type ClipActivation = 'quick_gelu' | 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'relu' | 'silu';
const ACTIVATIONS: readonly ClipActivation[] = ['quick_gelu', 'gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu', 'silu'];

/** Fields shared by both towers (HF names in the comments). */
export interface ClipTowerConfig {
  hiddenSize: number; // hidden_size
  intermediateSize: number; // intermediate_size
  numHiddenLayers: number; // num_hidden_layers
  numAttentionHeads: number; // num_attention_heads
  hiddenAct: ClipActivation; // hidden_act
  layerNormEps: number; // layer_norm_eps
}

export interface ClipTextConfig extends ClipTowerConfig {
  vocabSize: number; // vocab_size
  maxPositionEmbeddings: number; // max_position_embeddings
  bosTokenId: number; // bos_token_id
  eosTokenId: number; // eos_token_id
  padTokenId: number; // pad_token_id
  /** `eos_token_id == 2`: pool at argmax(input_ids) as HF does for such configs. */
  legacyEosPooling: boolean;
}

export interface ClipVisionConfig extends ClipTowerConfig {
  numChannels: number; // num_channels
  imageSize: number; // image_size
  patchSize: number; // patch_size
}

export interface ClipConfig {
  text: ClipTextConfig;
  vision: ClipVisionConfig;
  projectionDim: number; // projection_dim
  logitScaleInitValue: number; // logit_scale_init_value
}

type Json = Record<string, unknown>;

const TEXT_DEFAULTS = {
  vocab_size: 49408, hidden_size: 512, intermediate_size: 2048, num_hidden_layers: 12, num_attention_heads: 8,
  max_position_embeddings: 77, hidden_act: 'quick_gelu', layer_norm_eps: 1e-5, bos_token_id: 49406, eos_token_id: 49407,
  pad_token_id: 1,
} as const;
const VISION_DEFAULTS = {
  hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, num_channels: 3,
  image_size: 224, patch_size: 32, hidden_act: 'quick_gelu', layer_norm_eps: 1e-5,
} as const;
const MODEL_DEFAULTS = { projection_dim: 512, logit_scale_init_value: 2.6592 } as const;

/** A bad config value: says which file and field, what was found and what is allowed. */
export class ClipConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClipConfigError';
  }
}

/**
 * Parse the contents of a Hugging Face CLIP `config.json` (a `CLIPModel` folder).
 * `source` names the file in errors.
 *
 * @example
 *   const cfg = parseClipConfig({ projection_dim: 512, text_config: {}, vision_config: { patch_size: 16 } });
 *   cfg.vision.patchSize;          // 16
 *   cfg.text.hiddenSize;           // 512 (HF's default)
 *   clipParameterCount(cfg);       // 149620737, as openai/clip-vit-base-patch16
 */
export function parseClipConfig(json: unknown, source = 'config.json'): ClipConfig {
  if (!isObject(json)) throw new ClipConfigError(`${source}: expected a JSON object (a Hugging Face CLIP config.json), got ${describe(json)}`);
  const modelType = json['model_type'];
  if (modelType !== undefined && modelType !== 'clip') {
    throw new ClipConfigError(
      `${source}: model_type is ${JSON.stringify(modelType)}, expected "clip"; pass the folder of a full CLIPModel ` +
        `(e.g. openai/clip-vit-base-patch32), not a ${String(modelType)} checkpoint`,
    );
  }
  const textSrc = subConfig(json, 'text', source);
  const visionSrc = subConfig(json, 'vision', source);
  const text = parseText(textSrc, `${source}: text_config`);
  const vision = parseVision(visionSrc, `${source}: vision_config`);
  const f = new Fields(json, MODEL_DEFAULTS, source);
  return { text, vision, projectionDim: f.int('projection_dim'), logitScaleInitValue: f.finite('logit_scale_init_value') };
}

/** Read and parse `path` (a CLIP `config.json`); errors name the file. */
export function readClipConfig(path: string): ClipConfig {
  if (!existsSync(path)) throw new ClipConfigError(`${path} not found`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ClipConfigError(`${path} is not valid JSON (${(err as Error).message}); re-download config.json`);
  }
  return parseClipConfig(json, path);
}

/** `<tower>_config_dict` when present (it wins, see the file header), else `<tower>_config`, else {}. */
function subConfig(json: Json, tower: 'text' | 'vision', source: string): Json {
  for (const key of [`${tower}_config_dict`, `${tower}_config`]) {
    const v = json[key];
    if (v === undefined || v === null) continue;
    if (!isObject(v)) throw new ClipConfigError(`${source}: ${key} must be an object, got ${describe(v)}`);
    return v;
  }
  return {};
}

function parseTower(f: Fields, where: string): ClipTowerConfig {
  const hiddenSize = f.int('hidden_size');
  const numAttentionHeads = f.int('num_attention_heads');
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new ClipConfigError(`${where}: hidden_size (${hiddenSize}) must be divisible by num_attention_heads (${numAttentionHeads})`);
  }
  const act = f.raw('hidden_act');
  if (typeof act !== 'string' || !(ACTIVATIONS as readonly string[]).includes(act)) {
    throw new ClipConfigError(`${where}: hidden_act ${JSON.stringify(act)} is not supported; use one of ${ACTIVATIONS.join(', ')}`);
  }
  const layerNormEps = f.finite('layer_norm_eps');
  if (!(layerNormEps > 0)) throw new ClipConfigError(`${where}: layer_norm_eps must be > 0, got ${layerNormEps}`);
  return {
    hiddenSize, intermediateSize: f.int('intermediate_size'), numHiddenLayers: f.int('num_hidden_layers'),
    numAttentionHeads, hiddenAct: act as ClipActivation, layerNormEps,
  };
}

function parseText(src: Json, where: string): ClipTextConfig {
  const f = new Fields(src, TEXT_DEFAULTS, where);
  const eosTokenId = f.int('eos_token_id', 0);
  return {
    ...parseTower(f, where), vocabSize: f.int('vocab_size'), maxPositionEmbeddings: f.int('max_position_embeddings'),
    bosTokenId: f.int('bos_token_id', 0), eosTokenId, padTokenId: f.int('pad_token_id', 0), legacyEosPooling: eosTokenId === 2,
  };
}

function parseVision(src: Json, where: string): ClipVisionConfig {
  const f = new Fields(src, VISION_DEFAULTS, where);
  const imageSize = f.int('image_size');
  const patchSize = f.int('patch_size');
  if (patchSize > imageSize) throw new ClipConfigError(`${where}: patch_size (${patchSize}) must not exceed image_size (${imageSize})`);
  return { ...parseTower(f, where), numChannels: f.int('num_channels'), imageSize, patchSize };
}

/** Typed field access with defaults; `null` counts as absent (HF writes nulls for unset fields). */
class Fields {
  constructor(
    private readonly src: Json,
    private readonly defaults: Readonly<Record<string, number | string>>,
    private readonly where: string,
  ) {}

  raw(key: string): unknown {
    const v = this.src[key];
    return v === undefined || v === null ? this.defaults[key] : v;
  }

  /** An integer >= min (default 1). */
  int(key: string, min = 1): number {
    const v = this.raw(key);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new ClipConfigError(`${this.where}: ${key} must be an integer >= ${min}, got ${describe(v)}`);
    }
    return v;
  }

  finite(key: string): number {
    const v = this.raw(key);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ClipConfigError(`${this.where}: ${key} must be a finite number, got ${describe(v)}`);
    return v;
  }
}

/** Patches per image side, as the patch conv's output: floor(image_size / patch_size). */
export function clipGridSize(v: ClipVisionConfig): number {
  return Math.floor(v.imageSize / v.patchSize);
}

/**
 * Parameters of a `CLIPModel` with this config, from its layer shapes (buffers such as
 * `position_ids` are not parameters): per encoder layer q/k/v/out projections with biases, two
 * LayerNorms and the two-layer MLP; text embeddings + final LayerNorm; vision class token, patch
 * conv (no bias), positions (grid² + 1), pre/post LayerNorms; both projections (no bias) and
 * `logit_scale`.
 */
export function clipParameterCount(cfg: ClipConfig): number {
  const layer = (t: ClipTowerConfig): number => {
    const d = t.hiddenSize;
    const i = t.intermediateSize;
    return 4 * (d * d + d) + 2 * (2 * d) + (d * i + i) + (i * d + d);
  };
  const { text: tx, vision: vi } = cfg;
  const text = tx.vocabSize * tx.hiddenSize + tx.maxPositionEmbeddings * tx.hiddenSize + tx.numHiddenLayers * layer(tx) + 2 * tx.hiddenSize;
  const positions = clipGridSize(vi) ** 2 + 1;
  const vision =
    vi.hiddenSize + vi.numChannels * vi.patchSize ** 2 * vi.hiddenSize + positions * vi.hiddenSize + 2 * 2 * vi.hiddenSize +
    vi.numHiddenLayers * layer(vi);
  return text + vision + (vi.hiddenSize + tx.hiddenSize) * cfg.projectionDim + 1;
}

/**
 * Multiply–accumulate count ×2 (FLOPs) of one image through the vision tower and
 * `visual_projection`: patch conv, per layer the q/k/v/out projections, QKᵀ and AV, the MLP; the
 * projection of the class token. Norms, softmax and activations (O(tokens·width)) are left out.
 */
export function clipVisionFlops(cfg: ClipConfig): number {
  const v = cfg.vision;
  const d = v.hiddenSize;
  const grid = clipGridSize(v);
  const n = grid * grid + 1; // tokens
  const patch = grid * grid * v.numChannels * v.patchSize ** 2 * d;
  const layer = 4 * n * d * d + 2 * n * n * d + 2 * n * d * v.intermediateSize;
  return 2 * (patch + v.numHiddenLayers * layer + d * cfg.projectionDim);
}

/** Widths of OpenAI's ViT sizes, for names. */
const VIT_SIZES: Record<number, string> = { 768: 'b', 1024: 'l', 1280: 'h', 1408: 'g', 1664: 'bigg' };

/**
 * A short backbone name recorded with results: 'clip-vit-b32', 'clip-vit-b16', 'clip-vit-l14',
 * 'clip-vit-l14-336' (image size other than 224 is appended); `fallback` (e.g. the folder name)
 * when the vision width is not one of the ViT sizes.
 */
export function clipModelName(cfg: ClipConfig, fallback: string): string {
  const size = VIT_SIZES[cfg.vision.hiddenSize];
  if (size === undefined) return fallback;
  const res = cfg.vision.imageSize === 224 ? '' : `-${cfg.vision.imageSize}`;
  return `clip-vit-${size}${cfg.vision.patchSize}${res}`;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  return JSON.stringify(v) ?? String(v);
}
