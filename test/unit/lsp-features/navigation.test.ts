import assert from 'node:assert/strict';
import { CancellationToken, CancellationTokenSource, SymbolKind } from 'vscode-languageserver';
import { DatasetDocument } from '../../../server/src/lsp/document/dataset-document.ts';
import { documentSymbols } from '../../../server/src/lsp/features/document-symbols.ts';
import { inlayHints } from '../../../server/src/lsp/features/inlay-hints.ts';
import { pairLine } from '../dataset/dataset-lines.ts';

const URI = 'file:///w/nav.jsonl';
const META = '{"_meta":{"version":"4.0.0","total_pairs":4}}';
const LINES = [
  META,
  pairLine({ id: 'a1', conversation: 'alpha' }),
  pairLine({ id: 'b1', conversation: 'beta', input: 'b?' }),
  pairLine({ id: 'a3', conversation: 'alpha', turn: 3 }),
  pairLine({ id: 'b3', conversation: 'beta', turn: 3, input: 'b3?' }),
];

function whole(range: { start: { line: number }; end: { line: number } }): [number, number] {
  return [range.start.line, range.end.line];
}

describe('document symbols', () => {
  it('groups the pairs of each conversation under its id, with their turns', () => {
    const document = new DatasetDocument(URI, 1, LINES.join('\n') + '\n');
    const symbols = documentSymbols(document, CancellationToken.None);
    assert.deepEqual(
      symbols.map((s) => [s.name, s.kind, s.detail]),
      [
        ['_meta header', SymbolKind.Module, 'line 1'],
        ['alpha', SymbolKind.Namespace, '2 lines'],
        ['beta', SymbolKind.Namespace, '2 lines'],
      ],
    );
    const alpha = symbols[1];
    assert.deepEqual(whole(alpha.range), [1, 3]);
    assert.deepEqual(
      alpha.children?.map((c) => [c.name, c.detail, whole(c.range)]),
      [
        ['turn 1', 'a1', [1, 1]],
        ['turn 3', 'a3', [3, 3]],
      ],
    );
    const id = alpha.children?.[0].selectionRange;
    assert.ok(id);
    assert.equal(LINES[1].slice(id.start.character, id.end.character), '"a1"');
  });

  it('lists each chat line as a conversation of its own', () => {
    const chat =
      '{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}]}';
    const document = new DatasetDocument(URI, 1, [chat, chat.replace('Hi', 'Hey')].join('\n'));
    const symbols = documentSymbols(document, CancellationToken.None);
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail]),
      [
        ['line 1', '2 messages'],
        ['line 2', '2 messages'],
      ],
    );
  });

  it('stops when cancelled', () => {
    const source = new CancellationTokenSource();
    source.cancel();
    const document = new DatasetDocument(URI, 1, LINES.join('\n'));
    assert.throws(() => documentSymbols(document, source.token), /cancelled/);
  });
});

describe('inlay hints', () => {
  const all = { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } };
  const options = { maxSeqLength: 2048, tokenizer: undefined };

  it('labels lines not counted yet as estimates and says the totals are being counted', () => {
    const document = new DatasetDocument(URI, 1, LINES.join('\n'));
    const hints = inlayHints(document, all, options, CancellationToken.None);
    const labels = hints.map((h) => h.label);
    assert.equal(labels.length, 5);
    for (const label of labels.slice(0, 4)) assert.match(label as string, /^≈\d+ tokens · \d+%$/);
    assert.equal(labels[4], 'Dataset: 4 pairs · 2 conversations · tokens: counting…');
    assert.equal(hints[4].position.line, 0);
    assert.equal(hints[0].position.character, LINES[1].length, 'at the end of the line');
  });

  it('shows the background counts once they are in, and the totals on line 1', () => {
    const document = new DatasetDocument(URI, 1, LINES.join('\n'));
    document.lines().forEach((line, i) => {
      if (line.facts.kind === 'data') line.tokens = [100 * i];
    });
    const tokenizer = { name: 'mistral-sentencepiece', exact: true };
    const hints = inlayHints(
      document,
      all,
      { maxSeqLength: 250, tokenizer },
      CancellationToken.None,
    );
    assert.deepEqual(
      hints.map((h) => h.label),
      [
        '100 tokens · 40%',
        '200 tokens · 80%',
        '300 tokens · 120% ⚠ over max_seq_length',
        '400 tokens · 160% ⚠ over max_seq_length',
        'Dataset: 4 pairs · 2 conversations · 1000 tokens',
      ],
    );
  });

  it('gives hints for the requested lines only', () => {
    const document = new DatasetDocument(URI, 1, LINES.join('\n'));
    const range = { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } };
    const hints = inlayHints(document, range, options, CancellationToken.None);
    assert.deepEqual(
      hints.map((h) => h.position.line),
      [2, 3],
    );
  });
});
