import type { Output } from './output.ts';

/** Files smaller than this finish before a progress line would help. */
export const PROGRESS_MIN_BYTES = 50 * 1024 * 1024;
/** Redraw at most five times a second: more only costs terminal time. */
const REDRAW_MS = 200;

/**
 * A one-line progress meter on stderr (percent and MB/s), redrawn in place with `\r` and
 * erased at the end so it never mixes with the diagnostics or ends up in logs.
 */
export class Progress {
  private readonly started = performance.now();
  // The first draw waits one interval, so a file that finishes quickly never flashes a meter.
  private lastDraw = performance.now();

  private constructor(
    private readonly output: Output,
    private readonly label: string,
    private readonly totalBytes: number,
  ) {}

  /** A meter for this file, or undefined when stderr is not a terminal or the file is small. */
  static forFile(output: Output, label: string, totalBytes: number): Progress | undefined {
    if (!output.stderrIsTTY || totalBytes < PROGRESS_MIN_BYTES) return undefined;
    return new Progress(output, label, totalBytes);
  }

  update(bytesDone: number): void {
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const percent = Math.min(100, (bytesDone / this.totalBytes) * 100);
    const rate = bytesDone / 1e6 / seconds;
    this.output.status(`${this.label}: ${percent.toFixed(0)}% (${rate.toFixed(1)} MB/s)`);
  }

  /** Erases the line so the next output starts clean. */
  clear(): void {
    this.output.clearStatus();
  }
}
