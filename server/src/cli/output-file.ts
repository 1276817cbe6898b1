import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeFileError, FileError } from './errors.ts';

/** Flush to disk in blocks this large: few system calls, little memory. */
const BLOCK_CHARS = 256 * 1024;

/**
 * A file written atomically: the text goes to a temporary file beside the target, which is
 * renamed over it only by `commit`. A failure (or `abort`) removes the temporary file, so the
 * target is either untouched or complete, never half written.
 */
export class AtomicOutputFile {
  private readonly tempPath: string;
  private fd: number | undefined;
  private block: string[] = [];
  private blockChars = 0;
  /** Bytes written so far. */
  bytes = 0;

  constructor(private readonly path: string) {
    const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    this.tempPath = join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
    try {
      this.fd = openSync(this.tempPath, 'wx');
    } catch (err) {
      throw new FileError(describeFileError(path, err, 'write'));
    }
  }

  /** Appends one line (a newline is added). */
  writeLine(text: string): void {
    this.block.push(text, '\n');
    this.blockChars += text.length + 1;
    if (this.blockChars >= BLOCK_CHARS) this.flush();
  }

  /** Writes what is buffered and moves the file into place. */
  commit(): void {
    this.flush();
    this.closeFd();
    try {
      renameSync(this.tempPath, this.path);
    } catch (err) {
      this.abort();
      throw new FileError(describeFileError(this.path, err, 'write'));
    }
  }

  /** Drops the temporary file; the target is left as it was. Safe to call more than once. */
  abort(): void {
    this.closeFd();
    rmSync(this.tempPath, { force: true });
  }

  private flush(): void {
    if (this.block.length === 0 || this.fd === undefined) return;
    const data = Buffer.from(this.block.join(''), 'utf8');
    this.block = [];
    this.blockChars = 0;
    try {
      let offset = 0;
      while (offset < data.length) offset += writeSync(this.fd, data, offset);
    } catch (err) {
      this.abort();
      throw new FileError(describeFileError(this.path, err, 'write'));
    }
    this.bytes += data.length;
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}
