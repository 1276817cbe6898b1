import type { DataCallback, Disposable, Message } from 'vscode-languageserver/node';
import { AbstractMessageReader } from 'vscode-languageserver/node';
import { isAscii } from 'node:buffer';

/** Bodies at least this large that open a document get the streaming decode below. */
const LARGE_BODY = 1 << 20;
/** How much of a large body is looked at to recognise a `didOpen` and find its `text`. */
const SNIFF_BYTES = 4096;
const HEADER_END = Buffer.from('\r\n\r\n');
const TEXT_KEY = Buffer.from('"text":"');
const NEWLINE_ESCAPE = Buffer.from('\\n');
const UNICODE_ESCAPE = Buffer.from('\\u');
/**
 * Escaped bytes decoded at once (at least): above V8's largest regular object (128 KB), so the
 * decoded block is allocated in the large-object space.
 */
const BLOCK = 16 * 1024;

/** A document's text as its lines, and the line break it mostly uses. */
export interface OpenedLines {
  lines: string[];
  eol: '\n' | '\r\n';
}

/** Lines of documents opened through the streaming decode, by their `textDocument` object. */
const openedLines = new WeakMap<object, OpenedLines>();

/**
 * The lines of a `didOpen`'s document when the reader decoded them one by one (its `text` is
 * then empty); undefined for every other message.
 */
export function takeOpenedLines(textDocument: object): OpenedLines | undefined {
  const lines = openedLines.get(textDocument);
  openedLines.delete(textDocument);
  return lines;
}

/**
 * An LSP message reader for a byte stream (stdio) that keeps memory proportional to one copy of
 * a message. vscode-jsonrpc's reader keeps the received chunks, copies them into the body, decodes
 * the body into one string and parses that: a 50 MB `didOpen` holds four copies of the document
 * at once. Here the body is filled in place as chunks arrive, and a large `didOpen` has its
 * `text` decoded line by line straight from the body (each line's JSON string on its own), so
 * at the peak the process holds the body and the document's lines, and never the whole text
 * as one string. Every other message is decoded as usual.
 */
export class StdioMessageReader extends AbstractMessageReader {
  private head: Buffer = Buffer.alloc(0);
  private body: Buffer | undefined;
  private filled = 0;
  /** A large body's first bytes, until it is known whether it opens a document. */
  private sniffed: Buffer | undefined;
  private length = 0;
  /** A large `didOpen` being decoded line by line as it arrives, and its bytes still to come. */
  private stream: OpenStream | undefined;
  private remaining = 0;

  constructor(
    private readonly readable: NodeJS.ReadableStream,
    private readonly onBodyStart: () => void = () => undefined,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    const onData = (chunk: Buffer) => {
      try {
        this.onData(chunk, callback);
      } catch (err) {
        this.fireError(err);
      }
    };
    const onError = (err: Error) => this.fireError(err);
    const onClose = () => this.fireClose();
    this.readable.on('data', onData);
    this.readable.on('error', onError);
    this.readable.on('end', onClose);
    this.readable.on('close', onClose);
    return {
      dispose: () => {
        this.readable.off('data', onData);
        this.readable.off('error', onError);
        this.readable.off('end', onClose);
        this.readable.off('close', onClose);
      },
    };
  }

