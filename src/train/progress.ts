/**
 * The training progress display on stderr: on a TTY one line redrawn in place (at most ~10 times a
 * second), otherwise plain lines at each log step (for log files and CI).
 *
 *   step 120/1000 [###.....................]  12% | 45.2 vid/s | 0:41 ETA 5:03 | loss 0.01234 rec 0.0101
 */

/** Where progress goes: a stream (stderr) or nothing. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** `m:ss`, or `h:mm:ss` from an hour on; '?' when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const t = Math.round(seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Four significant digits, exponent form for very small or large magnitudes. */
export function formatFigure(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

export class Progress {
  #lastDraw = 0;
  #drawn = false;
  readonly #t0 = performance.now();

  /**
   * @param stream     null: silent
   * @param total      the step budget
   * @param startStep  the step this session started from (0, or the resumed step)
   */
  constructor(
    private readonly stream: ProgressStream | null,
    private readonly total: number,
    /** Steps already done when this session started (for the ETA); set on resume. */
    public startStep: number,
  ) {}

  get isTTY(): boolean {
    return this.stream?.isTTY === true;
  }

  /**
   * After step `step` (completed steps): redraw the bar on a TTY; print a plain line when
   * `logLine` (a log step) and not a TTY.
   */
  update(step: number, figures: Record<string, number>, videosPerS: number, logLine: boolean): void {
    if (!this.stream) return;
    const now = performance.now();
    if (this.isTTY) {
      if (!logLine && step < this.total && now - this.#lastDraw < 100) return;
      this.#lastDraw = now;
      const width = Math.max(40, (this.stream.columns ?? 100) - 1);
      this.stream.write(`\r${this.text(step, figures, videosPerS, now, true).slice(0, width)}\x1b[K`);
      this.#drawn = true;
    } else if (logLine) {
      this.stream.write(this.text(step, figures, videosPerS, now, false) + '\n');
    }
  }

  /** A message on its own line (validation results, checkpoints, warnings), the bar redrawn after. */
  message(text: string): void {
    if (!this.stream) return;
    if (this.#drawn) this.stream.write('\r\x1b[K');
    this.stream.write(text + '\n');
    this.#drawn = false;
    this.#lastDraw = 0;
  }

  /** End the bar's line. */
  done(): void {
    if (this.stream && this.#drawn) this.stream.write('\n');
    this.#drawn = false;
  }

  private text(step: number, figures: Record<string, number>, videosPerS: number, now: number, bar: boolean): string {
    const frac = this.total > 0 ? step / this.total : 1;
    const elapsed = (now - this.#t0) / 1000;
    const doneHere = step - this.startStep;
    const eta = doneHere > 0 ? (elapsed / doneHere) * (this.total - step) : NaN;
    const width = 24;
    const filled = Math.min(width, Math.round(frac * width));
    const parts = [`step ${step}/${this.total}`];
    if (bar) parts[0] += ` [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}%`;
    if (Number.isFinite(videosPerS) && videosPerS > 0) parts.push(`${formatFigure(videosPerS)} vid/s`);
    parts.push(`${formatDuration(elapsed)} ETA ${formatDuration(eta)}`);
    const figs = Object.entries(figures).map(([k, v]) => `${k} ${formatFigure(v)}`);
    if (figs.length > 0) parts.push(figs.join(' ')); // last: what a narrow terminal cuts off
    return parts.join(' | ');
  }
}
