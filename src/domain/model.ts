/**
 * The domain text–video model (issue 4, part 5): a CLIP-style dual encoder (Radford et al. 2021,
 * https://arxiv.org/abs/2103.00020, §2.3 and Fig. 3) trained from scratch on one data set's
 * captioned videos. It is the study's offline evaluation model (CLIPSIM-domain, R-precision,
 * per-frame features for subject consistency) and, trained as a separate run with another seed,
 * the conditioning text encoder ({@link DomainModel.conditioner}).
 *
 *   text  → TextTower (text-tower.ts)  → pooled (B, D_t) → text_projection  (no bias) → (B, E)
 *   video → VideoTower (video-tower.ts) → pooled (B, D_v) → video_projection (no bias) → (B, E)
 *   logits = exp(logit_scale) · cos  (logit_scale = τ, learnable, init log(1/0.07), clamp 100)
 *
 * trained with the multi-positive symmetric InfoNCE of loss.ts (repeated captions in a batch are
 * positives of each other, not negatives).
 *
 * Per-frame features (`encodeFrames`, for subject_consistency): each frame is fed to the video
 * tower as a **static clip** — the frame repeated for the tower's `frames` — and projected like a
 * video. A static clip is a video the tower can read (a digit that does not move), so the feature
 * stays in the space the tower was trained in, unlike a 1-frame clip whose zero temporal padding
 * the tower never saw.
 *
 * Inputs of the metric interfaces are uint8 (…, H, W, C) with C = 1 or 3: RGB is reduced to
 * BT.601 luma for a gray model and gray repeated for an RGB one; any clip length and size is
 * brought to the tower's (frames, size, size) by picking frames and area-pooling space
 * (video-tower.ts). The model runs in eval mode once loaded (BatchNorm running statistics).
 *
 * Folder (see folder.ts): `config.json` ({@link DomainModelConfig}), `model.safetensors`
 * (keys `text.*`, `video.*`, `text_projection.weight`, `video_projection.weight`, `logit_scale` —
 * of shape (1), not CLIP's 0-d, see the constructor),
 * `vocab.json`.
 *
 * @example
 *   const model = await loadDomainModel('runs/domain-s0');
 *   model.name;                                             // 'domain:domain-s0'
 *   const t = model.encodeTexts(['digit 3 is moving up and down']);   // (1, 128)
 *   const v = model.encodeVideos(u8);                       // (B, T, H, W, C) uint8 → (B, 128)
 */
import { join } from 'node:path';
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Linear, Module } from '../nn/index.js';
import { loadTensors, saveTensors } from '../io/tensors.js';
import { writeJsonAtomic } from '../io/atomic.js';
import type { FrameEncoder, TextEncoder, VideoEncoder } from '../metrics/types.js';
import type { TextConditioner } from '../models/conditioning.js';
import { TextTower, type TextTowerConfig } from './text-tower.js';
import { VideoTower, videosFromU8, type VideoTowerConfig } from './video-tower.js';
import { clipLogits, multiPositiveInfoNCE, positiveMask } from './loss.js';
import { Vocab } from './vocab.js';
import { folderName, readConfig, requireFiles } from './folder.js';

export const DOMAIN_MODEL_FORMAT = 't2vlab-domain-model';
const FILES = ['config.json', 'model.safetensors', 'vocab.json'] as const;
/** Videos (or static frame clips) per forward pass when encoding without grad. */
const CHUNK = 64;

export interface DomainArch {
  text: TextTowerConfig;
  video: VideoTowerConfig;
  /** Joint embedding width E. */
  embedDim: number;
}

/** What the model was trained on (the data set's manifest fields). */
export interface DatasetInfo {
  name: string;
  dir: string;
  frames: number;
  height: number;
  width: number;
  channels: number;
}