  private onData(chunk: Buffer, callback: DataCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.stream !== undefined) {
        const n = Math.min(chunk.length - offset, this.remaining);
        this.stream.push(chunk.subarray(offset, offset + n));
        this.remaining -= n;
        offset += n;
        if (this.remaining === 0) this.finishStream(callback);
        continue;
      }
      if (this.sniffed !== undefined) {
        const n = Math.min(chunk.length - offset, SNIFF_BYTES - this.sniffed.length);
        this.sniffed = Buffer.concat([this.sniffed, chunk.subarray(offset, offset + n)]);
        offset += n;
        if (this.sniffed.length === SNIFF_BYTES) this.startBody();
        continue;
      }
      if (this.body === undefined) {
        const head =
          this.head.length === 0
            ? chunk.subarray(offset)
            : Buffer.concat([this.head, chunk.subarray(offset)]);
        const end = head.indexOf(HEADER_END);
        if (end < 0) {
          this.head = Buffer.from(head);
          return;
        }
        const length = contentLength(head.toString('ascii', 0, end));
        this.head = Buffer.alloc(0);
        chunk = head;
        offset = end + HEADER_END.length;
        if (length >= LARGE_BODY) {
          this.length = length;
          this.sniffed = Buffer.alloc(0);
        } else {
          this.body = Buffer.allocUnsafe(length);
          this.filled = 0;
          if (length === 0) this.deliver(callback);
        }
        continue;
      }
      const n = Math.min(chunk.length - offset, this.body.length - this.filled);
      chunk.copy(this.body, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === this.body.length) this.deliver(callback);
    }
  }

  /**
   * Decides, from its first bytes, how a large body is read: a `didOpen` is decoded line by
   * line as it arrives (memory: the lines, never the whole body); anything else is buffered.
   */
  private startBody(): void {
    const sniffed = this.sniffed!;
    this.sniffed = undefined;
    const head = sniffed.toString('latin1');
    const key = sniffed.indexOf(TEXT_KEY);
    if (head.includes('"method":"textDocument/didOpen"') && key >= 0) {
      const start = key + TEXT_KEY.length;
      this.onBodyStart();
      this.stream = new OpenStream(sniffed.toString('utf8', 0, start));
      this.remaining = this.length - sniffed.length;
      this.stream.push(sniffed.subarray(start));
      return;
    }
    this.body = Buffer.allocUnsafe(this.length);
    sniffed.copy(this.body);
    this.filled = sniffed.length;
  }

  private finishStream(callback: DataCallback): void {
    const stream = this.stream!;
    this.stream = undefined;
    let message: Message;
    try {
      message = stream.finish();
    } catch (err) {
      this.fireError(err);
      return;
    }
    callback(message);
  }

  private deliver(callback: DataCallback): void {
    const body = this.body!;
    this.body = undefined;
    this.onBodyStart();
    let message: Message;
    try {
      message = parse(body);
    } catch (err) {
      this.fireError(err);
      return;
    }
    callback(message);
  }
}

function contentLength(header: string): number {
  const match = /(?:^|\r\n)content-length:\s*(\d+)/i.exec(header);
  if (match === null) throw new Error(`Header must provide a Content-Length property.`);
  return Number(match[1]);
}

function parse(body: Buffer): Message {
  return JSON.parse(body.toString('utf8')) as Message;
}

/**
 * The `text` of a `didOpen`, decoded as the body arrives, in blocks of whole lines: the escaped
 * bytes of at least BLOCK bytes' worth of lines are decoded with one JSON.parse and split at
 * their line breaks, so the document never exists as one string and the body is never held
 * whole. A block is cut at the last `\n` escape that no backslash escapes; the value ends at
 * its first unescaped quote, after which the rest of the message is parsed with an empty `text`.
 *
 * One JSON.parse per block of a few dozen lines rather than one per line saves about a third
 * of the decoding; the lines are slices of the block's string, which holds nothing else, so a
 * line keeps at most its block's few kilobytes alive after it is edited. A block with non-ASCII
 * bytes or `\u` escapes is decoded line by line instead, so that one emoji does not turn a whole
 * block into a two-byte string.
 */
class OpenStream {
  private readonly lines: string[] = [];
  private crlf = false;
  /** Escaped bytes not decoded yet; they start right after a `\n` escape. */
  private pending: Buffer = Buffer.allocUnsafeSlow(2 * BLOCK);
  private filled = 0;

  constructor(private readonly prefix: string) {}

