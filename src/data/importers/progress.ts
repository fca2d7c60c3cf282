/**
 * A progress bar on stderr for long imports: redrawn in place on a terminal, and printed as a
 * line every 10% when stderr is a file or pipe (logs stay readable). Warnings go through
 * {@link Progress.warn} so they do not tear the bar.
 */

/** Where progress goes; tests pass a silent sink. */
export interface ProgressSink {
  write(text: string): void;
  isTTY?: boolean;
}

/** `1m05s` style durations. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  const s = Math.round(sec);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Counts finished items out of `total` and shows a bar, the rate and an ETA. */
export class Progress {
  private done = 0;
  private lastDecile = -1;
  private readonly t0 = Date.now();
  private drawn = false;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly sink: ProgressSink | undefined,
  ) {}

  /** One more item finished; `note` is shown after the counts (e.g. "2 skipped"). */
  tick(note = ''): void {
    this.done++;
    this.draw(note);
  }

  /** Print a warning line above the bar. */
  warn(line: string): void {
    if (!this.sink) return;
    if (this.drawn && this.sink.isTTY) this.sink.write('\r\x1b[K');
    this.sink.write(`${line}\n`);
    this.drawn = false;
  }

  /** Finish the bar's line. */
  end(): void {
    if (this.sink && this.drawn && this.sink.isTTY) this.sink.write('\n');
    this.drawn = false;
  }

  private draw(note: string): void {
    if (!this.sink) return;
    const frac = this.total > 0 ? this.done / this.total : 1;
    const elapsed = (Date.now() - this.t0) / 1000;
    const eta = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : NaN;
    const width = 24;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '-');
    const text = `${this.label} [${bar}] ${this.done}/${this.total} ${(frac * 100).toFixed(0)}% ` +
      `elapsed ${formatDuration(elapsed)} eta ${formatDuration(eta)}${note ? `  ${note}` : ''}`;
    if (this.sink.isTTY) {
      this.sink.write(`\r\x1b[K${text}`);
      this.drawn = true;
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== this.lastDecile || this.done === this.total) {
        this.lastDecile = decile;
        this.sink.write(`${text}\n`);
      }
    }
  }
}
