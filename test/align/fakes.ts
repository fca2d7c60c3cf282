// Tiny stand-ins for the frozen pieces of the alignment tests: a Linear video autoencoder, a
// bag-of-words conditioner, and hand-made batches with caption buckets.
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { Linear, Module } from '../../src/nn/index.js';
import type { AeArch, VideoAutoencoder } from '../../src/models/ae/types.js';
import type { TextConditioner, TextTokens } from '../../src/models/conditioning.js';
import type { Batch } from '../../src/data/loader.js';
import { Rng } from '../../src/data/syncdraw/rng.js';
import { tokenize } from '../../src/align/noise-words.js';

/** (C, T, H, W) of the fake videos. */
export const INPUT: [number, number, number, number] = [1, 2, 4, 4];
const PIXELS = INPUT.reduce((a, b) => a * b, 1);

/** encode = Linear on the flattened video; decode = sigmoid(Linear(z)). Counts the rows it encodes and decodes. */
export class FakeAe extends Module implements VideoAutoencoder {
  readonly config: Record<string, unknown>;
  readonly enc: Linear;
  readonly dec: Linear;
  readonly latentDim: number;
  readonly pixels: number;
  encodedRows = 0;
  decodedBatches: number[] = [];

  constructor(
    readonly arch: AeArch = 'conv3d-base',
    readonly shape: number[] = [8],
    readonly input: [number, number, number, number] = INPUT,
  ) {
    super();
    this.latentDim = shape.reduce((a, b) => a * b, 1);
    this.pixels = input.reduce((a, b) => a * b, 1);
    this.config = { fake: true, shape };
    this.enc = this.registerModule('enc', new Linear(this.pixels, this.latentDim));
    this.dec = this.registerModule('dec', new Linear(this.latentDim, this.pixels));
  }
  latentShape(): number[] {
    return [...this.shape];
  }
  encode(x: Tensor): Tensor {
    const b = x.shape[0]!;
    this.encodedRows += b;
    return T.tidy(() => this.enc.forward(x.reshape([b, this.pixels])).reshape([b, ...this.shape])); // (B, ...shape)
  }
  decode(z: Tensor): Tensor {
    const b = z.shape[0]!;
    this.decodedBatches.push(b);
    return T.tidy(() => T.sigmoid(this.dec.forward(z.reshape([b, this.latentDim]))).reshape([b, ...this.input])); // (B, C, T, H, W)
  }
}

/** Pooled = mean of fixed random word vectors (seeded by the word), plus one-hot-ish position noise-free. */
export class FakeConditioner implements TextConditioner {
  readonly name = 'fake-bag-of-words';
  readonly maxTokens = 16;
  calls = 0;
  constructor(readonly dim = 12) {}
  private vector(word: string): number[] {
    let h = 7;
    for (let i = 0; i < word.length; i++) h = (h * 31 + word.charCodeAt(i)) >>> 0;
    const rng = Rng.fromSeed(h);
    return Array.from({ length: this.dim }, () => rng.normal());
  }
  encode(texts: string[]): TextTokens {
    this.calls++;
    const rows = texts.map((t) => {
      const ws = tokenize(t).map((w) => this.vector(w));
      return Array.from({ length: this.dim }, (_, k) => ws.reduce((s, v) => s + v[k]!, 0) / Math.max(1, ws.length));
    });
    const pooled = T.tensor(rows); // (B, D)
    return { pooled, states: T.tidy(() => pooled.unsqueeze(1)), mask: T.ones([texts.length, 1], { dtype: 'bool' }) };
  }
}

export const CAPTIONS = ['digit 0 is moving up and down', 'digit 1 is moving left and right', 'digit 2 is moving up and down', 'digit 3 is moving left and right'];

/** n videos, round-robin over the 4 captions; video i = a bucket pattern plus seeded noise, in [0, 1]. */
export function makeBatch(n = 16, seed = 0): Batch {
  const rng = Rng.fromSeed(seed);
  const data = new Float32Array(n * PIXELS);
  const buckets = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = i % CAPTIONS.length;
    buckets[i] = b;
    for (let p = 0; p < PIXELS; p++) {
      const base = (p + 3 * b) % 4 < 2 ? 0.8 : 0.2;
      data[i * PIXELS + p] = Math.min(1, Math.max(0, base + 0.1 * rng.normal()));
    }
  }
  return {
    videos: T.tensor(data, { shape: [n, ...INPUT] }),
    captions: Array.from(buckets, (b) => CAPTIONS[b]!),
    buckets,
    attributes: Array.from({ length: n }, () => ({})),
    ids: Array.from({ length: n }, (_, i) => `train-${i}`),
    indices: Array.from({ length: n }, (_, i) => i),
  };
}

/** A StepContext for direct trainStep calls. */
export function ctx(step: number, clipNorm: number | null = 4) {
  return { step, epoch: 0, syncGrads: () => {}, clipNorm };
}