  push(bytes: Buffer): void {
    const needed = this.filled + bytes.length;
    if (needed > this.pending.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, 2 * this.pending.length));
      this.pending.copy(grown, 0, 0, this.filled);
      this.pending = grown;
    }
    bytes.copy(this.pending, this.filled);
    this.filled = needed;
    if (this.filled < BLOCK) return;
    const cut = lastLineBreak(this.pending, this.filled);
    // A single line longer than a block: keep gathering it.
    if (cut < 0) return;
    this.decode(0, cut);
    this.pending.copy(this.pending, 0, cut + 2, this.filled);
    this.filled -= cut + 2;
  }

  finish(): Message {
    const data = this.pending;
    const close = closingQuote(data, 0, this.filled);
    if (close < 0) throw new Error('didOpen: the document text does not end');
    this.decode(0, close);
    const message = JSON.parse(
      this.prefix + data.toString('utf8', close, this.filled),
    ) as Message & {
      params?: { textDocument?: object };
    };
    const textDocument = message.params?.textDocument;
    if (textDocument === undefined) throw new Error('didOpen without a textDocument');
    openedLines.set(textDocument, { lines: this.lines, eol: this.crlf ? '\r\n' : '\n' });
    return message;
  }

  /** Decodes the lines whose escaped bytes are pending[from, to) (to: a line's end). */
  private decode(from: number, to: number): void {
    const data = this.pending;
    const block = data.subarray(from, to);
    if (isAscii(block) && block.indexOf(UNICODE_ESCAPE) < 0) {
      const text = JSON.parse(`"${data.toString('latin1', from, to)}"`) as string;
      for (const line of text.split('\n')) this.crlf = pushLine(this.lines, line) || this.crlf;
      return;
    }
    let start = from;
    for (let at = data.indexOf(NEWLINE_ESCAPE, from); at >= 0 && at < to; ) {
      if (precedingBackslashes(data, at, start) % 2 === 0) {
        this.crlf = pushLine(this.lines, decodeLine(data.toString('utf8', start, at))) || this.crlf;
        start = at + 2;
        at = data.indexOf(NEWLINE_ESCAPE, start);
      } else {
        at = data.indexOf(NEWLINE_ESCAPE, at + 1);
      }
    }
    this.crlf = pushLine(this.lines, decodeLine(data.toString('utf8', start, to))) || this.crlf;
  }
}

/** The offset of the last `\n` escape in bytes[0, end) that no backslash escapes, or -1. */
function lastLineBreak(bytes: Buffer, end: number): number {
  if (end < 2) return -1;
  for (let at = bytes.lastIndexOf(NEWLINE_ESCAPE, end - 2); at >= 0; ) {
    if (precedingBackslashes(bytes, at, 0) % 2 === 0) return at;
    at = at > 0 ? bytes.lastIndexOf(NEWLINE_ESCAPE, at - 1) : -1;
  }
  return -1;
}

/**
 * One line's JSON string content, decoded. A line with a quote must have escaped it, so
 * JSON.parse checks it (and throws on an unescaped one, which means the layout is not the
 * expected one).
 */
function decodeLine(escaped: string): string {
  const plain = !escaped.includes('\\') && !escaped.includes('"');
  return plain ? escaped : (JSON.parse(`"${escaped}"`) as string);
}

/** Adds a decoded line (split at lone carriage returns); true when it ended with `\r` (CRLF). */
function pushLine(lines: string[], line: string): boolean {
  let crlf = false;
  if (line.endsWith('\r')) {
    line = line.slice(0, -1);
    crlf = true;
  }
  // A lone carriage return also breaks a line (as LineStore splits).
  if (line.includes('\r')) for (const part of line.split('\r')) lines.push(part);
  else lines.push(line);
  return crlf;
}

/** The first quote in body[from, to) that no backslash escapes, or -1. */
function closingQuote(body: Buffer, from: number, to: number): number {
  let at = body.indexOf(0x22, from);
  while (at >= 0 && at < to) {
    if (precedingBackslashes(body, at, from) % 2 === 0) return at;
    at = body.indexOf(0x22, at + 1);
  }
  return -1;
}

/** Backslashes right before `at`, not looking before `from`. */
function precedingBackslashes(body: Buffer, at: number, from: number): number {
  let n = 0;
  while (at - n - 1 >= from && body[at - n - 1] === 0x5c) n++;
  return n;
}
