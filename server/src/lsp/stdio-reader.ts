import type { DataCallback, Disposable, Message } from 'vscode-languageserver/node';
import { AbstractMessageReader } from 'vscode-languageserver/node';

/** Bodies at least this large that open a document get the streaming decode below. */
const LARGE_BODY = 1 << 20;
/** How much of a large body is looked at to recognise a `didOpen` and find its `text`. */
const SNIFF_BYTES = 4096;
const EMPTY = Buffer.alloc(0);
const HEADER_END = Buffer.from('\r\n\r\n');
const TEXT_KEY = Buffer.from('"text":"');
const NEWLINE_ESCAPE = Buffer.from('\\n');

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
 * The `text` of a `didOpen`, decoded line by line as the body arrives: each line's JSON string
 * is decoded on its own (JSON.parse where it has escapes), so the document never exists as one
 * string and the body is never held whole. The text's lines are split at `\n` escapes that no
 * backslash escapes; the value ends at its first unescaped quote, after which the rest of the
 * message is parsed with an empty `text`.
 */
class OpenStream {
  private readonly lines: string[] = [];
  private crlf = false;
  /** The bytes of the line being received (it starts right after a `\n` escape). */
  private carry: Buffer = EMPTY;

  constructor(private readonly prefix: string) {}

  push(bytes: Buffer): void {
    // Lines are decoded where they lie in the incoming bytes; only the line that straddles two
    // pushes is copied (the carry), so no chunk is ever concatenated whole.
    let from = 0;
    let search = 0;
    const carried = this.carry.length;
    if (carried > 0 && bytes[0] === 0x6e && this.carry[carried - 1] === 0x5c) {
      // A `\n` split between the pushes: a line break when that backslash is unescaped.
      if (trailingBackslashes(this.carry) % 2 === 1) {
        this.crlf = pushLine(this.lines, this.carry.toString('utf8', 0, carried - 1)) || this.crlf;
        this.carry = EMPTY;
        from = 1;
        search = 1;
      }
    }
    for (;;) {
      const at = bytes.indexOf(NEWLINE_ESCAPE, search);
      if (at < 0) break;
      search = at + 2;
      let backslashes = precedingBackslashes(bytes, at, from);
      if (at - backslashes === from && from === 0) backslashes += trailingBackslashes(this.carry);
      // `\\n` is an escaped backslash and the letter n, not a line break.
      if (backslashes % 2 === 1) continue;
      const line =
        from === 0 && this.carry.length > 0
          ? Buffer.concat([this.carry, bytes.subarray(0, at)])
          : bytes.subarray(from, at);
      this.crlf = pushLine(this.lines, line.toString('utf8')) || this.crlf;
      this.carry = EMPTY;
      from = at + 2;
    }
    const rest = bytes.subarray(from);
    this.carry =
      from === 0 && this.carry.length > 0 ? Buffer.concat([this.carry, rest]) : Buffer.from(rest);
  }

  finish(): Message {
    const data = this.carry;
    const close = closingQuote(data, 0, data.length);
    if (close < 0) throw new Error('didOpen: the document text does not end');
    pushLine(this.lines, data.toString('utf8', 0, close));
    const message = JSON.parse(this.prefix + data.toString('utf8', close)) as Message & {
      params?: { textDocument?: object };
    };
    const textDocument = message.params?.textDocument;
    if (textDocument === undefined) throw new Error('didOpen without a textDocument');
    openedLines.set(textDocument, { lines: this.lines, eol: this.crlf ? '\r\n' : '\n' });
    return message;
  }
}

/**
 * Decodes one line's JSON string content; returns true when it ended with `\r` (CRLF). A line
 * with a quote must have escaped it, so JSON.parse checks it (and throws on an unescaped one,
 * which means the layout is not the expected one).
 */
function pushLine(lines: string[], escaped: string): boolean {
  const plain = !escaped.includes('\\') && !escaped.includes('"');
  let line = plain ? escaped : (JSON.parse(`"${escaped}"`) as string);
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

function trailingBackslashes(bytes: Buffer): number {
  return precedingBackslashes(bytes, bytes.length, 0);
}

/** Backslashes right before `at`, not looking before `from`. */
function precedingBackslashes(body: Buffer, at: number, from: number): number {
  let n = 0;
  while (at - n - 1 >= from && body[at - n - 1] === 0x5c) n++;
  return n;
}
