/**
 * Procedural handwriting-like digits: the glyph source SyncDraw-MM uses when no MNIST files are
 * given (paper Section 4.1 and Table A.1 use MNIST digits; this renderer stands in for them so the
 * data set can be built offline, and `--mnist DIR` switches to the real digits).
 *
 * Each digit 0–9 has one or more pen-stroke skeletons (straight and cubic Bézier segments in a
 * unit box, y pointing down). One instance is drawn by
 *   1. picking a skeleton variant and jittering its control points (joined points move together),
 *   2. sampling the strokes into polylines,
 *   3. an affine "hand": aspect change, slant (shear), small rotation,
 *   4. a smooth elastic warp (a sum of two random plane waves per axis),
 *   5. fitting the ink into a 16–20 px box centred in the 28×28 canvas, as MNIST does,
 *   6. anti-aliased rasterisation: a pixel's coverage falls off linearly with its distance to the
 *      nearest stroke segment, with a pen radius that varies smoothly along each stroke.
 * The result is a (28, 28) uint8 glyph, white ink on black, like an MNIST image.
 */
import type { Rng } from './rng.js';

/** Side of a glyph image in pixels (MNIST's 28). */
export const GLYPH_SIZE = 28;

/**
 * Stroke skeletons per digit, as SVG-like path strings ('M x y', 'L x y', 'C x1 y1 x2 y2 x y') in
 * a box x ∈ [0, 0.72], y ∈ [0, 1] (y down). `SKELETONS[d]` lists variants; a variant lists strokes.
 */
const SKELETONS: readonly (readonly (readonly string[])[])[] = [
  // 0: an ellipse (two half-ellipse cubics)
  [['M 0.36 0 C 0.81 0 0.81 1 0.36 1 C -0.09 1 -0.09 0 0.36 0']],
  // 1: a plain bar, or a bar with a flag
  [['M 0.36 0 L 0.36 1'], ['M 0.14 0.22 L 0.36 0 L 0.36 1']],
  // 2: hook, diagonal, base
  [['M 0.04 0.25 C 0.1 -0.04 0.62 -0.06 0.64 0.26 C 0.66 0.5 0.25 0.72 0.02 1 L 0.72 0.98']],
  // 3: two bumps meeting in the middle
  [['M 0.06 0.12 C 0.3 -0.08 0.7 0.02 0.62 0.25 C 0.56 0.42 0.38 0.47 0.24 0.48 C 0.56 0.48 0.74 0.62 0.68 0.8 C 0.6 1.04 0.16 1.04 0.02 0.86']],
  // 4: closed top (one stroke) or open top (two strokes)
  [['M 0.52 1 L 0.52 0 L 0.02 0.66 L 0.72 0.66'], ['M 0.1 0 L 0.06 0.6 L 0.72 0.6', 'M 0.56 0.04 L 0.56 1']],
  // 5: one stroke, or the top bar as a second stroke
  [
    ['M 0.66 0.02 L 0.14 0.02 L 0.1 0.44 C 0.3 0.34 0.7 0.38 0.68 0.68 C 0.66 0.98 0.26 1.06 0.02 0.88'],
    ['M 0.14 0.02 L 0.1 0.44 C 0.3 0.34 0.7 0.38 0.68 0.68 C 0.66 0.98 0.26 1.06 0.02 0.88', 'M 0.14 0.02 L 0.66 0.02'],
  ],
  // 6: a curved stem ending in a loop
  [['M 0.56 0.02 C 0.28 0.14 0.06 0.44 0.08 0.72 C 0.1 1.02 0.6 1.02 0.62 0.72 C 0.63 0.44 0.2 0.44 0.1 0.68']],
  // 7: bar and stem, optionally crossed
  [['M 0.02 0.04 L 0.7 0.04 C 0.52 0.3 0.36 0.62 0.28 1'], ['M 0.02 0.04 L 0.7 0.04 C 0.52 0.3 0.36 0.62 0.28 1', 'M 0.22 0.52 L 0.62 0.52']],
  // 8: two loops through the waist
  [['M 0.36 0.48 C 0.02 0.38 0.06 0 0.36 0 C 0.66 0 0.7 0.38 0.36 0.48 C -0.04 0.6 0 1 0.36 1 C 0.74 1 0.76 0.6 0.36 0.48']],
  // 9: a loop with a curved or straight tail
  [
    ['M 0.6 0.28 C 0.6 -0.02 0.1 -0.02 0.08 0.26 C 0.06 0.52 0.56 0.56 0.6 0.28 C 0.62 0.58 0.56 0.8 0.46 1'],
    ['M 0.6 0.28 C 0.6 -0.02 0.1 -0.02 0.08 0.26 C 0.06 0.52 0.56 0.56 0.6 0.28 L 0.58 1'],
  ],
];