/** `config.json` of a domain model folder. */
export interface DomainModelConfig {
  format: typeof DOMAIN_MODEL_FORMAT;
  version: 1;
  arch: DomainArch;
  vocabSize: number;
  dataset: DatasetInfo;
  seed: number;
  preset: string;
  /** Training figures: seconds, epochs, steps, threads, final loss, ... */
  train: Record<string, unknown>;
  /** Test-split figures on real videos, e.g. { r1, r5, candidates, videos }. */
  test: Record<string, number>;
}

export class DomainModel extends Module implements FrameEncoder, TextEncoder, VideoEncoder {
  readonly text: TextTower;
  readonly video: VideoTower;
  readonly textProjection: Linear;
  readonly videoProjection: Linear;
  /** The folder's config.json once loaded (or saved); null for a fresh model. */
  config: DomainModelConfig | null = null;

  constructor(
    readonly vocab: Vocab,
    readonly arch: DomainArch,
    /** `domain:<folder basename>` once loaded. */
    public name = 'domain',
  ) {
    super();
    this.text = this.registerModule('text', new TextTower(vocab, arch.text));
    this.video = this.registerModule('video', new VideoTower(arch.video));
    this.textProjection = this.registerModule('text_projection', new Linear(this.text.dim, arch.embedDim, { bias: false }));
    this.videoProjection = this.registerModule('video_projection', new Linear(this.video.dim, arch.embedDim, { bias: false }));
    // (1) rather than CLIP's 0-d: the shared Adam promotes a 0-d float32 parameter's update to
    // float64 (its 0-d float64 bias-correction divisor wins type promotion between 0-d tensors).
    this.registerParameter('logit_scale', T.full([1], Math.log(1 / 0.07))); // (1) τ
  }

  get logitScale(): Tensor {
    return this.param('logit_scale');
  }

  /** Channels the video tower reads. */
  get channels(): 1 | 3 {
    return this.arch.video.inputChannels;
  }

  // ---- with grad (training) -------------------------------------------------------------

  /** texts → (N, E), unnormalised. */
  embedTexts(texts: string[]): Tensor {
    return T.tidy(() => {
      const { ids, mask } = this.text.tokenize(texts);
      return this.textProjection.forward(this.text.forward(ids, mask).pooled); // (N, E)
    });
  }

  /** x (B, C, T, H, W) float in [0, 1] → (B, E), unnormalised. */
  embedVideos(x: Tensor): Tensor {
    return T.tidy(() => this.videoProjection.forward(this.video.forward(x))); // (B, E)
  }

  /**
   * The training loss of a batch: videos (B, C, T, H, W) in [0, 1] and their captions. Each
   * distinct caption is encoded once and gathered back to B rows.
   */
  loss(videos: Tensor, captions: string[]): Tensor {
    return T.tidy(() => {
      const unique = [...new Set(captions)];
      const row = new Map(unique.map((c, i) => [c, i]));
      const index = T.tensor(Int32Array.from(captions, (c) => row.get(c)!), { dtype: 'int32' }).long(); // (B)
      const t = this.embedTexts(unique).indexSelect(0, index); // (B, E)
      const v = this.embedVideos(videos); // (B, E)
      return multiPositiveInfoNCE(clipLogits(v, t, this.logitScale), positiveMask(captions)); // ()
    });
  }

  // ---- metric interfaces (no grad) ---------------------------------------------------------

  /** {@link TextEncoder}: texts → (N, E) float32, not normalised. */
  encodeTexts(texts: string[]): Tensor {
    return T.tidy(() => T.noGrad(() => {
      const out: Tensor[] = [];
      for (let i = 0; i < texts.length; i += 256) out.push(this.embedTexts(texts.slice(i, i + 256))); // (n, E)
      return out.length === 1 ? out[0]! : T.cat(out, { dim: 0 }); // (N, E)
    }));
  }

  /** {@link VideoEncoder}: uint8 (B, T, H, W, C), C = 1 or 3 → (B, E) float32. */
  encodeVideos(videos: Tensor): Tensor {
    return this.#chunked(videos, (u8) => this.embedVideos(videosFromU8(u8, this.channels))); // (B, E)
  }

