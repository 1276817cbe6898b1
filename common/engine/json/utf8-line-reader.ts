/**
 * Splits a stream of UTF-8 bytes into decoded lines with bounded memory: at most one chunk
 * plus the longest line is held at a time. It uses only Uint8Array and TextDecoder, so the
 * same code runs in Node, Deno and browsers.
 *
 * Usage:
 *
 *   const reader = new Utf8LineReader((line) => validate(line));
 *   for await (const chunk of stream) reader.push(chunk);
 *   reader.end();
 *
 * `push` calls `onLine` synchronously for every line the chunk completes, in order. The reader
 * does not keep a reference to the chunk after `push` returns (the unfinished tail is copied),
 * so callers may reuse their buffer. `end` emits the last line when the input does not end
 * with a newline; a final newline does not create an extra empty line. An exception thrown by
 * `onLine` propagates out of `push` or `end`; the reader must then be discarded.
 */
import { findInvalidUtf8 } from './find-invalid-utf8.ts';

export interface InvalidUtf8 {
  /** UTF-16 column in `text` of the U+FFFD that replaced the first ill-formed sequence. */
  column: number;
  /** Offset in the file of the first byte of that sequence. */
  byteOffset: number;
}

export interface ReaderLine {
  /** The decoded line without its '\n', without the '\r' of a CRLF and without a leading BOM. */
  text: string;
  /** 0-based line number. */
  index: number;
  /** Offset in the file of the first byte of `text` (after the BOM on line 0). */
  byteOffset: number;
  /** Number of bytes of `text` in the file, line terminator excluded. */
  byteLength: number;
  /** Set when the line is not valid UTF-8; `text` then holds U+FFFD replacements. */
  invalidUtf8: InvalidUtf8 | undefined;
}

export type LineHandler = (line: ReaderLine) => void;

/**
 * Offered each line's bytes before it is decoded (`bytes[start, end)`, without the line
 * terminator; valid only during the call). Returning true consumes the line: it is counted but
 * neither decoded nor passed to the LineHandler. Line 0 is never offered (it may hold a BOM).
 */
export type ByteLineHandler = (bytes: Uint8Array, start: number, end: number) => boolean;

const LF = 10;
const CR = 13;

const STREAM: TextDecodeOptions = { stream: true };

/** How a line ended: the end of the input, "\n" or "\r\n". */
const Terminator = { None: 0, Lf: 1, CrLf: 2 } as const;
type Terminator = (typeof Terminator)[keyof typeof Terminator];

function createStrictDecoder(): TextDecoder {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
}

export class Utf8LineReader {
  /** True when the input started with a UTF-8 byte order mark (stripped from line 0). */
  hadBom = false;
  /** Number of lines terminated by "\r\n". */
  crlfLineCount = 0;
  /** Number of lines terminated by a bare "\n". */
  lfLineCount = 0;
  /** Number of lines emitted so far. */
  lineCount = 0;
  /** Number of bytes pushed so far. */
  byteCount = 0;
  /** True when the last byte pushed was '\n' (meaningful after `end`). */
  endedWithNewline = false;

  private readonly onLine: LineHandler;
  private readonly onBytes: ByteLineHandler | undefined;
  /** The bytes of the unfinished last line, as copied pieces (joined once the line ends). */
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  private ended = false;
  /** Whether the last block decoded was pure ASCII; it picks the faster decoding mode. */
  private lastBlockWasAscii = true;
  // The fatal decoder turns validation into one native pass over a whole block; the lenient
  // one decodes lines that fail it, with U+FFFD replacements, so analysis can continue.
  private strictDecoder = createStrictDecoder();
  private readonly lenientDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(onLine: LineHandler, onBytes?: ByteLineHandler) {
    this.onLine = onLine;
    this.onBytes = onBytes;
  }

