/**
 * Standardised video latents for the joint family (ours; the paper's reason for not needing it
 * is its latent term): the WAE's cost (eq. A.4–A.5) pulls z_v towards the N(0, I) prior, so the
 * paper's stage-2 MLPs meet unit-scale codes. An autoencoder trained without that term (our
 * pixel-only recipes) gives codes of any offset and scale: the 64×64 3DConv-Base's z_v have
 * per-dimension means up to ±15 and standard deviations 5–14, which Adam at lr 1e-4 cannot reach
 * from a unit-scale initialisation in a 1000-step budget (every caption then generated the same
 * video). The methods therefore work on u = (z_v − μ) / σ, with μ, σ per dimension over the
 * cached training latents, and generation decodes z_v = u·σ + μ.
 *
 * Buffers (saved with the run as `latent_norm.*`): mean (d), std (d), count () = the number of
 * latents the statistics came from (0: not fitted yet; then the map is the identity).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module } from '../nn/index.js';

/** Floor of σ, so a constant latent dimension maps to 0 instead of dividing by zero. */
export const MIN_STD = 1e-6;

export class LatentNorm extends Module {
  constructor(readonly dim: number) {
    super();
    this.registerBuffer('mean', T.zeros([dim])); // (d)
    this.registerBuffer('std', T.ones([dim])); // (d)
    this.registerBuffer('count', T.zeros([])); // ()
  }

  get mean(): Tensor {
    return this.buffer('mean'); // (d)
  }

  get std(): Tensor {
    return this.buffer('std'); // (d)
  }

  /** Latents the statistics came from (0: not fitted). */
  get count(): number {
    return this.buffer('count').item();
  }

  get fitted(): boolean {
    return this.count > 0;
  }

  /** Per-dimension mean and (population) standard deviation of `rows` (n × d, row-major), in float64. */
  fit(rows: Float32Array, n: number): void {
    const d = this.dim;
    if (!(Number.isInteger(n) && n >= 1 && rows.length >= n * d)) throw new RangeError(`LatentNorm.fit: need n ≥ 1 rows of ${d} values, got ${rows.length} values for n = ${n}`);
    const mean = new Float64Array(d);
    const sq = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += rows[i * d + j]!;
    for (let j = 0; j < d; j++) mean[j]! /= n;
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sq[j]! += (rows[i * d + j]! - mean[j]!) ** 2;
    this.setBuffer('mean', T.tensor(Float32Array.from(mean), { shape: [d] }));
    this.setBuffer('std', T.tensor(Float32Array.from(sq, (s) => Math.max(Math.sqrt(s / n), MIN_STD)), { shape: [d] }));
    this.setBuffer('count', T.tensor([n], { shape: [] }));
  }

  /** z (B, d) → (z − μ) / σ. */
  normalize(z: Tensor): Tensor {
    return T.tidy(() => z.sub(this.mean).div(this.std)); // (B, d)
  }

  /** u (B, d) → u·σ + μ. */
  denormalize(u: Tensor): Tensor {
    return T.tidy(() => u.mul(this.std).add(this.mean)); // (B, d)
  }
}
