import assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import {
  CancellationTokenSource,
  CompletionRequest,
  HoverRequest,
  LSPErrorCodes,
  ResponseError,
} from 'vscode-languageserver-protocol';
import { LspClient, messageText } from './support/lsp-client.ts';
import { cleanPairs, pair } from './support/pairs.ts';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Applies an LSP change to a plain array of lines, the way the client's buffer changes. */
function applyToLines(lines: string[], change: { range: { start: P; end: P }; text: string }) {
  const clamp = (p: P): P => {
    const line = Math.min(Math.max(0, p.line), lines.length - 1);
    return { line, character: Math.min(Math.max(0, p.character), lines[line].length) };
  };
  const start = clamp(change.range.start);
  const end = clamp(change.range.end);
  const head = lines[start.line].slice(0, start.character);
  const tail = lines[end.line].slice(end.character);
  const replacement = (head + change.text + tail).split(/\r\n|\r|\n/);
  lines.splice(start.line, end.line - start.line + 1, ...replacement);
}
type P = { line: number; character: number };

const ALPHABET = '{}[]":,\\ \n\r\tabc01-.eE\u00e9\u{1F600}\ud800nulltruefalse';

function randomText(next: () => number, max: number): string {
  let text = '';
  const length = Math.floor(next() * max);
  for (let i = 0; i < length; i++) {
    if (next() < 0.05) text += String.fromCharCode(Math.floor(next() * 0x10000));
    else text += ALPHABET[Math.floor(next() * ALPHABET.length)];
  }
  return text;
}

