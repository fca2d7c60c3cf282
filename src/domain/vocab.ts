/**
 * The word-level vocabulary of the domain text tower (issue 4, part 5): built from a data set's
 * **train** captions only, so that nothing about val/test captions leaks into the model.
 *
 * Tokenization: lowercase, split on runs of characters that are neither letters nor digits
 * (Unicode `\p{L}` / `\p{N}`), drop empty pieces. Each word maps to its id, unknown words to
 * `[UNK]`; `encode` appends `[EOS]`. Ids 0, 1, 2 are the specials `[PAD]`, `[UNK]`, `[EOS]`; the
 * words follow in sorted order, so the same caption set always gives the same ids.
 *
 * Saved as `vocab.json`: `{ "format": "t2vlab-vocab", "version": 1, "tokens": [...] }` where
 * `tokens[id]` is the token.
 *
 * @example
 *   const v = Vocab.fromCaptions(['digit 3 is moving up and down']);
 *   v.size;                                   // 10 (3 specials + 7 words)
 *   v.encode('Digit 3 is moving LEFT.');      // [5, 3, 7, 8, 1, 2]: "left" is [UNK], then [EOS]
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';

export const PAD = '[PAD]';
export const UNK = '[UNK]';
export const EOS = '[EOS]';
export const PAD_ID = 0;
export const UNK_ID = 1;
export const EOS_ID = 2;
const SPECIALS = [PAD, UNK, EOS];

export const VOCAB_FORMAT = 't2vlab-vocab';

/** Lowercase and split on non-alphanumerics: 'Digit 3, moving!' → ['digit', '3', 'moving']. */
export function words(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

export class Vocab {
  readonly #ids: Map<string, number>;

  private constructor(readonly tokens: readonly string[]) {
    this.#ids = new Map(tokens.map((t, i) => [t, i]));
  }

  /** Every distinct word of `captions`, sorted, after the three specials. */
  static fromCaptions(captions: Iterable<string>): Vocab {
    const set = new Set<string>();
    for (const c of captions) for (const w of words(c)) set.add(w);
    return new Vocab([...SPECIALS, ...[...set].sort()]);
  }

  /** From a token list (checked: the specials first, no duplicates). */
  static fromTokens(tokens: readonly string[], where = 'vocab'): Vocab {
    if (!SPECIALS.every((s, i) => tokens[i] === s)) {
      throw new Error(`${where}: tokens must start with ${SPECIALS.join(', ')}, got ${JSON.stringify(tokens.slice(0, 3))}`);
    }
    if (new Set(tokens).size !== tokens.length) throw new Error(`${where}: duplicate tokens`);
    return new Vocab([...tokens]);
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The id of one word (`[UNK]` when unknown). */
  id(word: string): number {
    return this.#ids.get(word) ?? UNK_ID;
  }

  /**
   * Word ids followed by `[EOS]`. With `maxTokens`, longer texts keep their first
   * `maxTokens − 1` words so that `[EOS]` is always last.
   */
  encode(text: string, maxTokens?: number): number[] {
    let ids = words(text).map((w) => this.id(w));
    if (maxTokens !== undefined) {
      if (!(Number.isInteger(maxTokens) && maxTokens >= 1)) throw new RangeError(`Vocab.encode: maxTokens must be an integer >= 1, got ${maxTokens}`);
      ids = ids.slice(0, maxTokens - 1);
    }
    ids.push(EOS_ID);
    return ids;
  }

  /** The tokens of `ids` joined by spaces (specials included). */
  decode(ids: readonly number[]): string {
    return ids.map((i) => this.tokens[i] ?? UNK).join(' ');
  }

  toJSON(): { format: string; version: number; tokens: string[] } {
    return { format: VOCAB_FORMAT, version: 1, tokens: [...this.tokens] };
  }

  /** Write `vocab.json` atomically. */
  save(path: string): void {
    writeFileAtomic(path, JSON.stringify(this.toJSON(), null, 1) + '\n');
  }

  static load(path: string): Vocab {
    if (!existsSync(path)) throw new Error(`vocabulary file '${path}' is missing`);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`'${path}' is not valid JSON (${(err as Error).message}); the model folder is damaged: train it again`);
    }
    const r = raw as { format?: unknown; version?: unknown; tokens?: unknown };
    if (r.format !== VOCAB_FORMAT || r.version !== 1 || !Array.isArray(r.tokens) || !r.tokens.every((t) => typeof t === 'string')) {
      throw new Error(`'${path}' is not a ${VOCAB_FORMAT} version 1 file ({format, version, tokens: string[]})`);
    }
    return Vocab.fromTokens(r.tokens as string[], path);
  }
}
