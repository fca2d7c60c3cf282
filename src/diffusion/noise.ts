/**
 * Seeded Gaussian noise for sampling, independent of libtorch's global generator: each sample
 * of a batch owns one stream (`Rng`, sfc32 seeded through splitmix32, see
 * `src/data/syncdraw/rng.ts`), so sample i's noise — its initial latent x_T and every
 * stochastic step's z — is a function of its own seed only, whatever the batch it is drawn in,
 * the device, or the other code that used the global generator meanwhile.
 *
 * Standard normals come from Box–Muller over 32-bit uniforms in float64 (`Rng.normal`), then
 * are stored as float32; only integer arithmetic, `Math.log`, `Math.sqrt` and `Math.cos` are
 * involved, so two runs on one machine give the same bits.
 *
 * Seed rule used by the pipeline (`pipeline.ts`): sample j of prompt i gets
 *   seed_ij = seed + i·samplesPerPrompt + j,
 * i.e. the sample's position in the flattened prompt × sample list added to the run seed.
 *
 * @example
 *   const noise = new SeededNoise([7, 8]);
 *   const xT = noise.randn([4, 8, 8]);   // (2, 4, 8, 8); row 0 from seed 7, row 1 from seed 8
 *   xT.dispose();
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Rng } from '../data/syncdraw/rng.js';

/** Standard-normal noise of a batch's shape (B, …), as schedulers draw it for stochastic steps. */
export type NoiseSource = (shape: number[]) => Tensor;

export class SeededNoise {
  readonly seeds: readonly number[];
  readonly #streams: Rng[];

  constructor(seeds: readonly number[]) {
    if (seeds.length === 0) throw new Error('SeededNoise: give at least one seed (one per sample)');
    for (const s of seeds) if (!Number.isSafeInteger(s)) throw new Error(`SeededNoise: seeds must be safe integers, got ${s}`);
    this.seeds = [...seeds];
    this.#streams = seeds.map((s) => Rng.fromSeed(s).fork('diffusion-noise'));
  }

  get batch(): number {
    return this.#streams.length;
  }

  /**
   * The next N(0, 1) draw of each sample's stream, shape (B, ...perSample), float32 on the CPU
   * (move it with `.toLike(x)`). Sample i takes ∏perSample values from stream i, in row-major order.
   */
  randn(perSample: readonly number[]): Tensor {
    const n = perSample.reduce((a, b) => a * b, 1);
    const data = new Float32Array(this.#streams.length * n); // (B, ...perSample)
    this.#streams.forEach((rng, i) => {
      for (let k = 0; k < n; k++) data[i * n + k] = rng.normal();
    });
    return T.tensor(data, { shape: [this.#streams.length, ...perSample] }); // (B, ...perSample)
  }

  /** This generator as a scheduler noise source: `shape` must be (B, ...) with B = number of seeds. */
  source(): NoiseSource {
    return (shape) => {
      if (shape[0] !== this.#streams.length) {
        throw new Error(`SeededNoise: asked for noise of shape [${shape.join(', ')}] but holds ${this.#streams.length} sample streams`);
      }
      return this.randn(shape.slice(1));
    };
  }
}

/** Noise from libtorch's global generator (seed it with `T.manualSeed`): what training uses. */
export const torchNoise: NoiseSource = (shape) => T.randn(shape);
