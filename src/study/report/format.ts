/**
 * Text helpers shared by the report's parts: HTML escaping, number and interval formatting, and
 * the family names and colours (Okabe & Ito's colour-blind-safe palette, https://jfly.uni-koeln.de/color/).
 */
import type { Family, Interval } from '../results.js';

/** Escape text for HTML element content and double-quoted attribute values. */
export function esc(s: string | number): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The dash shown where there is no number. */
export const NONE = '—';

/**
 * Decimals that give about three significant digits to the largest |value| (0 to 5), and one
 * significant digit to the smallest interval half-width (at most two more).
 * @example decimalsFor([0.312, 0.287]) // 3
 * @example decimalsFor([512.3]) // 0
 */
export function decimalsFor(values: readonly number[], halfWidths: readonly number[] = []): number {
  const finite = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  if (finite.length === 0) return 2;
  const base = Math.min(5, Math.max(0, 2 - Math.floor(Math.log10(Math.max(...finite)))));
  const w = halfWidths.filter((x) => Number.isFinite(x) && x > 0);
  if (w.length === 0) return base;
  const need = Math.ceil(-Math.log10(Math.min(...w)));
  return Math.min(base + 2, Math.max(base, need), 6);
}

/** A number with fixed decimals, a true minus sign, and "—" for null or non-finite. */
export function formatNumber(x: number | null | undefined, decimals = decimalsFor(x == null ? [] : [x])): string {
  if (x == null || !Number.isFinite(x)) return NONE;
  const s = x.toFixed(decimals);
  const neg = /^-0(\.0*)?$/.test(s) ? s.slice(1) : s; // no "-0.00"
  return neg.replace(/^-/, '\u2212');
}

/**
 * "mean [low, high]" with the 95% interval over seeds; only the mean when n = 1 (the interval is
 * then the point itself), "—" for null.
 * @example formatInterval({ mean: 0.3123, low: 0.29, high: 0.3341, n: 3 }) // '0.312 [0.290, 0.334]'
 */
export function formatInterval(iv: Interval | null | undefined, decimals?: number): string {
  if (!iv) return NONE;
  const d = decimals ?? decimalsFor([iv.mean, iv.low, iv.high], [(iv.high - iv.low) / 2]);
  if (iv.n <= 1) return formatNumber(iv.mean, d);
  return `${formatNumber(iv.mean, d)} [${formatNumber(iv.low, d)}, ${formatNumber(iv.high, d)}]`;
}

/** Seconds as "42 s", "3.5 min" or "1.2 h". */
export function formatSeconds(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s)) return NONE;
  if (s < 90) return `${formatNumber(s, s < 10 ? 1 : 0)} s`;
  if (s < 5400) return `${formatNumber(s / 60, 1)} min`;
  return `${formatNumber(s / 3600, 1)} h`;
}

/** Family display order, names and colours (text colours meet WCAG AA 4.5:1 on white). */
export const FAMILIES: readonly Family[] = ['joint', 'specialised', 'reference'];

export const FAMILY_NAME: Record<Family, string> = {
  joint: 'Joint text–video latent',
  specialised: 'Specialised video latent',
  reference: 'Reference',
};

/** Okabe–Ito blue, vermillion (darkened for text contrast) and a neutral gray. */
export const FAMILY_COLOUR: Record<Family, string> = {
  joint: '#0072b2',
  specialised: '#c4500a',
  reference: '#666666',
};
