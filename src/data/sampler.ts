/**
 * Samplers: the order in which a data loader visits a data set, one epoch at a time.
 *
 * Every sampler is a pure function of its parameters and the epoch number: `epoch(e)` returns the
 * same order whenever it is asked, on any machine, and whatever epochs were asked before (the
 * random stream of epoch e is `Rng.fromSeed(seed).fork(<kind>).fork(e)`). A run resumed at epoch e
 * therefore sees exactly the batches it would have seen without the interruption.
 *
 *   SequentialSampler(n)            0, 1, …, n-1 every epoch
 *   RandomSampler(n, seed)          a fresh permutation of 0..n-1 per epoch
 *   BatchSampler(sampler, size)     an index sampler cut into batches
 *   BucketBatchSampler(bucketIds)   batches made of `perBucket` videos of the same caption bucket,
 *                                   for the bucket loss of the joint family (paper eq. 4), which
 *                                   needs several videos of one caption in the same batch
 *
 * `shard(rank, worldSize)` gives one rank of a data-parallel run its share of every epoch (items
 * rank, rank + worldSize, … as PyTorch's DistributedSampler does, without padding by repetition):
 * the shards of all ranks partition the epoch.
 *
 * @example
 * const s = new RandomSampler(5, 42);
 * s.epoch(0);                          // a permutation of [0, 1, 2, 3, 4], the same on every call
 * s.shard(1, 2).epoch(0);              // items 1 and 3 of that permutation
 * const b = new BucketBatchSampler([0, 0, 1, 1, 0, 0, 1, 1], { batchSize: 4, perBucket: 2, seed: 0 });
 * b.epoch(0);                          // 2 batches; each holds 2 videos of bucket 0 and 2 of bucket 1
 */
import { Rng } from './syncdraw/rng.js';

/** An epoch-indexed order of items: indices (`number`) or batches of indices (`number[]`). */
export interface Sampler<Item> {
  /** Items per epoch; the same for every epoch. */
  len(): number;
  /** The order of epoch `e` (an integer ≥ 0): a pure function of the sampler's parameters and `e`. */
  epoch(e: number): Item[];
  /** This rank's share of every epoch; the shards of ranks 0..worldSize-1 partition it. */
  shard(rank: number, worldSize: number, opts?: ShardOptions): Sampler<Item>;
}

export interface ShardOptions {
  /**
   * Drop the epoch's last `len() % worldSize` items so that every rank gets the same number
   * (data-parallel steps stay in lock step); default false: ranks may differ by one item.
   */
  even?: boolean;
}

function checkEpoch(e: number): void {
  if (!(Number.isInteger(e) && e >= 0)) throw new RangeError(`epoch must be an integer ≥ 0, got ${e}`);
}

function checkCount(what: string, n: number, min: number): void {
  if (!(Number.isInteger(n) && n >= min)) throw new RangeError(`${what} must be an integer ≥ ${min}, got ${n}`);
}

/** Fisher–Yates shuffle of `xs` in place with `rng`; returns `xs`. */
export function shuffleInPlace<X>(xs: X[], rng: Rng): X[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
  return xs;
}

/** The shared `shard()` of every sampler. */
abstract class BaseSampler<Item> implements Sampler<Item> {
  abstract len(): number;
  abstract epoch(e: number): Item[];

  shard(rank: number, worldSize: number, opts: ShardOptions = {}): Sampler<Item> {
    return new ShardedSampler(this, rank, worldSize, opts);
  }
}

/** Items rank, rank + worldSize, rank + 2·worldSize, … of another sampler's epochs. */
export class ShardedSampler<Item> extends BaseSampler<Item> {
  private readonly even: boolean;

  constructor(
    readonly inner: Sampler<Item>,
    readonly rank: number,
    readonly worldSize: number,
    opts: ShardOptions = {},
  ) {
    super();
    checkCount('shard worldSize', worldSize, 1);
    if (!(Number.isInteger(rank) && rank >= 0 && rank < worldSize)) {
      throw new RangeError(`shard rank must be an integer in [0, ${worldSize}) for worldSize ${worldSize}, got ${rank}`);
    }
    this.even = opts.even ?? false;
  }

  len(): number {
    const n = this.inner.len();
    return this.even ? Math.floor(n / this.worldSize) : Math.ceil((n - this.rank) / this.worldSize);
  }

  epoch(e: number): Item[] {
    const all = this.inner.epoch(e);
    const end = this.even ? all.length - (all.length % this.worldSize) : all.length;
    const out: Item[] = [];
    for (let i = this.rank; i < end; i += this.worldSize) out.push(all[i]!);
    return out;
  }
}

/** 0, 1, …, n-1 in every epoch. */
export class SequentialSampler extends BaseSampler<number> {
  constructor(readonly n: number) {
    super();
    checkCount('SequentialSampler size', n, 0);
  }

  len(): number {
    return this.n;
  }

  epoch(e: number): number[] {
    checkEpoch(e);
    return Array.from({ length: this.n }, (_, i) => i);
  }
}

/** A uniformly random permutation of 0..n-1 per epoch, a function of (seed, epoch) only. */
export class RandomSampler extends BaseSampler<number> {
  private readonly root: Rng;

  constructor(
    readonly n: number,
    readonly seed: number,
  ) {
    super();
    checkCount('RandomSampler size', n, 0);
    this.root = Rng.fromSeed(seed).fork('random-sampler');
  }

