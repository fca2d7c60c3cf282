/**
 * `checkerboard_entropy` (secondary): Shannon entropy of adjacent-pixel differences, a check for
 * checkerboard / high-frequency artefacts (Odena et al. 2016, "Deconvolution and checkerboard
 * artifacts"). Per frame, on gray 0–255 (RGB → BT.601 luma, rounded):
 *   horizontal differences d_h = I(y, x+1) − I(y, x),  vertical d_v = I(y+1, x) − I(y, x)
 *   each an integer in [−255, 255]; H(d) = −Σ_k p_k log2 p_k over its 511-bin histogram (bits)
 *   frame value = (H(d_h) + H(d_v)) / 2
 * Per video: mean over frames (extra: `horizontal`, `vertical`); aggregate: mean over videos.
 * Smooth content concentrates the differences near 0 (low entropy); a period-2 artefact of
 * amplitude δ adds mass at ±δ everywhere and raises it. A constant frame gives 0. Noise and fine
 * texture raise it too: compare with `aggregates.reference` (real videos).
 */
import { toGray, type VideoU8 } from '../../media/video.js';
import { videoStatMetric, type VideoStat } from './video-stat.js';

/** Entropy in bits of a histogram with `total` counts. */
function entropyBits(hist: Uint32Array, total: number): number {
  let h = 0;
  for (const c of hist) if (c > 0) h -= (c / total) * Math.log2(c / total);
  return h;
}

/** Entropies (bits) of the horizontal and vertical differences of one gray frame (H, W) uint8. */
export function differenceEntropies(frame: Uint8Array, h: number, w: number): { horizontal: number; vertical: number } {
  const hh = new Uint32Array(511);
  const hv = new Uint32Array(511);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = frame[y * w + x]!;
      if (x + 1 < w) hh[frame[y * w + x + 1]! - c + 255]!++;
      if (y + 1 < h) hv[frame[(y + 1) * w + x]! - c + 255]!++;
    }
  }
  return { horizontal: entropyBits(hh, h * (w - 1)), vertical: entropyBits(hv, (h - 1) * w) };
}

function checkerboardStat(v: VideoU8): VideoStat {
  if (v.frames === 0 || v.height < 2 || v.width < 2) return { value: NaN, note: 'adjacent differences need frames of at least 2×2 pixels' };
  const g = toGray(v);
  const n = v.height * v.width;
  let sh = 0;
  let sv = 0;
  for (let t = 0; t < v.frames; t++) {
    const e = differenceEntropies(g.data.subarray(t * n, (t + 1) * n), v.height, v.width);
    sh += e.horizontal;
    sv += e.vertical;
  }
  const [horizontal, vertical] = [sh / v.frames, sv / v.frames];
  return { value: (horizontal + vertical) / 2, extra: { horizontal, vertical } };
}

export const checkerboardEntropy = videoStatMetric({
  name: 'checkerboard_entropy',
  summary: 'Entropy (bits) of horizontal/vertical adjacent-pixel differences; secondary spatial check',
  reference: 'Odena et al. 2016 (checkerboard artefacts); Shannon entropy of gray-level differences',
  higherIsBetter: false,
  stat: checkerboardStat,
  extraAggregates: ['horizontal', 'vertical'],
  settings: { scale: '0-255', gray: 'BT.601 luma, rounded', bins: 511, log: 2, frame: 'mean of horizontal and vertical entropies' },
});
