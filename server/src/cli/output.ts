/**
 * The CLI's only way to print. Writes go straight to the process streams; a reader that goes
 * away (`brightrun validate big.jsonl | head`) closes the pipe, and the CLI must then stop
 * printing quietly instead of crashing with EPIPE.
 */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Resolves once everything written so far has been handed to the OS. */
  drain(): Promise<void>;
  /** Draws a transient status line on stderr (progress), replacing the previous one. */
  status(text: string): void;
  /** Erases the status line, if one is drawn. */
  clearStatus(): void;
  /** True when stdout's reader has gone away; long runs may stop early. */
  readonly stdoutClosed: boolean;
  readonly stderrIsTTY: boolean;
}

class ProcessOutput implements Output {
  stdoutClosed = false;
  private stderrClosed = false;
  private statusDrawn = false;
  readonly stderrIsTTY = process.stderr.isTTY === true;

  constructor() {
    // Without a listener an EPIPE becomes an uncaught exception with a stack trace.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.stdoutClosed = true;
    });
    process.stderr.on('error', () => {
      this.stderrClosed = true;
    });
  }

  out(text: string): void {
    // A diagnostic printed to the same terminal would otherwise continue the progress line.
    if (this.statusDrawn) this.clearStatus();
    if (!this.stdoutClosed) process.stdout.write(text);
  }

  status(text: string): void {
    this.err(`\r\x1b[K${text}`);
    this.statusDrawn = true;
  }

  clearStatus(): void {
    if (!this.statusDrawn) return;
    this.statusDrawn = false;
    this.err('\r\x1b[K');
  }

  err(text: string): void {
    if (!this.stderrClosed) process.stderr.write(text);
  }

  async drain(): Promise<void> {
    // A stream whose reader is gone never drains; waiting for it would hang the exit.
    await Promise.all([
      this.stdoutClosed ? undefined : flush(process.stdout),
      this.stderrClosed ? undefined : flush(process.stderr),
    ]);
  }
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  if (!stream.writableNeedDrain || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}

let shared: Output | undefined;

/** One instance per process so the EPIPE listeners are installed once. */
export function processOutput(): Output {
  shared ??= new ProcessOutput();
  return shared;
}
