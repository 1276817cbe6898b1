import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { Message } from 'vscode-languageserver/node';
import { StdioMessageReader, takeOpenedLines } from '../../../server/src/lsp/stdio-reader.ts';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function frame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}

/** Writes `bytes` to a fresh reader in random-sized chunks; resolves with what it read. */
function readAll(
  bytes: Buffer,
  count: number,
  next: () => number,
  maxChunk: number,
): Promise<Message[]> {
  const stream = new PassThrough();
  const reader = new StdioMessageReader(stream);
  const messages: Message[] = [];
  return new Promise((resolve, reject) => {
    reader.onError(reject);
    reader.listen((m) => {
      messages.push(m);
      if (messages.length === count) resolve(messages);
    });
    for (let i = 0; i < bytes.length; ) {
      const size = 1 + Math.floor(next() * (next() < 0.5 ? 16 : maxChunk));
      stream.write(bytes.subarray(i, i + size));
      i += size;
    }
  });
}

/** The text of a didOpen as the server sees it: decoded line by line, or as sent. */
function openedText(message: Message, streamed: boolean): string {
  const doc = (message as unknown as { params: { textDocument: { text: string } } }).params
    .textDocument;
  const opened = takeOpenedLines(doc);
  // A large document must have come through the line-by-line decode, a small one must not.
  assert.equal(opened !== undefined, streamed);
  return opened === undefined ? doc.text : opened.lines.join(opened.eol);
}

const NASTY = [
  '{"a":"plain"}',
  '{"a":"escaped \\" quote and \\\\ backslash and \\\\n not a newline"}',
  '{"a":"a newline inside a value\\nstays"}',
  '{"a":"café 😀 \\u00e9 \\ud83d\\ude00"}',
  '   ',
  '',
  '{"a":"tab\\there"}',
];

/** ASCII lines without `\u` escapes: the reader decodes these in blocks of many lines. */
const ASCII_NASTY = NASTY.filter((line) => /^[\x20-\x7e]*$/.test(line) && !line.includes('\\u'));

function bigText(next: () => number, eol: string, pool = NASTY): string {
  const lines: string[] = [];
  let length = 0;
  while (length < 1.3e6) {
    const pick = pool[Math.floor(next() * pool.length)];
    const line = next() < 0.3 ? pick : `{"id":"p${lines.length}","pad":"${'x'.repeat(800)}"}`;
    lines.push(line);
    length += line.length + eol.length;
  }
  return lines.join(eol) + (next() < 0.5 ? eol : '');
}

describe('StdioMessageReader', () => {
  // Small chunks split lines, escapes and UTF-8 sequences everywhere; large ones hold many lines.
  // ASCII documents (seeds 5-8) take the block decode; the others mostly the line by line one.
  for (const [seed, maxChunk] of [
    [1, 200_000],
    [2, 200_000],
    [3, 64],
    [4, 64],
    [5, 200_000],
    [6, 200_000],
    [7, 1000],
    [8, 70_000],
  ]) {
    it(`reads every message whatever the chunking (seed ${seed}, chunks up to ${maxChunk} bytes)`, async () => {
      const next = seeded(seed);
      const eol = seed % 2 === 0 ? '\r\n' : '\n';
      const text = bigText(next, eol, seed >= 5 ? ASCII_NASTY : NASTY);
      const messages = [
        { jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: {} } },
        {
          jsonrpc: '2.0',
          method: 'textDocument/didOpen',
          params: {
            textDocument: { uri: 'file:///a.jsonl', languageId: 'jsonl', version: 1, text },
          },
        },
        {
          jsonrpc: '2.0',
          method: 'textDocument/didOpen',
          params: {
            textDocument: {
              uri: 'file:///b.jsonl',
              languageId: 'jsonl',
              version: 1,
              text: 'small\ntext',
            },
          },
        },
        { jsonrpc: '2.0', method: 'textDocument/didChange', params: { text: 'é\n"' } },
      ];
      const bytes = Buffer.concat(messages.map(frame));
      const read = await readAll(bytes, messages.length, next, maxChunk);
      assert.deepEqual(read[0], messages[0]);
      assert.equal(openedText(read[1], true), text);
      assert.equal(openedText(read[2], false), 'small\ntext');
      assert.deepEqual(read[3], messages[3]);
    });
  }
});
