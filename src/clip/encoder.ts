/**
 * CLIP as the metrics' frame and text encoder (`FrameEncoder & TextEncoder`, metrics.md §1):
 * uint8 frames → CLIP preprocessing (shorter side 224 bicubic, centre crop, normalise) → image
 * tower → `visual_projection`; texts → CLIP BPE tokenizer → text tower → `text_projection`.
 * Embeddings are projected and NOT normalised (callers take cosines).
 *
 * Work runs without autograd in chunks (default 64 frames / 256 texts) so memory stays bounded.
 * Texts are cut to the longest tokenized row of each chunk before the text tower: with causal
 * attention and EOS pooling the padding after EOS never changes the result (text.ts), and short
 * captions cost a fraction of 77 positions.
 */
import { basename, resolve } from 'node:path';
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { FrameEncoder, TextEncoder } from '../metrics/types.js';
import { clipModelName } from './config.js';
import { ClipModel, checkClipFolder } from './model.js';
import { preprocessClipImages } from './preprocess.js';
import { ClipTokenizer } from './tokenizer.js';

export interface ClipEncoderOptions {
  /** Name recorded with results (default from the config, e.g. 'clip-vit-b32'). */
  name?: string;
  /** Frames per image-tower batch (default 64). */
  frameBatch?: number;
  /** Texts per text-tower batch (default 256). */
  textBatch?: number;
  /** Cut texts longer than the context to it, ending with <|endoftext|> (default false: throw). */
  truncate?: boolean;
}

/**
 * @example
 *   const clip = await loadClipEncoder('/models/clip-vit-base-patch32');
 *   clip.name;                                                   // 'clip-vit-b32'
 *   const img = clip.encodeFrames(video);                        // (T, H, W, 3) uint8 → (T, 512)
 *   const txt = clip.encodeTexts(['a digit moving up']);         // (1, 512)
 *   clip.dispose();
 */
export class ClipEncoder implements FrameEncoder, TextEncoder {
  readonly name: string;
  readonly #frameBatch: number;
  readonly #textBatch: number;
  readonly #truncate: boolean;

  /** The encoder takes ownership of `model` (freed by {@link dispose}). */
  constructor(readonly model: ClipModel, readonly tokenizer: ClipTokenizer, opts: ClipEncoderOptions = {}) {
    this.name = opts.name ?? clipModelName(model.config, 'clip');
    this.#frameBatch = positiveInt(opts.frameBatch ?? 64, 'frameBatch');
    this.#textBatch = positiveInt(opts.textBatch ?? 256, 'textBatch');
    this.#truncate = opts.truncate ?? false;
    const text = model.config.text;
    if (!text.legacyEosPooling && text.eosTokenId !== tokenizer.eosId) {
      throw new Error(
        `CLIP: config.json's text_config.eos_token_id (${text.eosTokenId}) is not the tokenizer's <|endoftext|> id ` +
          `(${tokenizer.eosId}); vocab.json and config.json come from different models`,
      );
    }
  }

  /** Projected embedding width P. */
  get dim(): number {
    return this.model.config.projectionDim;
  }

  /** frames (N, H, W, C) uint8 RGB (C = 3) or gray (C = 1, repeated) → (N, P) float32, not normalised. */
  encodeFrames(frames: Tensor): Tensor {
    const [N, H, W, C] = frames.shape as [number, number, number, number];
    if (frames.ndim !== 4 || frames.dtype !== 'uint8' || (C !== 3 && C !== 1)) {
      throw new Error(
        `${this.name}.encodeFrames: expected uint8 frames (N, H, W, 3) or (N, H, W, 1), got ${frames.dtype} [${frames.shape.join(', ')}]`,
      );
    }
    const size = this.model.config.vision.imageSize;
    return this.#chunked(N, this.#frameBatch, (start, n) => {
      const chunk = frames.narrow(0, start, n); // (n, H, W, C)
      const rgb = C === 3 ? chunk : chunk.expand([n, H, W, 3]); // (n, H, W, 3)
      return this.model.encodeImage(preprocessClipImages(rgb, { size })); // (n, P)
    });
  }

  /** texts → (N, P) float32, not normalised. Longer than the context: throws unless `truncate`. */
  encodeTexts(texts: string[]): Tensor {
    const ctx = this.model.config.text.maxPositionEmbeddings;
    return this.#chunked(texts.length, this.#textBatch, (start, n) => {
      const { ids, lengths, shape } = this.tokenizer.encodeBatch(texts.slice(start, start + n), { truncate: this.#truncate, contextLength: ctx });
      const longest = Math.max(...lengths);
      const idsT = T.tensor(ids, { shape }).narrow(1, 0, longest); // (n, longest) int64
      return this.model.encodeText(idsT); // (n, P)
    });
  }

  /** Free the model's weights. */
  dispose(): void {
    this.model.dispose();
  }

  /** Run `fn` on [start, start + n) chunks without autograd; concatenate to (total, P). */
  #chunked(total: number, batch: number, fn: (start: number, n: number) => Tensor): Tensor {
    return T.noGrad(() =>
      T.tidy(() => {
        if (total === 0) return T.zeros([0, this.dim]); // (0, P)
        const parts: Tensor[] = [];
        for (let start = 0; start < total; start += batch) {
          const n = Math.min(batch, total - start);
          parts.push(T.tidy(() => fn(start, n))); // (n, P)
        }
        return parts.length === 1 ? parts[0]! : T.cat(parts, { dim: 0 }); // (total, P)
      }),
    );
  }
}

/**
 * Load a Hugging Face CLIP folder (config.json, model.safetensors, vocab.json, merges.txt) as
 * the metrics' CLIP encoder. Missing files raise one error naming them and how to get them.
 */
export async function loadClipEncoder(dir: string, opts: ClipEncoderOptions = {}): Promise<ClipEncoder> {
  checkClipFolder(dir);
  const tokenizer = ClipTokenizer.fromPretrained(dir);
  const model = ClipModel.fromPretrained(dir);
  try {
    const name = opts.name ?? clipModelName(model.config, basename(resolve(dir)));
    return new ClipEncoder(model, tokenizer, { ...opts, name });
  } catch (err) {
    model.dispose();
    throw err;
  }
}

function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`ClipEncoder: ${what} must be a positive integer, got ${v}`);
  return v;
}
