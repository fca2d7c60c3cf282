/**
 * Small inline-SVG helpers for the report's charts: "nice" axis ticks (Heckbert, "Nice numbers
 * for graph labels", Graphics Gems 1990), linear and log scales, and the family marker shapes
 * (a second cue beside colour, for colour-blind readers and gray-scale prints).
 */
import type { Family } from '../results.js';
import { esc, formatNumber } from './format.js';

/** The nice number near x: 1, 2, 5 or 10 times a power of ten (rounded, or the ceiling). */
function nice(x: number, round: boolean): number {
  const e = Math.floor(Math.log10(x));
  const f = x / 10 ** e;
  const n = round ? (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) : f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return n * 10 ** e;
}

/**
 * About `count` evenly spaced round tick values covering [lo, hi], the domain widened to them.
 * @example niceTicks(0.27, 0.33, 4) // { lo: 0.25, hi: 0.35, step: 0.05, ticks: [0.25, 0.3, 0.35] }
 */
export function niceTicks(lo: number, hi: number, count = 5): { lo: number; hi: number; step: number; ticks: number[] } {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const step = nice(nice(hi - lo, false) / Math.max(1, count - 1), true);
  const a = Number((Math.floor(lo / step) * step).toFixed(12));
  const b = Number((Math.ceil(hi / step) * step).toFixed(12));
  const ticks: number[] = [];
  for (let v = a; v <= b + step / 2; v += step) ticks.push(Number(v.toFixed(12)));
  return { lo: a, hi: b, step, ticks };
}

/** Decimals that show the ticks of `step` exactly. */
export function tickDecimals(step: number): number {
  return Math.max(0, Math.min(8, -Math.floor(Math.log10(step) + 1e-9)));
}

/** Log-scale ticks: powers of ten (and 2x, 5x between them when there are few decades). */
export function logTicks(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const mult = b - a <= 2 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = a; e <= b; e++) for (const m of mult) out.push(m * 10 ** e);
  return out.filter((t) => t >= lo * 0.999 && t <= hi * 1.001);
}

/** A map from data to pixels over [d0, d1] -> [p0, p1], linear or logarithmic. */
export function scale(d0: number, d1: number, p0: number, p1: number, log = false): (v: number) => number {
  const f = log ? Math.log10 : (v: number) => v;
  const [a, b] = [f(d0), f(d1)];
  return (v) => p0 + ((f(v) - a) / (b - a || 1)) * (p1 - p0);
}

/** A coordinate rounded to 0.1 px (shorter SVG text). */
export const px = (v: number): string => (Math.round(v * 10) / 10).toString();

/** Marker of a family at (x, y): joint = circle, specialised = diamond, reference = square. */
export function marker(family: Family, x: number, y: number, r: number, colour: string): string {
  if (family === 'joint') return `<circle cx="${px(x)}" cy="${px(y)}" r="${r}" fill="${colour}"/>`;
  if (family === 'specialised') {
    const d = r * 1.25;
    return `<path d="M${px(x)} ${px(y - d)}L${px(x + d)} ${px(y)}L${px(x)} ${px(y + d)}L${px(x - d)} ${px(y)}Z" fill="${colour}"/>`;
  }
  return `<rect x="${px(x - r)}" y="${px(y - r)}" width="${2 * r}" height="${2 * r}" fill="${colour}"/>`;
}

/** A horizontal axis at `y` from `ticks` (grid lines up to `top`), labelled below. */
export function xAxis(ticks: number[], x: (v: number) => number, y: number, top: number, label: string, decimals: number): string {
  const lines = ticks.map((t) => `<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${top}" y2="${y}" class="grid"/>` +
    `<text x="${px(x(t))}" y="${y + 14}" text-anchor="middle" class="tick">${esc(formatNumber(t, decimals))}</text>`).join('');
  const [x0, x1] = [x(ticks[0]!), x(ticks[ticks.length - 1]!)];
  return `${lines}<line x1="${px(x0)}" x2="${px(x1)}" y1="${y}" y2="${y}" class="axis"/>` +
    `<text x="${px((x0 + x1) / 2)}" y="${y + 32}" text-anchor="middle" class="axis-label">${esc(label)}</text>`;
}

/** A vertical axis at `x` from `ticks` (grid lines across to `right`), labelled on the left, rotated. */
export function yAxis(ticks: number[], y: (v: number) => number, x: number, right: number, label: string, fmt: (v: number) => string): string {
  const lines = ticks.map((t) => `<line x1="${x}" x2="${right}" y1="${px(y(t))}" y2="${px(y(t))}" class="grid"/>` +
    `<text x="${x - 5}" y="${px(y(t) + 4)}" text-anchor="end" class="tick">${esc(fmt(t))}</text>`).join('');
  const [y0, y1] = [y(ticks[0]!), y(ticks[ticks.length - 1]!)];
  const mid = (y0 + y1) / 2;
  return `${lines}<line x1="${x}" x2="${x}" y1="${px(y0)}" y2="${px(y1)}" class="axis"/>` +
    `<text transform="translate(${x - 44} ${px(mid)}) rotate(-90)" text-anchor="middle" class="axis-label">${esc(label)}</text>`;
}
