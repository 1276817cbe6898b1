import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { describeFileError, FileError } from './errors.ts';

/**
 * One reused read buffer: 256 KB is past the point where bigger reads stop paying off, and
 * small enough to be nothing next to the engine's working set. (fs.createReadStream would
 * allocate a fresh chunk per read and leave them all for the garbage collector, which is what
 * inflates peak RSS on multi-gigabyte files.)
 */
export const READ_BUFFER_BYTES = 256 * 1024;

export interface InputFile {
  path: string;
  fd: number;
  size: number;
}

/** Opens a dataset for reading or throws a FileError that says what is wrong. */
export function openInputFile(path: string): InputFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new FileError(describeFileError(path, err));
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) {
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    return { path, fd, size: stat.size };
  } catch (err) {
    closeSync(fd);
    throw new FileError(describeFileError(path, err));
  }
}

/**
 * Reads the whole file through one buffer. `onChunk` sees a view of that buffer which is only
 * valid until it returns (or its promise settles): consumers must decode or copy before then.
 * It may return a promise to apply backpressure (the token workers falling behind).
 */
export async function readChunks(
  file: InputFile,
  onChunk: (chunk: Uint8Array, bytesRead: number) => void | Promise<void>,
  bufferBytes = READ_BUFFER_BYTES,
): Promise<number> {
  // One buffer for the whole file: consumers copy what they keep (Utf8LineReader does).
  // A Buffer, so that searching it for newlines runs Node's memchr.
  const buffer = Buffer.allocUnsafeSlow(bufferBytes);
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(file.fd, buffer, 0, buffer.length, null);
    } catch (err) {
      throw new FileError(describeFileError(file.path, err));
    }
    if (n === 0) return total;
    total += n;
    const pending = onChunk(buffer.subarray(0, n), total);
    if (pending) await pending;
  }
}

export function closeInputFile(file: InputFile): void {
  try {
    closeSync(file.fd);
  } catch {
    // Closing a file we only read cannot lose data; nothing useful to report.
  }
}
