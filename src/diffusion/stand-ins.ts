/**
 * Parameter-free stand-ins for the two frozen inputs of the specialised family, for tests,
 * benchmarks and smoke runs before the real autoencoders and text encoders are available:
 *
 * - `PoolAutoencoder`: encode = average pooling by (pt, ph, pw) and the affine map [0, 1] → [−1, 1],
 *   repeated `latentChannels / C` times along channels (to mimic a wide latent such as the causal
 *   VAE's 16 channels); decode = the mean over the repeats, nearest upsampling of the inverse map,
 *   clamped to [0, 1]. Latent (C·r, T/pt, H/ph, W/pw), or, with `flatten`, the vector of those values.
 * - `HashTextConditioner`: each lower-cased word gets a fixed pseudo-random vector (N(0, 1/D) from
 *   the word's hash); states = [BOS, words…] padded to the batch's longest caption, pooled = the
 *   mean of the real tokens. Different captions give different conditions; nothing is learned.
 *
 * Neither is a model of the study: results recorded with them are marked `standIn: true`.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module } from '../nn/index.js';
import type { AeArch, VideoAutoencoder } from '../models/ae/types.js';
import type { TextConditioner, TextTokens } from '../models/conditioning.js';
import { Rng } from '../data/syncdraw/rng.js';

export class PoolAutoencoder extends Module implements VideoAutoencoder {
  /** Not an architecture of the study; typed as an AeArch only to satisfy the interface. */
  readonly arch = 'pool-stand-in' as unknown as AeArch;
  readonly config: Record<string, unknown>;
  readonly factors: [number, number, number];
  readonly flatten: boolean;
  /** r: how many times each video channel is repeated in the latent. */
  readonly repeats: number;

  constructor(factors: [number, number, number] = [4, 8, 8], opts: { flatten?: boolean; repeats?: number } = {}) {
    super();
    this.factors = factors;
    this.flatten = opts.flatten ?? false;
    this.repeats = opts.repeats ?? 1;
    if (!Number.isInteger(this.repeats) || this.repeats < 1) throw new Error(`PoolAutoencoder: repeats must be a positive integer, got ${this.repeats}`);
    this.config = { standIn: true, factors: [...factors], flatten: this.flatten, repeats: this.repeats };
  }

  #pooled(input: readonly [number, number, number, number]): [number, number, number, number] {
    const [C, Tn, H, W] = input;
    const [pt, ph, pw] = this.factors;
    if (Tn % pt || H % ph || W % pw) throw new Error(`PoolAutoencoder: input (T, H, W) = (${Tn}, ${H}, ${W}) is not divisible by (${this.factors.join(', ')})`);
    return [C * this.repeats, Tn / pt, H / ph, W / pw];
  }

  latentShape(input: readonly [number, number, number, number]): number[] {
    const s = this.#pooled(input);
    return this.flatten ? [s.reduce((a, b) => a * b, 1)] : s;
  }

  /** x (B, C, T, H, W) in [0, 1] → (B, ...latentShape) in [−1, 1]. */
  encode(x: Tensor): Tensor {
    return T.tidy(() => {
      const pooled = T.avgPool3d(x, this.factors, { stride: this.factors }).mulScalar(2).addScalar(-1); // (B, C, T', H', W')
      const z = this.repeats === 1 ? pooled : pooled.repeat([1, this.repeats, 1, 1, 1]); // (B, C·r, T', H', W')
      return this.flatten ? z.flatten({ startDim: 1 }) : z; // (B, ...latentShape)
    });
  }

  /** Needs `videoShape` for flattened latents (set by the first encode or `setVideoShape`). */
  #videoShape: [number, number, number, number] | null = null;
  setVideoShape(s: [number, number, number, number]): this {
    this.#videoShape = s;
    return this;
  }

  /** z (B, ...latentShape) → video (B, C, T, H, W) in [0, 1]. */
  decode(z: Tensor): Tensor {
    return T.tidy(() => {
      let v = z; // (B, C, T', H', W')
      if (this.flatten) {
        if (!this.#videoShape) throw new Error('PoolAutoencoder: call setVideoShape([C, T, H, W]) before decoding flattened latents');
        v = z.reshape([z.size(0), ...this.#pooled(this.#videoShape)]); // (B, C, T', H', W')
      }
      if (this.repeats > 1) v = v.unflatten(1, [this.repeats, v.size(1) / this.repeats]).meanDim(1); // (B, C, T', H', W')
      const [pt, ph, pw] = this.factors;
      const [Tn, H, W] = [v.size(2) * pt, v.size(3) * ph, v.size(4) * pw];
      return T.interpolate(v.addScalar(1).mulScalar(0.5), [Tn, H, W], 'nearest').clamp({ min: 0, max: 1 }); // (B, C, T, H, W)
    });
  }
}

export class HashTextConditioner implements TextConditioner {
  readonly name = 'hash-text-stand-in';
  readonly dim: number;
  readonly maxTokens: number;

  constructor(dim = 32, maxTokens = 16) {
    this.dim = dim;
    this.maxTokens = maxTokens;
  }

  #vector(word: string): Float32Array {
    let h = 0x811c9dc5;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193) >>> 0;
    const rng = Rng.fromSeed(h).fork('hash-text');
    return Float32Array.from({ length: this.dim }, () => rng.normal() / Math.sqrt(this.dim));
  }

  encode(texts: string[]): TextTokens {
    const tokens = texts.map((s) => ['<bos>', ...s.toLowerCase().split(/\s+/).filter((w) => w.length > 0)].slice(0, this.maxTokens));
    const L = Math.max(...tokens.map((t) => t.length));
    const D = this.dim;
    const states = new Float32Array(texts.length * L * D); // (B, L, D)
    const mask = new Uint8Array(texts.length * L); // (B, L)
    const pooled = new Float32Array(texts.length * D); // (B, D)
    tokens.forEach((words, b) => {
      words.forEach((w, l) => {
        const v = this.#vector(w);
        states.set(v, (b * L + l) * D);
        mask[b * L + l] = 1;
        for (let k = 0; k < D; k++) pooled[b * D + k]! += v[k]! / words.length;
      });
    });
    return {
      states: T.tensor(states, { shape: [texts.length, L, D] }), // (B, L, D)
      mask: T.tensor(mask, { shape: [texts.length, L], dtype: 'bool' }), // (B, L)
      pooled: T.tensor(pooled, { shape: [texts.length, D] }), // (B, D)
    };
  }
}
