/**
 * A memo of a frozen text encoder's outputs by caption. Training data repeats captions (a bucket
 * is one caption; SyncDraw `single` has 20), and the CLIP text tower costs far more than a small
 * denoiser step, so each caption is encoded once and its rows are reused.
 *
 * Exactness: the wrapped encoder is deterministic and runs without grad, so a cached row equals
 * a fresh one. Rows are stored up to their last real token; a batch is assembled by padding to
 * its longest row with zero states and mask = false, which attention ignores (masked keys get
 * weight exactly 0), so results match the unpadded encoder's up to float summation order.
 * Memory is bounded by `maxBytes` (oldest captions are evicted first).
 *
 * @example
 *   const text = new CachedConditioner(clip);   // same name, dim, maxTokens
 *   text.encode(batch.captions);                // encodes only captions not seen before
 */
import * as T from '../tensor/index.js';
import type { TextConditioner, TextTokens } from '../models/conditioning.js';

interface Row {
  states: Float32Array; // (L_i, D)
  mask: Uint8Array; // (L_i)
  pooled: Float32Array; // (D)
}

export class CachedConditioner implements TextConditioner {
  readonly inner: TextConditioner;
  readonly maxBytes: number;
  readonly #rows = new Map<string, Row>();
  #bytes = 0;
  /** Captions encoded by the wrapped encoder so far. */
  misses = 0;

  constructor(inner: TextConditioner, opts: { maxBytes?: number } = {}) {
    this.inner = inner;
    this.maxBytes = opts.maxBytes ?? 512 * 2 ** 20;
  }

  get name(): string {
    return this.inner.name;
  }
  get dim(): number {
    return this.inner.dim;
  }
  get maxTokens(): number {
    return this.inner.maxTokens;
  }

  /** Encode the captions not in the cache (one call to the wrapped encoder) and store their rows. */
  #fill(texts: string[]): void {
    const missing = [...new Set(texts.filter((s) => !this.#rows.has(s)))];
    if (missing.length === 0) return;
    this.misses += missing.length;
    T.tidy(() => {
      const enc = this.inner.encode(missing);
      const [, L, D] = enc.states.shape as [number, number, number];
      const states = enc.states.float().to('cpu').contiguous().toFloat32Array(); // (M·L·D)
      const mask = enc.mask.toDType('bool').to('cpu').contiguous().toArray(); // (M·L) 0/1
      const pooled = enc.pooled.float().to('cpu').contiguous().toFloat32Array(); // (M·D)
      missing.forEach((s, i) => {
        let len = 0;
        for (let l = 0; l < L; l++) if (mask[i * L + l]) len = l + 1;
        if (len === 0) throw new Error(`text encoder '${this.inner.name}' returned no real token for '${s}'`);
        const row: Row = {
          states: states.slice(i * L * D, (i * L + len) * D),
          mask: Uint8Array.from(mask.slice(i * L, i * L + len)),
          pooled: pooled.slice(i * D, (i + 1) * D),
        };
        this.#rows.set(s, row);
        this.#bytes += 4 * (row.states.length + row.pooled.length) + row.mask.length;
      });
    });
    for (const [key, row] of this.#rows) {
      if (this.#bytes <= this.maxBytes || this.#rows.size <= texts.length) break;
      if (texts.includes(key)) continue;
      this.#rows.delete(key);
      this.#bytes -= 4 * (row.states.length + row.pooled.length) + row.mask.length;
    }
  }

  encode(texts: string[]): TextTokens {
    this.#fill(texts);
    const rows = texts.map((s) => this.#rows.get(s)!);
    const D = this.dim;
    const L = Math.max(...rows.map((r) => r.mask.length));
    const states = new Float32Array(texts.length * L * D); // (B, L, D), zero padding
    const mask = new Uint8Array(texts.length * L); // (B, L), false padding
    const pooled = new Float32Array(texts.length * D); // (B, D)
    rows.forEach((r, b) => {
      states.set(r.states, b * L * D);
      mask.set(r.mask, b * L);
      pooled.set(r.pooled, b * D);
    });
    return {
      states: T.tensor(states, { shape: [texts.length, L, D] }), // (B, L, D)
      mask: T.tensor(mask, { shape: [texts.length, L], dtype: 'bool' }), // (B, L)
      pooled: T.tensor(pooled, { shape: [texts.length, D] }), // (B, D)
    };
  }
}
