import assert from 'node:assert/strict';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { HoverRequest } from 'vscode-languageserver-protocol';
import { analyzeLine } from '../../common/engine/line/analyze-line.ts';
import { DATASET_SUMMARY_NOTIFICATION, type DatasetSummary } from '../../common/protocol/lsp.ts';
import { loadTokenCounter } from '../../common/tokenizers/load-token-counter.ts';
import { LspClient } from './support/lsp-client.ts';

const SYSTEM =
  'You are a calm, practical financial coach who helps people take one small step at a time toward their goals.';
const PAIR = JSON.stringify({
  id: 'budget_turn2_0000abcd',
  conversation_id: 'c1',
  turn_number: 2,
  system_prompt: SYSTEM,
  conversation_history: [
    { turn: 1, role: 'user', content: 'I keep avoiding my bank statements.' },
    {
      turn: 2,
      role: 'assistant',
      content: 'That is common. What feels hardest about opening them?',
    },
    { turn: 3, role: 'user', content: 'Seeing how much I spent.' },
  ],
  current_user_input: 'Seeing how much I spent.',
  target_response: 'Let us look at one week only, together, without judging it.',
});

describe('language server: hover', function () {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  async function hoverAt(uri: string, line: number, character: number): Promise<string> {
    const result: Hover | null = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line, character },
    });
    assert.ok(result, 'a hover');
    return (result.contents as MarkupContent).value;
  }

  it('documents the key under the cursor from the schema', async () => {
    const uri = 'file:///work/hover.jsonl';
    await client.open(uri, PAIR);
    await client.diagnostics(uri, 1);
    const text = await hoverAt(uri, 0, PAIR.indexOf('"turn_number"') + 3);
    assert.match(text, /\*\*turn\\_number\*\* `integer` \(required\)/);
  });

  it('shows the tokens and the rendered chat without the repeated user message', async () => {
    const uri = 'file:///work/hover.jsonl';
    const text = await hoverAt(uri, 0, PAIR.indexOf('target_response') + 40);
    assert.match(text, /\d+ tokens \(mistral[^)]*\) · \d+(\.\d)?% of max_seq_length 2048/);
    assert.equal(text.split('Seeing how much I spent.').length - 1, 1, text);
    assert.match(text, /\*\*assistant\*\* · trained/);
  });

  it('counts exactly what the trainer sees, before and after the background count', async () => {
    // The server's own thread holds no tokenizer: hover asks the token worker, or reuses the
    // counts the background pass left on the line. Both must be the model's exact count.
    const counter = await loadTokenCounter('mistralai/Mistral-7B-v0.1');
    const [sample] = analyzeLine(PAIR, 0, { expectedShape: undefined }).samples;
    const expected = `${counter.countSample(sample.messages)} tokens (mistral`;
    const uri = 'file:///work/hover-count.jsonl';
    await client.open(uri, PAIR);
    await client.diagnostics(uri, 1);
    const position = PAIR.indexOf('target_response') + 40;
    assert.ok((await hoverAt(uri, 0, position)).includes(expected), expected);
    await client.notification(DATASET_SUMMARY_NOTIFICATION, (p) => {
      const summary = p as DatasetSummary;
      return summary.uri === uri && summary.tokens !== undefined;
    });
    assert.ok((await hoverAt(uri, 0, position)).includes(expected), expected);
  });
});
