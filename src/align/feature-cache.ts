/**
 * Caches of the frozen pieces' outputs for the alignment (stage 2 trains only M, E_s, G_s, D_s):
 *
 * - {@link LatentCache}: z_v = E_v(v) of every training video, computed once with the frozen
 *   video encoder and kept on the host as float32 rows, keyed by dataset index (`Batch.indices`:
 *   the position in the training loader's `entries`). The video id is stored beside each row and
 *   checked on every read, so a batch from another split or data set fails loudly instead of
 *   silently reading another video's code.
 * - {@link TextFeatureCache}: pooled E_t(t) per distinct caption string, optionally bounded
 *   (least recently used entries are evicted), for the clean captions (all of them cached) and
 *   the noise-augmented ones (a small bounded cache).
 *
 * Rows live in JS memory (not native tensors), so caches never count as live tensors; each read
 * builds one (B, D) tensor that the caller owns.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { TextConditioner } from '../models/conditioning.js';

export class LatentCache {
  private readonly data: Float32Array; // (size, dim)
  private readonly ids: (string | undefined)[];
  private count = 0;

  constructor(
    readonly size: number,
    /** Flattened latent size (product of the AE's latent shape). */
    readonly dim: number,
  ) {
    if (!(Number.isInteger(size) && size >= 1 && Number.isInteger(dim) && dim >= 1)) {
      throw new RangeError(`LatentCache: size and dim must be positive integers, got ${size}, ${dim}`);
    }
    this.data = new Float32Array(size * dim);
    this.ids = new Array<string | undefined>(size);
  }

  /** Rows stored so far. */
  get filled(): number {
    return this.count;
  }

  /** Positions (into `indices`) whose rows are not cached yet. */
  missing(indices: readonly number[]): number[] {
    const out: number[] = [];
    indices.forEach((i, k) => {
      this.checkIndex(i);
      if (this.ids[i] === undefined) out.push(k);
    });
    return out;
  }

  /** Store row `index` (`row` has `dim` values) for video `id`. */
  put(index: number, id: string, row: Float32Array): void {
    this.checkIndex(index);
    if (row.length !== this.dim) throw new RangeError(`LatentCache.put: row has ${row.length} values, expected ${this.dim}`);
    if (this.ids[index] === undefined) this.count++;
    this.ids[index] = id;
    this.data.set(row, index * this.dim);
  }

  /** The cached rows of `indices` as a new (B, dim) tensor; every one must be cached for the same id. */
  rows(indices: readonly number[], ids: readonly string[]): Tensor {
    const out = new Float32Array(indices.length * this.dim);
    indices.forEach((i, k) => {
      this.checkIndex(i);
      const have = this.ids[i];
      if (have === undefined) throw new Error(`LatentCache: index ${i} is not cached yet; encode it first`);
      if (have !== ids[k]) {
        throw new Error(
          `LatentCache: index ${i} holds video '${have}' but the batch says '${ids[k]}'; the cache is keyed by the training loader's ` +
            'positions, so feed it batches of that loader only (validation must encode its videos itself)',
        );
      }
      out.set(this.data.subarray(i * this.dim, (i + 1) * this.dim), k * this.dim);
    });
    return T.tensor(out, { shape: [indices.length, this.dim] }); // (B, dim)
  }

  /** Every cached row, in dataset-index order: (filled × dim) values and their count. */
  cachedRows(): { rows: Float32Array; n: number } {
    const out = new Float32Array(this.count * this.dim);
    let k = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.ids[i] === undefined) continue;
      out.set(this.data.subarray(i * this.dim, (i + 1) * this.dim), k * this.dim);
      k++;
    }
    return { rows: out, n: k };
  }

  private checkIndex(i: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.size)) {
      throw new RangeError(`LatentCache: dataset index ${i} is outside [0, ${this.size}); the cache was sized for the training split`);
    }
  }
}

export class TextFeatureCache {
  private readonly rowsByText = new Map<string, Float32Array>();
  private hitCount = 0;
  private missCount = 0;

  constructor(
    readonly conditioner: TextConditioner,
    /** Most captions kept; the least recently used are evicted beyond it. */
    readonly capacity = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.rowsByText.size;
  }
  get hits(): number {
    return this.hitCount;
  }
  get misses(): number {
    return this.missCount;
  }

  /** Pooled features of `texts` as a new (B, D) tensor; uncached distinct texts are encoded in one call. */
  features(texts: readonly string[]): Tensor {
    const d = this.conditioner.dim;
    const fresh = [...new Set(texts.filter((t) => !this.rowsByText.has(t)))];
    const encoded = fresh.length > 0 ? this.encode(fresh) : new Map<string, Float32Array>();
    const out = new Float32Array(texts.length * d);
    texts.forEach((t, k) => {
      let row = this.rowsByText.get(t);
      if (row !== undefined) {
        this.hitCount++;
        this.rowsByText.delete(t); // refresh its place in the LRU order
      } else {
        this.missCount++;
        row = encoded.get(t)!;
      }
      this.rowsByText.set(t, row);
      out.set(row, k * d);
    });
    while (this.rowsByText.size > this.capacity) this.rowsByText.delete(this.rowsByText.keys().next().value!);
    return T.tensor(out, { shape: [texts.length, d] }); // (B, D)
  }

  private encode(texts: string[]): Map<string, Float32Array> {
    const d = this.conditioner.dim;
    const flat = T.tidy(() => {
      const tok = this.conditioner.encode(texts); // states (B, L, D), mask (B, L), pooled (B, D)
      const pooled = tok.pooled;
      if (pooled.shape.length !== 2 || pooled.shape[0] !== texts.length || pooled.shape[1] !== d) {
        throw new Error(`conditioner '${this.conditioner.name}' returned pooled features of shape [${pooled.shape.join(', ')}], expected [${texts.length}, ${d}]`);
      }
      const values = pooled.toFloat32Array();
      for (const t of [tok.states, tok.mask, tok.pooled]) t.dispose();
      return values;
    });
    return new Map(texts.map((t, k) => [t, flat.slice(k * d, (k + 1) * d)]));
  }
}
