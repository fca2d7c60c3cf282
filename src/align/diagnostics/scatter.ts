/**
 * Scatter plots of 2-D embeddings as RGB images (for PNG via src/media/png.ts), as the paper's
 * latent-space figures (Figures 3–5): points coloured by caption bucket, real codes as filled
 * discs, generated codes as crosses of the same colour drawn on top. No text is drawn; the
 * diagnostics JSON maps each bucket to its colour.
 */
import type { ImageU8 } from '../../media/video.js';

/** The 20 colours of matplotlib's tab20, as [r, g, b]; bucket b gets PALETTE[b mod 20]. */
export const PALETTE: readonly (readonly [number, number, number])[] = [
  [31, 119, 180], [174, 199, 232], [255, 127, 14], [255, 187, 120], [44, 160, 44],
  [152, 223, 138], [214, 39, 40], [255, 152, 150], [148, 103, 189], [197, 176, 213],
  [140, 86, 75], [196, 156, 148], [227, 119, 194], [247, 182, 210], [127, 127, 127],
  [199, 199, 199], [188, 189, 34], [219, 219, 141], [23, 190, 207], [158, 218, 229],
];

export function paletteHex(bucket: number): string {
  const c = PALETTE[((bucket % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

export interface ScatterInput {
  /** (n, 2) row-major coordinates. */
  xy: Float64Array;
  /** Bucket (colour) of each point. */
  groups: Int32Array;
  /** 1 = generated (cross), 0 = real (disc). */
  generated: Uint8Array;
}

export interface ScatterOptions {
  /** Image side in pixels (default 512). */
  size?: number;
  /** Blank border in pixels (default 16). */
  margin?: number;
}

/** Render the points; the data range is scaled uniformly into the square inside the margin. */
export function scatterImage(input: ScatterInput, opts: ScatterOptions = {}): ImageU8 {
  const size = opts.size ?? 512;
  const margin = opts.margin ?? 16;
  const n = input.groups.length;
  if (input.xy.length !== 2 * n || input.generated.length !== n) throw new RangeError(`scatterImage: ${input.xy.length / 2} coordinates, ${n} groups and ${input.generated.length} flags must agree`);
  const data = new Uint8Array(size * size * 3).fill(255);
  const put = (x: number, y: number, c: readonly number[]): void => {
    if (x < 0 || y < 0 || x >= size || y >= size) return;
    const o = (y * size + x) * 3;
    data[o] = c[0]!;
    data[o + 1] = c[1]!;
    data[o + 2] = c[2]!;
  };
  // frame
  for (let k = margin / 2; k < size - margin / 2; k++) {
    for (const [x, y] of [[k, margin / 2], [k, size - margin / 2], [margin / 2, k], [size - margin / 2, k]] as [number, number][]) put(Math.round(x), Math.round(y), [200, 200, 200]);
  }
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = input.xy[2 * i]!;
    const y = input.xy[2 * i + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  const span = Math.max(x1 - x0, y1 - y0, 1e-12);
  const inner = size - 2 * margin - 1;
  const px = (v: number, lo: number, hi: number): number => Math.round(margin + ((v - (lo + hi) / 2) / span + 0.5) * inner);
  const draw = (i: number): void => {
    const x = px(input.xy[2 * i]!, x0, x1);
    const y = size - 1 - px(input.xy[2 * i + 1]!, y0, y1); // y up
    const c = PALETTE[((input.groups[i]! % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
    if (input.generated[i]) {
      const dark = c.map((v) => Math.round(v * 0.6));
      for (let t = -3; t <= 3; t++) {
        put(x + t, y + t, dark);
        put(x + t, y - t, dark);
      }
    } else {
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) if (dx * dx + dy * dy <= 5) put(x + dx, y + dy, c);
    }
  };
  // real first, generated on top
  for (let i = 0; i < n; i++) if (!input.generated[i] && Number.isFinite(input.xy[2 * i]!)) draw(i);
  for (let i = 0; i < n; i++) if (input.generated[i] && Number.isFinite(input.xy[2 * i]!)) draw(i);
  return { height: size, width: size, channels: 3, data };
}