  len(): number {
    return this.n;
  }

  epoch(e: number): number[] {
    checkEpoch(e);
    return shuffleInPlace(Array.from({ length: this.n }, (_, i) => i), this.root.fork(e));
  }
}

/** An index sampler cut into consecutive batches of `batchSize` (the last one shorter unless dropLast). */
export class BatchSampler extends BaseSampler<number[]> {
  constructor(
    readonly indices: Sampler<number>,
    readonly batchSize: number,
    readonly dropLast = false,
  ) {
    super();
    checkCount('batchSize', batchSize, 1);
  }

  len(): number {
    const n = this.indices.len();
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  epoch(e: number): number[][] {
    const order = this.indices.epoch(e);
    const out: number[][] = [];
    for (let i = 0; i < order.length; i += this.batchSize) {
      if (this.dropLast && i + this.batchSize > order.length) break;
      out.push(order.slice(i, i + this.batchSize));
    }
    return out;
  }
}

export interface BucketBatchOptions {
  /** Videos per batch; a multiple of `perBucket`. */
  batchSize: number;
  /** Videos of one bucket that travel together (a "group"), e.g. 4: batch 32 = 8 buckets × 4 videos. */
  perBucket: number;
  seed: number;
  /** Drop the epoch's last batches when they hold fewer than batchSize / perBucket groups. Default false. */
  dropLast?: boolean;
}

/**
 * Batches of whole caption buckets. Each batch is G = batchSize / perBucket groups from G
 * *different* buckets, each group `perBucket` videos of its bucket, stored contiguously:
 * `batch.slice(g * perBucket, (g + 1) * perBucket)` is group g. Every video appears at most once
 * per epoch.
 *
 * One epoch, from the stream `Rng.fromSeed(seed).fork('bucket-sampler').fork(e)`:
 *   1. shuffle each bucket's members and cut them into groups of `perBucket`; the last
 *      `size % perBucket` members of each bucket sit this epoch out (a different few each epoch,
 *      since the shuffle differs), and a bucket smaller than `perBucket` never appears;
 *   2. fill batches one at a time with one group from each of the G buckets that have the most
 *      groups left (ties broken at random), which empties the buckets evenly and makes the
 *      largest possible number of full batches; group order within a batch is random;
 *   3. when fewer than G buckets have groups left, the rest form shorter batches (still one group
 *      per bucket), kept unless `dropLast`.
 * The number of batches depends only on the bucket sizes, so `len()` is the same every epoch.
 */
export class BucketBatchSampler extends BaseSampler<number[]> {
  readonly batchSize: number;
  readonly perBucket: number;
  readonly dropLast: boolean;
  /** Members of each bucket (positions into `bucketIds`), buckets in ascending id order. */
  private readonly members: number[][];
  private readonly root: Rng;
  private length: number | undefined;

  constructor(bucketIds: ArrayLike<number>, opts: BucketBatchOptions) {
    super();
    checkCount('perBucket', opts.perBucket, 1);
    checkCount('batchSize', opts.batchSize, 1);
    if (opts.batchSize % opts.perBucket !== 0) {
      throw new RangeError(`batchSize ${opts.batchSize} is not a multiple of perBucket ${opts.perBucket}; a bucket batch is (batchSize / perBucket) groups of perBucket videos`);
    }
    this.batchSize = opts.batchSize;
    this.perBucket = opts.perBucket;
    this.dropLast = opts.dropLast ?? false;
    this.root = Rng.fromSeed(opts.seed).fork('bucket-sampler');
    const byId = new Map<number, number[]>();
    for (let i = 0; i < bucketIds.length; i++) {
      const b = bucketIds[i]!;
      if (!(Number.isInteger(b) && b >= 0)) throw new RangeError(`bucketIds[${i}] must be an integer ≥ 0, got ${b}`);
      let m = byId.get(b);
      if (!m) byId.set(b, (m = []));
      m.push(i);
    }
    this.members = [...byId.keys()].sort((a, b) => a - b).map((b) => byId.get(b)!);
  }

  len(): number {
    this.length ??= this.epoch(0).length; // the same in every epoch (see the class comment)
    return this.length;
  }

  epoch(e: number): number[][] {
    checkEpoch(e);
    const rng = this.root.fork(e);
    const P = this.perBucket;
    const G = this.batchSize / P;
    // 1. per bucket: shuffled members cut into whole groups, (groups, P)
    const groups: number[][][] = [];
    for (const m of this.members) {
      const order = shuffleInPlace(m.slice(), rng);
      const gs: number[][] = [];
      for (let i = 0; i + P <= order.length; i += P) gs.push(order.slice(i, i + P));
      if (gs.length > 0) groups.push(gs);
    }
    // 2–3. each batch takes one group from each of the (up to) G buckets with the most groups left
    const batches: number[][] = [];
    for (;;) {
      const live = groups.filter((gs) => gs.length > 0);
      if (live.length === 0) break;
      const tie = new Map(live.map((gs) => [gs, rng.float()]));
      live.sort((a, b) => b.length - a.length || tie.get(a)! - tie.get(b)!);
      const chosen = shuffleInPlace(live.slice(0, G), rng);
      if (chosen.length < G && this.dropLast) break;
      batches.push(chosen.flatMap((gs) => gs.pop()!));
    }
    return batches;
  }
}