  /** {@link FrameEncoder}: uint8 (N, H, W, C) → (N, E); each frame as a static clip. */
  encodeFrames(frames: Tensor): Tensor {
    if (frames.ndim !== 4) throw new RangeError(`encodeFrames: expected uint8 frames (N, H, W, C), got [${frames.shape.join(', ')}]`);
    const { frames: F, size: S } = this.arch.video;
    return this.#chunked(frames, (u8) => {
      const x = videosFromU8(u8.unsqueeze(1), this.channels); // (n, C, 1, H, W)
      const still = T.adaptiveAvgPool3d(x, [1, S, S]); // (n, C, 1, S, S)
      const clip = still.expand([still.size(0), still.size(1), F, S, S]).contiguous(); // (n, C, F, S, S)
      return this.embedVideos(clip); // (n, E)
    });
  }

  /** Run `fn` without grad over chunks of the first dimension and concatenate. */
  #chunked(x: Tensor, fn: (chunk: Tensor) => Tensor): Tensor {
    return T.tidy(() => T.noGrad(() => {
      const n = x.size(0);
      const out: Tensor[] = [];
      for (let i = 0; i < n; i += CHUNK) out.push(T.tidy(() => fn(x.narrow(0, i, Math.min(CHUNK, n - i))))); // (n_i, E)
      return out.length === 1 ? out[0]! : T.cat(out, { dim: 0 }); // (N, E)
    }));
  }

  /** The text tower as the generators' frozen conditioning encoder (name 'domain-text:<folder>'). */
  conditioner(): TextConditioner {
    return this.text;
  }

  // ---- folder ------------------------------------------------------------------------------

  /** Write model.safetensors and vocab.json, then config.json last (each atomically). */
  save(dir: string, config: Omit<DomainModelConfig, 'format' | 'version' | 'arch' | 'vocabSize'>): DomainModelConfig {
    const sd = this.stateDict(); // owned copies of the handles
    try {
      saveTensors(join(dir, 'model.safetensors'), sd, { format: 'pt' });
    } finally {
      for (const t of sd.values()) t.dispose();
    }
    this.vocab.save(join(dir, 'vocab.json'));
    const full: DomainModelConfig = { format: DOMAIN_MODEL_FORMAT, version: 1, arch: this.arch, vocabSize: this.vocab.size, ...config };
    writeJsonAtomic(join(dir, 'config.json'), full);
    this.config = full;
    return full;
  }
}

/**
 * Load a domain model folder written by `t2v train domain`; `name` becomes
 * `domain:<folder basename>` and the conditioner's `domain-text:<folder basename>`. The model is in
 * eval mode; dispose it when done.
 */
export async function loadDomainModel(dir: string): Promise<DomainModel> {
  return loadDomainModelSync(dir);
}

/** {@link loadDomainModel} for synchronous callers (a training task's constructor). */
export function loadDomainModelSync(dir: string): DomainModel {
  requireFiles(dir, FILES, 'domain model', `t2v train domain --data DATA_DIR --out ${dir}`);
  const config = readConfig<DomainModelConfig>(dir, DOMAIN_MODEL_FORMAT);
  const vocab = Vocab.load(join(dir, 'vocab.json'));
  if (vocab.size !== config.vocabSize) throw new Error(`'${dir}': vocab.json has ${vocab.size} tokens but config.json says ${config.vocabSize}; the folder is damaged: train it again`);
  const base = folderName(dir);
  const model = new DomainModel(vocab, config.arch, `domain:${base}`);
  model.text.name = `domain-text:${base}`;
  const { tensors } = loadTensors(join(dir, 'model.safetensors'));
  try {
    model.loadStateDict(tensors);
  } catch (err) {
    model.dispose();
    throw new Error(`'${join(dir, 'model.safetensors')}' does not match its config.json: ${(err as Error).message}`);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  model.eval();
  model.config = config;
  return model;
}
