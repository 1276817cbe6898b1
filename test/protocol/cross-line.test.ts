import assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { DatasetSummary } from '../../common/protocol/lsp.ts';
import { DATASET_SUMMARY_NOTIFICATION } from '../../common/protocol/lsp.ts';
import { LspClient, messageText } from './support/lsp-client.ts';
import { cleanPairs, pair } from './support/pairs.ts';

function withCode(diagnostics: Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

/** Replaces line `line` (whose current text is `old`) with `text`. */
function replaceLine(line: number, old: string, text: string) {
  return {
    range: { start: { line, character: 0 }, end: { line, character: old.length } },
    text,
  };
}

describe('language server: cross-line diagnostics', function () {
  let client: LspClient;
  beforeEach(async () => {
    client = await LspClient.start();
  });
  afterEach(async () => {
    await client.stop();
  });

  it('reports a duplicate id with related information at the first use, and clears it when fixed', async () => {
    const uri = 'file:///work/ids.jsonl';
    const lines = cleanPairs(12);
    const duplicate = pair({ id: 'p3', conversation: 'other', turn: 1, input: 'Different?' });
    lines.push(duplicate);
    await client.open(uri, lines.join('\n') + '\n');
    const [brl030] = withCode(await client.diagnostics(uri, 1), 'BRL030');
    assert.ok(brl030, 'a BRL030 for the repeated id');
    assert.equal(brl030.range.start.line, 12);
    assert.equal(brl030.message, 'Duplicate id "p3": it is already used on line 4.');
    const related = brl030.relatedInformation?.[0];
    assert.equal(related?.location.uri, uri);
    assert.equal(related?.location.range.start.line, 3);
    // The related range is the first id's value, quotes included.
    assert.equal(related?.location.range.start.character, lines[3].indexOf('"p3"'));
    assert.equal(related?.location.range.end.character, lines[3].indexOf('"p3"') + 4);

    // Insert a line at the top: the duplicate and its related location move down with it.
    const header = '{"_meta":{"total_pairs":13,"version":"4.0.0"}}';
    await client.change(uri, 2, [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        text: header + '\n',
      },
    ]);
    const [moved] = withCode(await client.diagnostics(uri, 2), 'BRL030');
    assert.equal(moved.range.start.line, 13);
    assert.equal(moved.relatedInformation?.[0].location.range.start.line, 4);
    assert.match(messageText(moved), /already used on line 5\./);

    // Rename the first use: the later line is now the only "p3" and nothing is reported.
    const renamed = lines[3].replace('"p3"', '"p3b"');
    await client.change(uri, 3, [replaceLine(4, lines[3], renamed)]);
    const fixed = await client.diagnostics(uri, 3);
    assert.deepEqual(withCode(fixed, 'BRL030'), []);
    assert.deepEqual(fixed, [], JSON.stringify(fixed));
  });

  it('checks conversations across lines: repeated turns and a changed system prompt', async () => {
    const uri = 'file:///work/conversations.jsonl';
    const lines = cleanPairs(10);
    lines.push(pair({ id: 'a1', conversation: 'conv-a', turn: 1 }));
    lines.push(pair({ id: 'a2', conversation: 'conv-a', turn: 1, input: 'And then?' }));
    lines.push(
      pair({
        id: 'a3',
        conversation: 'conv-a',
        turn: 1,
        input: 'Something else',
        systemPrompt:
          'You are a blunt assistant who answers every money question in exactly one sentence, no more.',
      }),
    );
    await client.open(uri, lines.join('\n'));
    const diagnostics = await client.diagnostics(uri, 1);
    const turns = withCode(diagnostics, 'BRL036');
    assert.deepEqual(
      turns.map((d) => d.range.start.line).sort(),
      [11, 12],
      JSON.stringify(diagnostics),
    );
    for (const d of turns) {
      assert.equal(d.relatedInformation?.[0].location.range.start.line, 10);
      assert.equal(d.severity, 1);
    }
    const [context] = withCode(diagnostics, 'BRL035');
    assert.equal(context.range.start.line, 12);
    assert.match(messageText(context), /conversation "conv-a".*than on line 11\./i);

    // Renumber line 12 to turn 2 and give line 13 the conversation's prompt back.
    const second = lines[11].replace('"turn_number":1', '"turn_number":2');
    const third = pair({ id: 'a3', conversation: 'conv-a', turn: 3, input: 'Something else' });
    await client.change(uri, 2, [replaceLine(11, lines[11], second)]);
    await client.change(uri, 3, [replaceLine(12, lines[12], third)]);
    const after = await client.diagnostics(uri, 3);
    assert.deepEqual(withCode(after, 'BRL036'), []);
    assert.deepEqual(withCode(after, 'BRL035'), []);
  });

  it('reports a duplicate sample pointing at the first copy', async () => {
    const uri = 'file:///work/samples.jsonl';
    const lines = cleanPairs(10);
    // Same rendered messages, different id and conversation.
    lines.push(
      pair({
        id: 'copy',
        conversation: 'copy-c',
        turn: 1,
        input: 'Question p2: how do I start saving?',
        response: 'Answer p2: set up one small automatic transfer.',
      }),
    );
    await client.open(uri, lines.join('\n'));
    const [brl037] = withCode(await client.diagnostics(uri, 1), 'BRL037');
    assert.equal(brl037.range.start.line, 10);
    assert.equal(brl037.relatedInformation?.[0].location.range.start.line, 2);
    assert.equal(brl037.message, 'This sample is identical to the one on line 3.');
  });

  it('keeps _meta.total_pairs, the pair count and the summary up to date as lines come and go', async () => {
    const uri = 'file:///work/header.jsonl';
    const lines = ['{"_meta":{"total_pairs":10,"version":"4.0.0"}}', ...cleanPairs(10)];
    await client.open(uri, lines.join('\n') + '\n');
    assert.deepEqual(await client.diagnostics(uri, 1), []);
    const ready = (await client.notification(
      DATASET_SUMMARY_NOTIFICATION,
      (p) => (p as DatasetSummary).uri === uri && (p as DatasetSummary).version === 1,
    )) as DatasetSummary;
    assert.equal(ready.pairs, 10);
    assert.equal(ready.trainingReady, true);

    // Append a pair: the header is now wrong (BRL011 on the total_pairs value).
    const extra = pair({ id: 'new', conversation: 'new-c', turn: 1 });
    await client.change(uri, 2, [
      {
        range: { start: { line: 11, character: 0 }, end: { line: 11, character: 0 } },
        text: extra + '\n',
      },
    ]);
    const [brl011] = withCode(await client.diagnostics(uri, 2), 'BRL011');
    assert.equal(brl011.message, '_meta.total_pairs is 10, but the file has 11 pair lines.');
    assert.equal(brl011.range.start.line, 0);
    assert.equal(brl011.range.start.character, lines[0].indexOf('10'));

    // Delete two pairs: 9 training pairs is below the minimum (BRL041), and the header is off.
    await client.change(uri, 3, [
      { range: { start: { line: 1, character: 0 }, end: { line: 3, character: 0 } }, text: '' },
    ]);
    const few = await client.diagnostics(uri, 3);
    assert.match(messageText(withCode(few, 'BRL011')[0]), /file has 9 pair lines/);
    assert.match(messageText(withCode(few, 'BRL041')[0]), /has 9 training pairs/);
    const summary = (await client.notification(
      DATASET_SUMMARY_NOTIFICATION,
      (p) => (p as DatasetSummary).uri === uri && (p as DatasetSummary).version === 3,
    )) as DatasetSummary;
    assert.equal(summary.pairs, 9);
  });

  it('reports blank lines between data lines but not the final newline', async () => {
    const uri = 'file:///work/blank.jsonl';
    const lines = cleanPairs(10);
    lines.splice(5, 0, '');
    await client.open(uri, lines.join('\n') + '\n');
    const blanks = withCode(await client.diagnostics(uri, 1), 'BRL003');
    assert.deepEqual(
      blanks.map((d) => [d.range.start.line, d.message]),
      [[5, 'Blank line between data lines.']],
    );
  });

  it('agrees with `brightrun validate` on the same text', async () => {
    const { validateText } = await import('../../common/engine/dataset/dataset-validator.ts');
    const uri = 'file:///work/agree.jsonl';
    const lines = cleanPairs(6);
    lines.push(pair({ id: 'p1', conversation: 'pc1', turn: 1 }));
    lines.push('{"_meta":{"version":"4.0.0"}}');
    lines.push(
      '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hey"}]}',
    );
    const text = lines.join('\n') + '\n';
    await client.open(uri, text);
    const published = await client.diagnostics(uri, 1);
    const engine = validateText(text).diagnostics;
    const key = (code: unknown, line: number, col: number, message: string) =>
      `${String(code)}@${line}:${col} ${message}`;
    assert.deepEqual(
      published
        .map((d) => key(d.code, d.range.start.line, d.range.start.character, messageText(d)))
        .sort(),
      engine.map((d) => key(d.code, d.range.startLine, d.range.startCol, d.message)).sort(),
    );
  });
});