  /** Feeds the next bytes; calls `onLine` for each line they complete. */
  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error('Utf8LineReader: push() after end()');
    const length = chunk.length;
    if (length === 0) return;
    const base = this.byteCount;
    this.byteCount += length;
    this.endedWithNewline = chunk[length - 1] === LF;

    const firstNewline = chunk.indexOf(LF);
    if (firstNewline < 0) {
      this.keep(chunk);
      return;
    }
    let start = 0;
    if (this.pendingLength > 0) {
      // The first newline completes a line that began in an earlier chunk.
      const lineOffset = base - this.pendingLength;
      this.keep(chunk.subarray(0, firstNewline));
      this.emitBytes(this.takePending(), lineOffset, true);
      start = firstNewline + 1;
    }
    const lastNewline = chunk.lastIndexOf(LF);
    if (lastNewline >= start) this.emitBlock(chunk, start, lastNewline + 1, base);
    if (lastNewline + 1 < length) this.keep(chunk.subarray(lastNewline + 1));
  }

  /** Signals the end of the input and emits the last line if it has no newline. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.pendingLength > 0) {
      const offset = this.byteCount - this.pendingLength;
      this.emitBytes(this.takePending(), offset, false);
    }
  }

  /**
   * Emits the complete lines in `chunk[start, end)`, which ends with '\n'. The whole block is
   * decoded at once; a block that is not valid UTF-8 is redone line by line.
   */
  private emitBlock(chunk: Uint8Array, start: number, end: number, base: number): void {
    const onBytes = this.onBytes;
    if (onBytes !== undefined) {
      // Lines are offered one by one; only those the handler declines are decoded.
      let byte = start;
      while (byte < end) {
        const newline = chunk.indexOf(LF, byte);
        const crlf = newline > byte && chunk[newline - 1] === CR;
        if (this.lineCount > 0 && onBytes(chunk, byte, crlf ? newline - 1 : newline)) {
          this.lineCount++;
          if (crlf) this.crlfLineCount++;
          else this.lfLineCount++;
        } else {
          this.emitBytes(chunk.subarray(byte, newline), base + byte, true, false);
        }
        byte = newline + 1;
      }
      return;
    }
    let text: string;
    try {
      // The block ends with '\n', so a streaming decode never holds bytes back. The mode only
      // changes speed: Node decodes ASCII about 6x faster in one-shot mode and some non-ASCII
      // text about 1.5x faster in streaming mode, so follow what the previous block was.
      const block = chunk.subarray(start, end);
      text = this.lastBlockWasAscii
        ? this.strictDecoder.decode(block)
        : this.strictDecoder.decode(block, STREAM);
    } catch {
      // A decoder that threw may keep partial state; start afresh.
      this.strictDecoder = createStrictDecoder();
      this.emitLinesOneByOne(chunk, start, end, base);
      return;
    }
    let from = 0;
    this.lastBlockWasAscii = text.length === end - start;
    if (this.lastBlockWasAscii) {
      // Only pure ASCII decodes to as many UTF-16 units as bytes, so character offsets are
      // byte offsets and the bytes need no second scan.
      for (;;) {
        const newline = text.indexOf('\n', from);
        if (newline < 0) return;
        const crlf = newline > from && text.charCodeAt(newline - 1) === CR;
        const lineEnd = crlf ? newline - 1 : newline;
        this.emit(
          text.slice(from, lineEnd),
          base + start + from,
          lineEnd - from,
          crlf ? Terminator.CrLf : Terminator.Lf,
          undefined,
        );
        from = newline + 1;
      }
    }
    // Multi-byte text: walk the newlines of the string and of the bytes side by side.
    let byte = start;
    for (;;) {
      const newline = text.indexOf('\n', from);
      if (newline < 0) return;
      const byteNewline = chunk.indexOf(LF, byte);
      const crlf = newline > from && text.charCodeAt(newline - 1) === CR;
      const lineEnd = crlf ? newline - 1 : newline;
      const byteLength = byteNewline - byte - (crlf ? 1 : 0);
      const terminator = crlf ? Terminator.CrLf : Terminator.Lf;
      this.emit(text.slice(from, lineEnd), base + byte, byteLength, terminator, undefined);
      from = newline + 1;
      byte = byteNewline + 1;
    }
  }

  private emitLinesOneByOne(chunk: Uint8Array, start: number, end: number, base: number): void {
    let byte = start;
    while (byte < end) {
      const newline = chunk.indexOf(LF, byte);
      this.emitBytes(chunk.subarray(byte, newline), base + byte, true);
      byte = newline + 1;
    }
  }

  /** Emits one line given as bytes without its '\n'; `terminated` says whether it had one. */
  private emitBytes(
    bytes: Uint8Array,
    byteOffset: number,
    terminated: boolean,
    offer = true,
  ): void {
    let length = bytes.length;
    const crlf = terminated && length > 0 && bytes[length - 1] === CR;
    if (crlf) length--;
    const terminator = crlf ? Terminator.CrLf : terminated ? Terminator.Lf : Terminator.None;
    if (
      offer &&
      this.onBytes !== undefined &&
      this.lineCount > 0 &&
      this.onBytes(bytes, 0, length)
    ) {
      this.lineCount++;
      if (terminator === Terminator.CrLf) this.crlfLineCount++;
      else if (terminator === Terminator.Lf) this.lfLineCount++;
      return;
    }
    const content = bytes.subarray(0, length);
    let text: string;
    let invalid: InvalidUtf8 | undefined;
    try {
      // Not streaming: a sequence cut short by the end of the line must count as invalid.
      text = this.strictDecoder.decode(content);
    } catch {
      this.strictDecoder = createStrictDecoder();
      text = this.lenientDecoder.decode(content);
      const invalidAt = findInvalidUtf8(content);
      // Everything before the first ill-formed byte is valid, so its decoded length is the
      // column of the first replacement character.
      const column = this.lenientDecoder.decode(content.subarray(0, invalidAt)).length;
      invalid = { column, byteOffset: byteOffset + invalidAt };
    }
    this.emit(text, byteOffset, length, terminator, invalid);
  }

  private emit(
    text: string,
    byteOffset: number,
    byteLength: number,
    terminator: Terminator,
    invalidUtf8: InvalidUtf8 | undefined,
  ): void {
    const index = this.lineCount++;
    if (terminator === Terminator.CrLf) this.crlfLineCount++;
    else if (terminator === Terminator.Lf) this.lfLineCount++;
    // A U+FEFF at the start of line 0 can only come from the bytes EF BB BF (a replaced
    // ill-formed sequence decodes to U+FFFD), so it is the byte order mark.
    if (index === 0 && text.charCodeAt(0) === 0xfeff && byteOffset === 0) {
      this.hadBom = true;
      text = text.slice(1);
      byteOffset += 3;
      byteLength -= 3;
      if (invalidUtf8 !== undefined) invalidUtf8.column--;
    }
    this.onLine({ text, index, byteOffset, byteLength, invalidUtf8 });
  }

  /** Copies bytes of the unfinished line, so the caller's buffer may be reused. */
  private keep(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // Through the prototype: a Node Buffer's own `slice` returns a view, not a copy, and the
    // caller reuses its buffer for the next read.
    this.pending.push(Uint8Array.prototype.slice.call(bytes));
    this.pendingLength += bytes.length;
  }

  private takePending(): Uint8Array {
    const parts = this.pending;
    let joined: Uint8Array;
    if (parts.length === 1) {
      joined = parts[0];
    } else {
      joined = new Uint8Array(this.pendingLength);
      let at = 0;
      for (const part of parts) {
        joined.set(part, at);
        at += part.length;
      }
    }
    this.pending = [];
    this.pendingLength = 0;
    return joined;
  }
}
