/**
 * Progress display for training: one line rewritten in place on a terminal (no dependency, just
 * `\r` and "erase line"), plain summary lines in logs, or silence.
 */

/**
 * 'auto' (default): a live bar and epoch lines on a terminal, nothing otherwise; 'bar': the same
 * even when the stream is not a terminal; 'lines': only the epoch summary lines (for CI logs);
 * 'none': silent.
 */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** Where progress goes: any writable stream; `isTTY` and `columns` are read when present. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Default 'auto'. */
  mode?: ProgressMode;
  /** Default `process.stderr`. */
  stream?: ProgressStream;
  /** Least time between two redraws of the bar, in ms. Default 100. */
  minIntervalMs?: number;
}

/**
 * `1234567` → `1.23M`, `12345` → `12.3k`, `12.3` → `12.3`.
 *
 * @example
 * ```ts
 * formatCount(12345); // '12.3k'
 * ```
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(n / 1e3).toPrecision(3)}k`;
  return a >= 100 ? n.toFixed(0) : n.toPrecision(3);
}

/**
 * Seconds as `1h02m`, `3m05s` or `12s`.
 *
 * @example
 * ```ts
 * formatDuration(185); // '3m05s'
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * A progress line: `update` redraws a bar (throttled), `line` prints a permanent line above it.
 *
 * @example
 * ```ts
 * const p = new Progress();
 * for (let i = 1; i <= n; i++) p.update('epoch 1/3', i, n, `loss ${loss.toFixed(4)}`);
 * p.line('epoch 1/3: loss 0.4123');
 * p.end();
 * ```
 */
export class Progress {
  private readonly stream: ProgressStream;
  private readonly bar: boolean;
  private readonly lines: boolean;
  private readonly minInterval: number;
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    const mode = opts.mode ?? 'auto';
    const tty = this.stream.isTTY === true;
    this.bar = mode === 'bar' || (mode === 'auto' && tty);
    this.lines = this.bar || mode === 'lines';
    this.minInterval = opts.minIntervalMs ?? 100;
  }

  /** Redraws the bar: `label [####----] done/total detail` (throttled, except for the last step). */
  update(label: string, done: number, total: number | null, detail: string): void {
    if (!this.bar) return;
    const now = performance.now();
    if (now - this.lastDraw < this.minInterval && done !== total) return;
    this.lastDraw = now;
    const width = 20;
    const filled = total ? Math.min(width, Math.round((width * done) / total)) : 0;
    const bar = total ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}` : `${done}`;
    this.draw(`${label} ${bar} ${detail}`);
  }

  /** Prints a permanent line (the bar, if any, is cleared first and redrawn by the next update). */
  line(text: string): void {
    if (!this.lines) return;
    this.clear();
    this.stream.write(`${text}\n`);
  }

  /** Clears the bar. */
  end(): void {
    this.clear();
  }

  private draw(text: string): void {
    const cols = this.stream.columns ?? 100;
    const fitted = text.length > cols - 1 ? `${text.slice(0, Math.max(0, cols - 2))}…` : text;
    this.stream.write(`\r\x1b[2K${fitted}`);
    this.drawn = true;
  }

  private clear(): void {
    if (!this.drawn) return;
    this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
