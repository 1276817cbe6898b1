import assert from 'node:assert/strict';
import type { TextEdit } from 'vscode-languageserver-protocol';
import { CompletionRequest } from 'vscode-languageserver-protocol';
import { LspClient } from './support/lsp-client.ts';

const PAIR = JSON.stringify({
  id: 'budget_turn1_0000abcd',
  conversation_id: 'c1',
  turn_number: 1,
  system_prompt: 'You are a calm financial coach.',
  conversation_history: [],
  current_user_input: 'I keep avoiding my bank statements.',
  target_response: 'That is common. Shall we open the latest one together?',
});

describe('language server: completion', function () {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  async function completeAt(uri: string, text: string, line: number, character: number) {
    await client.open(uri, text);
    await client.diagnostics(uri, 1);
    const result = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line, character },
    });
    assert.ok(result);
    return Array.isArray(result) ? result : result.items;
  }

  it('offers the property names still missing, with their descriptions', async () => {
    const line = '{"id":"a","';
    const items = await completeAt('file:///w/keys.jsonl', `${PAIR}\n${line}`, 1, line.length);
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('conversation_id'));
    assert.ok(labels.includes('target_response'));
    assert.ok(!labels.includes('id'), 'id is already written');
    const target = items.find((i) => i.label === 'target_response')!;
    assert.match(JSON.stringify(target.documentation), /assistant/i);
    assert.equal((target.textEdit as TextEdit).range.start.character, line.length - 1);
  });

  it('offers the roles for a history turn', async () => {
    const line = '{"conversation_history":[{"turn":1,"role":"';
    const items = await completeAt('file:///w/roles.jsonl', `${PAIR}\n${line}`, 1, line.length);
    assert.deepEqual(items.map((i) => i.label).sort(), ['assistant', 'user']);
  });

  it('offers the next turn of the conversation on an empty line', async () => {
    const items = await completeAt('file:///w/next.jsonl', `${PAIR}\n`, 1, 0);
    const next = items.find((i) => i.label === 'Next turn of this conversation');
    assert.ok(next, JSON.stringify(items.map((i) => i.label)));
    const snippet = (next.textEdit as TextEdit).newText;
    assert.match(snippet, /"conversation_id":"c1","turn_number":2/);
    assert.match(snippet, /"id":"budget_turn2_[0-9a-f]{8}"/);
    assert.match(
      snippet,
      /"conversation_history":\[\{"turn":1,"role":"user","content":"I keep avoiding my bank statements."\\\},\{"turn":2,"role":"assistant"/,
    );
  });
});