/** A parsed stroke: control points (x0, y0, x1, y1, …) and, per segment, 'L' or 'C'. */
interface Stroke {
  points: number[];
  ops: ('L' | 'C')[];
}

const PARSED: Stroke[][][] = SKELETONS.map((variants) => variants.map((v) => v.map(parsePath)));

/** Parse the tiny path syntax above. Malformed skeletons are our bug, hence plain Errors. */
function parsePath(d: string): Stroke {
  const tok = d.trim().split(/\s+/);
  if (tok[0] !== 'M') throw new Error(`glyph skeleton must start with M: '${d}'`);
  const num = (i: number): number => {
    const v = Number(tok[i]);
    if (!Number.isFinite(v)) throw new Error(`bad number '${tok[i]}' in glyph skeleton '${d}'`);
    return v;
  };
  const points = [num(1), num(2)];
  const ops: ('L' | 'C')[] = [];
  let i = 3;
  while (i < tok.length) {
    const op = tok[i];
    if (op === 'L') {
      points.push(num(i + 1), num(i + 2));
      i += 3;
    } else if (op === 'C') {
      for (let k = 1; k <= 6; k++) points.push(num(i + k));
      i += 7;
    } else throw new Error(`unknown op '${op}' in glyph skeleton '${d}'`);
    ops.push(op);
  }
  return { points, ops };
}

/** Ranges of the random "hand"; exported so tests and the manifest can state them. */
export const GLYPH_PARAMS = {
  jitter: 0.03, // σ of control-point jitter, in units of the digit height
  aspect: [0.8, 1.2], // horizontal stretch
  slant: [0.2, 0.2, -0.25, 0.65], // shear ~ N(mean, σ) clipped to [lo, hi]
  rotation: 0.08, // σ of rotation, radians
  warp: 0.035, // amplitude of each elastic plane wave, in units of the digit height
  box: [15, 20], // extent of the larger side of the ink, pixels
  radius: [0.9, 1.7], // pen radius, pixels
} as const;

/**
 * Draw one random instance of `digit` as a (28, 28) uint8 image (row-major, white on black).
 * Same `rng` state → same glyph. `out`, if given, must hold 784 bytes and is overwritten.
 */
export function renderGlyph(digit: number, rng: Rng, out?: Uint8Array): Uint8Array {
  if (!(Number.isInteger(digit) && digit >= 0 && digit <= 9)) throw new RangeError(`digit must be 0..9, got ${digit}`);
  const P = GLYPH_PARAMS;
  const img = out ?? new Uint8Array(GLYPH_SIZE * GLYPH_SIZE); // (28, 28) uint8
  if (img.length !== GLYPH_SIZE * GLYPH_SIZE) throw new RangeError(`renderGlyph: out must hold ${GLYPH_SIZE * GLYPH_SIZE} bytes`);

  // 1. skeleton variant + control-point jitter; 2. sample into polylines (unit coordinates)
  const strokes = jitterStrokes(rng.pick(PARSED[digit]!), rng, P.jitter);
  const lines = strokes.map(samplePolyline);

  // 3. affine hand: about the box centre, stretch x, shear (top leans right for slant > 0), rotate
  const aspect = rng.uniform(P.aspect[0], P.aspect[1]);
  const slant = clamp(P.slant[0] + P.slant[1] * rng.normal(), P.slant[2], P.slant[3]);
  const rot = P.rotation * rng.normal();
  const cr = Math.cos(rot);
  const sr = Math.sin(rot);
  // 4. elastic warp: two plane waves per axis, wavelengths of roughly 1.5–6 digit heights
  const waves: number[] = [];
  for (let k = 0; k < 4; k++) waves.push(rng.uniform(-4, 4), rng.uniform(-4, 4), rng.uniform(0, 2 * Math.PI), P.warp * rng.normal());
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const pts of lines) {
    for (let i = 0; i < pts.length; i += 2) {
      let x = (pts[i]! - 0.36) * aspect;
      const y = pts[i + 1]! - 0.5;
      x -= slant * y;
      let u = cr * x - sr * y;
      let v = sr * x + cr * y;
      u += waves[3]! * Math.sin(waves[0]! * u + waves[1]! * v + waves[2]!) + waves[7]! * Math.sin(waves[4]! * u + waves[5]! * v + waves[6]!);
      v += waves[11]! * Math.sin(waves[8]! * u + waves[9]! * v + waves[10]!) + waves[15]! * Math.sin(waves[12]! * u + waves[13]! * v + waves[14]!);
      pts[i] = u;
      pts[i + 1] = v;
      minX = Math.min(minX, u); maxX = Math.max(maxX, u); minY = Math.min(minY, v); maxY = Math.max(maxY, v);
    }
  }

  // 5. fit the ink (skeleton extent plus pen) into a box, centred with a little jitter
  const radius = rng.uniform(P.radius[0], P.radius[1]);
  const extent = rng.uniform(P.box[0], P.box[1]);
  const scale = (extent - 2 * radius) / Math.max(maxX - minX, maxY - minY, 1e-6);
  const cx = GLYPH_SIZE / 2 + 0.5 * rng.normal();
  const cy = GLYPH_SIZE / 2 + 0.5 * rng.normal();
  const ox = cx - ((minX + maxX) / 2) * scale;
  const oy = cy - ((minY + maxY) / 2) * scale;
  for (const pts of lines) {
    for (let i = 0; i < pts.length; i += 2) {
      pts[i] = ox + pts[i]! * scale;
      pts[i + 1] = oy + pts[i + 1]! * scale;
    }
  }

  // 6. rasterise with a pen radius that swells and thins along each stroke ("pressure")
  const cov = new Float32Array(GLYPH_SIZE * GLYPH_SIZE); // (28, 28) coverage in [0, 1]
  for (const pts of lines) {
    const freq = rng.uniform(0.5, 1.5);
    const phase = rng.uniform(0, 2 * Math.PI);
    const nSeg = pts.length / 2 - 1;
    for (let s = 0; s < nSeg; s++) {
      const t = (s + 0.5) / nSeg;
      const r = radius * (1 + 0.18 * Math.sin(2 * Math.PI * freq * t + phase));
      drawSegment(cov, pts[2 * s]!, pts[2 * s + 1]!, pts[2 * s + 2]!, pts[2 * s + 3]!, r);
    }
  }
  for (let i = 0; i < img.length; i++) img[i] = Math.round(255 * cov[i]!);
  return img;
}

