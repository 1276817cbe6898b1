import type { DataCallback, Disposable, Message } from 'vscode-languageserver/node';
import { AbstractMessageReader } from 'vscode-languageserver/node';

/** Bodies at least this large that open a document get the streaming decode below. */
const LARGE_BODY = 1 << 20;
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
        this.body = Buffer.allocUnsafe(length);
        this.filled = 0;
        this.head = Buffer.alloc(0);
        chunk = head;
        offset = end + HEADER_END.length;
        if (length === 0) this.deliver(callback);
        continue;
      }
      const n = Math.min(chunk.length - offset, this.body.length - this.filled);
      chunk.copy(this.body, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === this.body.length) this.deliver(callback);
    }
  }

  private deliver(callback: DataCallback): void {
    const body = this.body!;
    this.body = undefined;
    this.onBodyStart();
    let message: Message;
    try {
      message = (body.length >= LARGE_BODY ? tryDecodeOpen(body) : undefined) ?? parse(body);
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

function tryDecodeOpen(body: Buffer): Message | undefined {
  try {
    return decodeOpen(body);
  } catch {
    return undefined;
  }
}

/**
 * A `didOpen` whose `text` is decoded line by line; undefined when the body is anything else (or
 * not laid out as expected), so the caller falls back to the plain decode.
 */
function decodeOpen(body: Buffer): Message | undefined {
  const head = body.toString('latin1', 0, Math.min(body.length, 512));
  if (!head.includes('"method":"textDocument/didOpen"')) return undefined;
  const key = body.indexOf(TEXT_KEY);
  if (key < 0) return undefined;
  const start = key + TEXT_KEY.length;
  const lines: string[] = [];
  let crlf = false;
  let from = start;
  let search = start;
  let end = -1;
  for (;;) {
    const at = body.indexOf(NEWLINE_ESCAPE, search);
    if (at < 0) {
      // The last line ends at the first quote no backslash escapes: the end of the value.
      end = closingQuote(body, from, body.length);
      if (end < 0) return undefined;
      pushLine(lines, body.toString('utf8', from, end));
      break;
    }
    if (precedingBackslashes(body, at) % 2 === 1) {
      // `\\n`: an escaped backslash, then the letter n.
      search = at + 2;
      continue;
    }
    crlf = pushLine(lines, body.toString('utf8', from, at)) || crlf;
    from = at + 2;
    search = from;
  }
  const rest = JSON.parse(
    body.toString('utf8', 0, start) + body.toString('utf8', end),
  ) as Message & { params?: { textDocument?: object } };
  const textDocument = rest.params?.textDocument;
  if (textDocument === undefined) return undefined;
  openedLines.set(textDocument, { lines, eol: crlf ? '\r\n' : '\n' });
  return rest;
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
    if (precedingBackslashes(body, at) % 2 === 0) return at;
    at = body.indexOf(0x22, at + 1);
  }
  return -1;
}

function precedingBackslashes(body: Buffer, at: number): number {
  let n = 0;
  while (at - n - 1 >= 0 && body[at - n - 1] === 0x5c) n++;
  return n;
}
