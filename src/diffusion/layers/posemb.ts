/**
 * Fixed sine–cosine position embeddings (Vaswani et al. 2017 §3.5), in the form of MAE / DiT's
 * `get_1d_sincos_pos_embed_from_grid` and `get_2d_sincos_pos_embed` (He et al. 2022,
 * https://github.com/facebookresearch/mae/blob/main/util/pos_embed.py):
 *   1-D, width D: ω_k = 1/10000^(k/(D/2)), k < D/2;  emb(p) = [sin(p·ω), cos(p·ω)]
 *   2-D, width D: [emb_{D/2}(row), emb_{D/2}(col)] for each position of an h×w grid (row-major)
 * Computed in float64 in JavaScript and returned as float32 tensors.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';

function sincos1d(dim: number, positions: number[]): Float64Array {
  if (dim % 2 !== 0) throw new Error(`sin-cos position embedding: width must be even, got ${dim}`);
  const half = dim / 2;
  const out = new Float64Array(positions.length * dim);
  positions.forEach((p, i) => {
    for (let k = 0; k < half; k++) {
      const a = p / 10000 ** (k / half);
      out[i * dim + k] = Math.sin(a);
      out[i * dim + half + k] = Math.cos(a);
    }
  });
  return out;
}

/** (n, dim) embedding of positions 0 … n−1. */
export function sincosPosEmbed1d(dim: number, n: number): Tensor {
  const data = sincos1d(dim, Array.from({ length: n }, (_, i) => i));
  return T.tensor(Float32Array.from(data), { shape: [n, dim] }); // (n, dim)
}

/** (h·w, dim) embedding of an h×w grid, row-major; the first half encodes the row, the second the column. */
export function sincosPosEmbed2d(dim: number, h: number, w: number): Tensor {
  if (dim % 4 !== 0) throw new Error(`2-D sin-cos position embedding: width must be divisible by 4, got ${dim}`);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) (rows.push(i), cols.push(j));
  const er = sincos1d(dim / 2, rows);
  const ec = sincos1d(dim / 2, cols);
  const out = new Float32Array(h * w * dim);
  for (let n = 0; n < h * w; n++) {
    for (let k = 0; k < dim / 2; k++) {
      out[n * dim + k] = er[n * (dim / 2) + k]!;
      out[n * dim + dim / 2 + k] = ec[n * (dim / 2) + k]!;
    }
  }
  return T.tensor(out, { shape: [h * w, dim] }); // (h·w, dim)
}