/** Copy the variant's strokes with Gaussian jitter; points that coincide in the skeleton stay joined. */
function jitterStrokes(variant: readonly Stroke[], rng: Rng, sigma: number): Stroke[] {
  const moved = new Map<string, [number, number]>();
  return variant.map((s) => {
    const points = s.points.slice();
    for (let i = 0; i < points.length; i += 2) {
      const key = `${points[i]},${points[i + 1]}`;
      let d = moved.get(key);
      if (!d) {
        d = [sigma * rng.normal(), sigma * rng.normal()];
        moved.set(key, d);
      }
      points[i] = points[i]! + d[0];
      points[i + 1] = points[i + 1]! + d[1];
    }
    return { points, ops: s.ops };
  });
}

/** Sample a stroke into a polyline [x0, y0, x1, y1, …]: 14 steps per cubic, ≤ 0.08-unit steps per line. */
function samplePolyline(s: Stroke): number[] {
  const p = s.points;
  const out = [p[0]!, p[1]!];
  let j = 0; // index of the current segment's start point (in points, not coordinates)
  for (const op of s.ops) {
    const x0 = p[2 * j]!, y0 = p[2 * j + 1]!;
    if (op === 'L') {
      const x1 = p[2 * j + 2]!, y1 = p[2 * j + 3]!;
      const n = Math.max(2, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 0.08));
      for (let k = 1; k <= n; k++) out.push(x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n);
      j += 1;
    } else {
      const [x1, y1, x2, y2, x3, y3] = [p[2 * j + 2]!, p[2 * j + 3]!, p[2 * j + 4]!, p[2 * j + 5]!, p[2 * j + 6]!, p[2 * j + 7]!];
      const n = 14;
      for (let k = 1; k <= n; k++) {
        const t = k / n;
        const m = 1 - t;
        const b0 = m * m * m, b1 = 3 * m * m * t, b2 = 3 * m * t * t, b3 = t * t * t;
        out.push(b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3, b0 * y0 + b1 * y1 + b2 * y2 + b3 * y3);
      }
      j += 3;
    }
  }
  return out;
}

/**
 * Max-composite one round-capped segment of radius r into `cov` (28×28). A pixel centre at
 * distance d from the segment gets coverage clamp((r + 0.6 − d) / 1.2, 0, 1): a 1.2 px linear
 * edge ramp, i.e. a cheap box-filter anti-aliasing. Only the segment's bounding box is visited.
 */
function drawSegment(cov: Float32Array, ax: number, ay: number, bx: number, by: number, r: number): void {
  const pad = r + 0.6;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - pad));
  const x1 = Math.min(GLYPH_SIZE - 1, Math.ceil(Math.max(ax, bx) + pad));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - pad));
  const y1 = Math.min(GLYPH_SIZE - 1, Math.ceil(Math.max(ay, by) + pad));
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5;
      let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - (ax + t * dx);
      const ey = py - (ay + t * dy);
      const d = Math.sqrt(ex * ex + ey * ey);
      const c = (pad - d) / 1.2;
      if (c <= 0) continue;
      const i = y * GLYPH_SIZE + x;
      const v = c >= 1 ? 1 : c;
      if (v > cov[i]!) cov[i] = v;
    }
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
