import assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { HoverRequest } from 'vscode-languageserver-protocol';
import { validateText } from '../../common/engine/dataset/dataset-validator.ts';
import { LspClient, messageText } from './support/lsp-client.ts';
import { pair } from './support/pairs.ts';

/**
 * Documents over 1 MB are decoded line by line straight from the message body (stdio-reader.ts).
 * Whatever the text holds — escaped newlines and backslashes inside values, quotes, non-ASCII,
 * CRLF line ends — the server must see exactly the text the client sent: its diagnostics must be
 * those of validating that text from scratch.
 */
function keys(diagnostics: Diagnostic[]): string[] {
  return diagnostics
    .map(
      (d) => `${String(d.code)}@${d.range.start.line}:${d.range.start.character} ${messageText(d)}`,
    )
    .sort();
}

function document(eol: string): string {
  const lines: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const input =
      i % 7 === 0
        ? `Line one\nline two with a backslash \\ and a "quote" and \\n (not a newline) ${i}`
        : `Plain question ${i} with some café, naïve, 😀 and\ttabs ${'x'.repeat(600)}`;
    lines.push(pair({ id: `p${i}`, conversation: `c${i}`, turn: 1, input }));
  }
  lines[100] = '{"id": "broken",, }';
  lines[200] = '';
  lines[300] = pair({ id: 'p5', conversation: 'again', turn: 1, input: 'different' });
  lines[400] = '   ';
  return lines.join(eol) + eol;
}

describe('language server: opening a large document', function () {
  let client: LspClient;
  beforeEach(async () => {
    client = await LspClient.start();
  });
  afterEach(async () => {
    await client.stop();
  });

  for (const [name, eol] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ]) {
    it(`sees exactly the text sent (${name} line ends)`, async () => {
      const text = document(eol);
      assert.ok(Buffer.byteLength(text) > 1 << 20);
      const uri = `file:///work/large-${name}.jsonl`;
      await client.open(uri, text);
      const published = await client.diagnostics(uri, 1, 30_000);
      const expected = validateText(text).diagnostics.map((d) => ({
        code: d.code,
        range: {
          start: { line: d.range.startLine, character: d.range.startCol },
          end: { line: d.range.endLine, character: d.range.endCol },
        },
        message: d.message,
      })) as Diagnostic[];
      assert.deepEqual(keys(published), keys(expected));
      assert.ok(published.some((d) => d.code === 'BRL030'));

      // An edit after the open lands on the same lines the client has.
      const line = 7;
      await client.change(uri, 2, [
        { range: { start: { line, character: 0 }, end: { line, character: 1 } }, text: '' },
      ]);
      const after = await client.diagnostics(uri, 2);
      assert.ok(after.some((d) => d.code === 'BRL001' && d.range.start.line === line));
      const hover = await client.connection.sendRequest(HoverRequest.type, {
        textDocument: { uri },
        position: { line: 14, character: 3 },
      });
      assert.match(JSON.stringify(hover), /backslash/);
    });
  }
});
