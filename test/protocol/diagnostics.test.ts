import assert from 'node:assert/strict';
import type { DatasetSummary } from '../../common/protocol/lsp.ts';
import { DATASET_SUMMARY_NOTIFICATION } from '../../common/protocol/lsp.ts';
import { LspClient } from './support/lsp-client.ts';

const PAIR =
  '{"id":"a_turn1_0000aaaa","conversation_id":"c1","turn_number":1,' +
  '"system_prompt":"You are a calm, practical financial coach who helps people take one small step at a time toward their goals.",' +
  '"conversation_history":[],"current_user_input":"I keep avoiding my bank statements.",' +
  '"target_response":"That is a very common feeling. Shall we open just the latest one together?"}';

describe('language server: diagnostics', function () {
  let client: LspClient;
  beforeEach(async () => {
    client = await LspClient.start();
  });
  afterEach(async () => {
    await client.stop();
  });

  it('publishes a syntax error at the offending character on open', async () => {
    const uri = 'file:///work/broken.jsonl';
    await client.open(uri, PAIR + '\n{"id": "x",, }\n');
    const diagnostics = await client.diagnostics(uri, 1);
    const syntax = diagnostics.find((d) => d.code === 'BRL001');
    assert.ok(syntax, JSON.stringify(diagnostics));
    assert.equal(syntax.range.start.line, 1);
    assert.equal(syntax.range.start.character, 11); // the second comma
  });

  it('revalidates the edited line and publishes for the new version only', async () => {
    const uri = 'file:///work/edit.jsonl';
    await client.open(uri, PAIR + '\n' + PAIR.replace('"c1"', '"c2"'));
    await client.diagnostics(uri, 1);
    // Break line 1 by deleting its closing brace, then fix it again.
    const end = PAIR.length;
    await client.change(uri, 2, [
      {
        range: { start: { line: 1, character: end - 1 }, end: { line: 1, character: end } },
        text: '',
      },
    ]);
    const broken = await client.diagnostics(uri, 2);
    assert.ok(broken.some((d) => d.code === 'BRL001' && d.range.start.line === 1));
    await client.change(uri, 3, [
      {
        range: { start: { line: 1, character: end - 1 }, end: { line: 1, character: end - 1 } },
        text: '}',
      },
    ]);
    const fixed = await client.diagnostics(uri, 3);
    assert.ok(!fixed.some((d) => d.code === 'BRL001'), JSON.stringify(fixed));
  });

  it('sends the dataset summary for the status bar', async () => {
    const uri = 'file:///work/summary.jsonl';
    await client.open(uri, PAIR + '\n{"id": "x",, }\n');
    const summary = (await client.notification(
      DATASET_SUMMARY_NOTIFICATION,
      (p) => (p as DatasetSummary).uri === uri,
    )) as DatasetSummary;
    assert.equal(summary.version, 1);
    assert.equal(summary.shape, 'brightrun_lora_v4');
    assert.equal(summary.pairs, 1);
    assert.ok(summary.errors >= 1);
    assert.equal(summary.trainingReady, false);
  });

  it('leaves JSONL files that are not datasets alone', async () => {
    const uri = 'file:///work/app-log.jsonl';
    await client.open(uri, '{"level":"info","msg":"started"}\n{"level":"warn","msg":"slow"}\n');
    assert.deepEqual(await client.diagnostics(uri, 1), []);
  });
});