describe('language server: robustness', function () {
  let client: LspClient;
  beforeEach(async () => {
    client = await LspClient.start();
  });
  afterEach(async () => {
    await client.stop();
  });

  it('survives random edits and random bytes, and publishes for the final version', async () => {
    const uri = 'file:///work/fuzz.jsonl';
    const lines = cleanPairs(12);
    lines.splice(3, 0, pair({ id: 'p1', conversation: 'pc1', turn: 1 }));
    await client.open(uri, lines.join('\n'));
    await client.diagnostics(uri, 1);
    const next = seeded(42);
    let version = 1;
    for (let round = 0; round < 400; round++) {
      const line = Math.floor(next() * (lines.length + 1));
      const character = Math.floor(next() * 200);
      const endLine = line + (next() < 0.1 ? Math.floor(next() * 3) : 0);
      const change = {
        range: {
          start: { line, character },
          end: { line: endLine, character: character + Math.floor(next() * 20) },
        },
        text:
          next() < 0.2
            ? pair({ id: `f${round}`, conversation: 'fz', turn: round })
            : randomText(next, 30),
      };
      applyToLines(lines, change);
      version++;
      // Fire and forget, mostly: only some edits wait, so many arrive while others are handled.
      const sent = client.change(uri, version, [change]);
      if (round % 25 === 0) {
        await sent;
        await client.diagnostics(uri, version);
      }
    }
    // A full-text replacement with raw garbage, then a return to a known text.
    version++;
    await client.change(uri, version, [{ text: randomText(next, 5000) }]);
    version++;
    const final = cleanPairs(10);
    final.push(pair({ id: 'p0', conversation: 'dup', turn: 1, input: 'x', response: 'y' }));
    await client.change(uri, version, [{ text: final.join('\n') }]);
    const diagnostics = await client.diagnostics(uri, version);
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['BRL030'],
      JSON.stringify(diagnostics),
    );
    // The server is still answering requests.
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: 0, character: 3 },
    });
    assert.ok(hover);
  });

  it('never publishes an outdated version during rapid edits', async () => {
    const uri = 'file:///work/rapid.jsonl';
    const lines = cleanPairs(10);
    await client.open(uri, lines.join('\n'));
    await client.diagnostics(uri, 1);
    // Type a word into a string value, one keystroke per version, then break the line and fix
    // it again, all in one burst: a stale publish would show up as a stale BRL001.
    const at = lines[4].indexOf('how do I');
    const word = 'incredibly-';
    const burst: { method: string; params: unknown }[] = [];
    let version = 1;
    const edit = (range: { start: P; end: P }, text: string) =>
      burst.push({
        method: 'textDocument/didChange',
        params: { textDocument: { uri, version: ++version }, contentChanges: [{ range, text }] },
      });
    for (let i = 0; i < word.length; i++) {
      const p = { line: 4, character: at + i };
      edit({ start: p, end: p }, word[i]);
    }
    edit({ start: { line: 4, character: 0 }, end: { line: 4, character: 1 } }, '');
    edit({ start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, '{');
    await client.sendBurst(burst);
    assert.deepEqual(await client.diagnostics(uri, version), []);
    // Only the last version was published: every earlier one was already replaced when the
    // server came to it.
    const versions = client.publishedFor(uri).map((p) => p.version);
    assert.deepEqual(versions, [1, version]);
  });

  it('applies edits that arrive while an open still waits for its settings', async () => {
    const uri = 'file:///work/early-edit.jsonl';
    const lines = cleanPairs(11);
    // Open and edit in one burst: the server asks the client for the document's settings when
    // it opens it, and the edit arrives before the answer.
    await client.sendBurst([
      {
        method: 'textDocument/didOpen',
        params: { textDocument: { uri, languageId: 'jsonl', version: 1, text: lines.join('\n') } },
      },
      {
        method: 'textDocument/didChange',
        params: {
          textDocument: { uri, version: 2 },
          contentChanges: [
            {
              range: { start: { line: 3, character: 0 }, end: { line: 3, character: 1 } },
              text: '',
            },
          ],
        },
      },
    ]);
    const diagnostics = await client.diagnostics(uri, 2);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range.start.line]),
      [['BRL001', 3]],
    );
  });

  it('honours cancellation of hover and completion', async () => {
    const uri = 'file:///work/cancel.jsonl';
    const lines = cleanPairs(10);
    await client.open(uri, lines.join('\n'));
    await client.diagnostics(uri, 1);
    // Keep the server busy with a large replacement, so the requests below and their
    // cancellations are both read before the requests are dispatched.
    const big = cleanPairs(20_000, 'b').join('\n');
    const busy = client.change(uri, 2, [{ text: big }]);
    const hoverSource = new CancellationTokenSource();
    const completionSource = new CancellationTokenSource();
    const hover = client.connection.sendRequest(
      HoverRequest.type,
      { textDocument: { uri }, position: { line: 0, character: 3 } },
      hoverSource.token,
    );
    const completion = client.connection.sendRequest(
      CompletionRequest.type,
      { textDocument: { uri }, position: { line: 0, character: 1 } },
      completionSource.token,
    );
    hoverSource.cancel();
    completionSource.cancel();
    await busy;
    for (const request of [hover, completion]) {
      await assert.rejects(request, (err: unknown) => {
        assert.ok(err instanceof ResponseError, String(err));
        assert.equal(err.code, LSPErrorCodes.RequestCancelled);
        return true;
      });
    }
    // Uncancelled requests still work afterwards.
    await client.diagnostics(uri, 2, 30_000);
    const items = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line: 0, character: 1 },
    });
    assert.ok(items !== null);
  });

  it('caps published diagnostics at maxProblems, errors first, with a summary diagnostic', async () => {
    await client.stop();
    client = await LspClient.start({ validation: { maxProblems: 50 } });
    const uri = 'file:///work/many.jsonl';
    // 60 short system prompts (warnings) after 60 broken lines (errors).
    const lines = [
      ...cleanPairs(60).map((l) =>
        l.replace(/"system_prompt":"[^"]*"/, '"system_prompt":"Be kind."'),
      ),
      ...Array.from({ length: 60 }, (_, i) => `{"id": "broken${i}",, }`),
    ];
    await client.open(uri, lines.join('\n'));
    const diagnostics: Diagnostic[] = await client.diagnostics(uri, 1);
    assert.equal(diagnostics.length, 50);
    assert.ok(
      diagnostics.slice(0, 49).every((d) => d.severity === 1),
      'errors first',
    );
    const last = diagnostics[49];
    assert.equal(last.code, undefined);
    assert.match(
      messageText(last),
      /^71 more problems are not shown \(60 errors, 60 warnings in all\)/,
    );
  });
});
