import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { DocumentSymbol, InlayHint } from 'vscode-languageserver-protocol';
import { DocumentSymbolRequest, InlayHintRequest } from 'vscode-languageserver-protocol';
import type { DatasetSummary } from '../../common/protocol/lsp.ts';
import { DATASET_SUMMARY_NOTIFICATION } from '../../common/protocol/lsp.ts';
import { LspClient } from './support/lsp-client.ts';

const TEXT = readFileSync(
  new URL('../fixtures/lsp/navigation/dataset.jsonl', import.meta.url),
  'utf8',
);

describe('language server: navigation', function () {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('outlines the dataset by conversation, each pair under its turn number', async () => {
    const uri = 'file:///work/nav/symbols.jsonl';
    await client.open(uri, TEXT);
    await client.diagnostics(uri, 1);
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, {
      textDocument: { uri },
    })) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['_meta header', 'alpha', 'beta'],
    );
    const beta = symbols[2];
    assert.deepEqual(
      beta.children?.map((c) => [c.name, c.detail, c.range.start.line]),
      [
        ['turn 1', 'beta_turn1_00000002', 2],
        ['turn 3', 'beta_turn3_00000004', 4],
      ],
    );
  });

  it('shows tokens per line and the dataset totals on line 1 once counted', async () => {
    const uri = 'file:///work/nav/hints.jsonl';
    const range = { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } };
    await client.open(uri, TEXT);
    await client.diagnostics(uri, 1);
    // Asked while the background count may still run, the hints answer at once.
    const early = (await client.connection.sendRequest(InlayHintRequest.type, {
      textDocument: { uri },
      range,
    })) as InlayHint[];
    assert.equal(early.length, 5);
    const counted = (await client.notification(DATASET_SUMMARY_NOTIFICATION, (p) => {
      const s = p as DatasetSummary;
      return s.uri === uri && s.tokens !== undefined;
    })) as DatasetSummary;
    const hints = (await client.connection.sendRequest(InlayHintRequest.type, {
      textDocument: { uri },
      range,
    })) as InlayHint[];
    // The server writes labels as plain strings.
    const labels = hints.map((h) => h.label as string);
    const perLine = labels.slice(0, 4).map((l) => /^(\d+) tokens · \d+%$/.exec(l));
    assert.ok(
      perLine.every((m) => m !== null),
      JSON.stringify(labels),
    );
    const sum = perLine.reduce((n, m) => n + Number(m?.[1]), 0);
    assert.equal(sum, counted.tokens!.total);
    assert.equal(labels[4], `Dataset: 4 pairs · 2 conversations · ${sum} tokens`);
    assert.deepEqual(hints[4].position, { line: 0, character: TEXT.split('\n')[0].length });
  });
});
