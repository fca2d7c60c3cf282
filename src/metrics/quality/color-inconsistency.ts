/**
 * `color_inconsistency` (secondary): how much the colour channels disagree, a check for colour
 * casts and chroma noise, e.g. a model trained on gray data that emits tinted RGB. Per pixel, the
 * population standard deviation of its (R, G, B) values in [0, 1]:
 *   s(t, y, x) = sqrt(((R − m)² + (G − m)² + (B − m)²) / 3),  m = (R + G + B) / 3
 * per video: mean of s over frames and pixels; aggregate: mean over videos. A gray pixel
 * (R = G = B) gives 0, so a gray video (one channel) is 0 by definition (with a note), and a
 * saturated natural video is legitimately > 0: compare with `aggregates.reference` (real videos).
 */
import type { VideoU8 } from '../../media/video.js';
import { videoStatMetric, type VideoStat } from './video-stat.js';

function colorStat(v: VideoU8): VideoStat {
  if (v.channels === 1) return { value: 0, note: 'gray video: one channel, no colour inconsistency' };
  const n = v.frames * v.height * v.width;
  if (n === 0) return { value: NaN, note: 'empty video' };
  const d = v.data;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [d[3 * i]! / 255, d[3 * i + 1]! / 255, d[3 * i + 2]! / 255];
    const m = (r + g + b) / 3;
    s += Math.sqrt(((r - m) ** 2 + (g - m) ** 2 + (b - m) ** 2) / 3);
  }
  return { value: s / n };
}

export const colorInconsistency = videoStatMetric({
  name: 'color_inconsistency',
  summary: 'Mean per-pixel std of the R, G, B values (0 for gray); secondary colour check',
  reference: 'project definition (channel disagreement, population std over R, G, B in [0,1])',
  higherIsBetter: false,
  stat: colorStat,
  settings: { range: '[0,1]', perPixel: 'population std over (R, G, B)', gray: 0 },
});
