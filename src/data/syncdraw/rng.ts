/**
 * A small seeded PRNG for the SyncDraw-MM generator: sfc32 (Chris Doty-Humphrey's "small fast
 * chaotic" generator, from PractRand) whose 128-bit state is seeded through splitmix32.
 *
 * Streams are addressed by a 64-bit key held as two 32-bit words. `fork(label)` derives a child
 * key from the parent's *key* and the label (never from the parent's position in its stream), so
 * a child's numbers do not depend on how many draws the parent has made. The generator uses this
 * to make video i's content a function of (seed, split, i) only:
 * `Rng.fromSeed(seed).fork(split).fork(i)` — which also makes any video order (or parallel
 * generation) give the same bytes.
 *
 * Only 32-bit integer arithmetic (`Math.imul`, shifts) and IEEE double division are used, so the
 * streams are identical on every platform JavaScript runs on.
 *
 * @example
 * const rng = Rng.fromSeed(7).fork('train').fork(12);
 * rng.int(0, 10);   // an integer in [0, 10)
 * rng.normal();     // a standard normal sample
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(
    /** The 64-bit stream key (two uint32 words); forks hash their label into it. */
    private readonly k0: number,
    private readonly k1: number,
  ) {
    // (a, b) are bijections of (k0, k1), so distinct keys always give distinct states.
    this.a = splitmix32(k0 + 0x9e3779b9);
    this.b = splitmix32(k1 + 0x7f4a7c15);
    this.c = splitmix32(this.a ^ Math.imul(this.b, 0x85ebca6b));
    this.d = 1; // sfc32's counter word
    for (let i = 0; i < 12; i++) this.nextU32(); // the recommended warm-up
  }

  /** A root stream from an integer seed (any safe integer; the high bits are kept). */
  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Rng seed must be a safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x100000000) >>> 0;
    return new Rng(lo, hi);
  }

  /**
   * An independent child stream named by `label`. The same (parent key, label) always gives the
   * same child; `fork('a')` and `fork('b')` are unrelated streams.
   */
  fork(label: string | number): Rng {
    const s = String(label);
    const [h0, h1] = hashLabel(s);
    return new Rng(splitmix32(this.k0 ^ h0), splitmix32(this.k1 ^ h1 ^ 0x632be5ab));
  }

  /** The next raw 32-bit output, as an unsigned integer in [0, 2^32). */
  nextU32(): number {
    this.d = (this.d + 1) | 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** A uniform integer in [lo, hi) (hi exclusive, like Python's `randrange`); needs hi > lo. */
  int(lo: number, hi: number): number {
    if (!(Number.isInteger(lo) && Number.isInteger(hi) && hi > lo)) {
      throw new RangeError(`Rng.int needs integers lo < hi, got [${lo}, ${hi})`);
    }
    return lo + Math.floor(this.float() * (hi - lo));
  }

  /** True with probability p. */
  bool(p = 0.5): boolean {
    return this.float() < p;
  }

  /** A standard normal sample (Box–Muller; one sample per call, no cached pair). */
  normal(): number {
    const u1 = 1 - this.float(); // (0, 1]: log stays finite
    const u2 = this.float();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty array');
    return items[this.int(0, items.length)]!;
  }
}

/** splitmix32's output function applied to `x` (a 32-bit finaliser with full avalanche). */
export function splitmix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Two independent 32-bit hashes of a label (FNV-1a with two offsets, then finalised). */
function hashLabel(s: string): [number, number] {
  let h0 = 0x811c9dc5;
  let h1 = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h0 = Math.imul(h0 ^ ch, 0x01000193);
    h1 = Math.imul(h1 ^ ch, 0x01000193) ^ (h1 >>> 15);
  }
  return [splitmix32(h0 ^ s.length), splitmix32(h1 + 0x27d4eb2f)];
}
