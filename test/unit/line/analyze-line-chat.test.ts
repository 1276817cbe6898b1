import assert from 'node:assert/strict';
import type { Diagnostic } from '../../../common/engine/diagnostic.ts';
import { analyzeLine } from '../../../common/engine/line/analyze-line.ts';
import {
  VALID_CHAT,
  VALID_CONVERSATIONS,
  VALID_FLAT_CONVERSATIONS,
  VALID_TURNS,
  colsOf,
  keyCols,
  valueCols,
} from './pair-fixtures.ts';

const LINE = 3;

function analyze(text: string) {
  return analyzeLine(text, LINE, { expectedShape: undefined });
}

function only(text: string, code: string): Diagnostic {
  const all = analyze(text).diagnostics;
  const found = all.filter((d) => d.code === code);
  assert.equal(found.length, 1, `exactly one ${code} in ${JSON.stringify(all, null, 1)}`);
  return found[0];
}

function assertAt(d: Diagnostic, [startCol, endCol]: [number, number]): void {
  assert.deepEqual(d.range, { startLine: LINE, startCol, endLine: LINE, endCol });
}

const u = (content: string) => ({ role: 'user', content });
const a = (content: string) => ({ role: 'assistant', content });

describe('analyzeLine: chat shapes', () => {
  it('accepts chat_messages, counts every assistant message as a target', () => {
    const facts = analyze(JSON.stringify(VALID_CHAT));
    assert.deepEqual(facts.diagnostics, []);
    assert.equal(facts.shape, 'chat_messages');
    assert.equal(facts.shapeDetected, true);
    assert.equal(facts.valid, true);
    assert.equal(facts.pairs, 2);
    assert.equal(facts.conversations, 1);
    assert.deepEqual(facts.samples, [{ messages: VALID_CHAT.messages, targets: [2, 4] }]);
  });

  it('accepts conversation bundles and flat message lists', () => {
    const bundle = analyze(JSON.stringify(VALID_CONVERSATIONS));
    assert.deepEqual(bundle.diagnostics, []);
    assert.equal(bundle.shape, 'conversations');
    assert.equal(bundle.conversations, 2);
    assert.equal(bundle.pairs, 2);
    assert.equal(bundle.samples.length, 2);
    const flat = analyze(JSON.stringify(VALID_FLAT_CONVERSATIONS));
    assert.deepEqual(flat.diagnostics, []);
    assert.equal(flat.conversations, 1);
    assert.deepEqual(flat.samples, [
      { messages: VALID_FLAT_CONVERSATIONS.conversations, targets: [1] },
    ]);
  });

  it('accepts legacy turns and renders their system prompt first', () => {
    const facts = analyze(JSON.stringify(VALID_TURNS));
    assert.deepEqual(facts.diagnostics, []);
    assert.equal(facts.shape, 'turns');
    assert.equal(facts.conversationId?.value, 'legacy-1');
    assert.deepEqual(facts.samples, [
      {
        messages: [{ role: 'system', content: 'Be kind.' }, u('Hi'), a('Hello')],
        targets: [2],
      },
    ]);
  });

  it('BRL050 when the messages are empty, not an array, or missing', () => {
    const empty = '{"messages": []}';
    assertAt(only(empty, 'BRL050'), [13, 15]);
    const notArray = '{"turns": "hi", "conversation_id": "c"}';
    assertAt(only(notArray, 'BRL050'), [10, 14]);
    const missing = '{"metadata": {}}';
    const d = analyzeLine(missing, LINE, { expectedShape: 'chat_messages' }).diagnostics;
    assert.deepEqual(
      d.map((x) => [x.code, x.range.startCol, x.range.endCol]),
      [['BRL050', 0, 1]],
    );
    const item = JSON.stringify({ conversations: [{ messages: [] }] });
    assertAt(only(item, 'BRL050'), valueCols(item, 'messages', '[]'));
  });

  it('BRL051 on a role that is not a chat role, suggesting the likely one', () => {
    const text = JSON.stringify({ messages: [{ role: 'human', content: 'Hi' }, a('Hello')] });
    const d = only(text, 'BRL051');
    assertAt(d, valueCols(text, 'role', '"human"'));
    assert.equal(d.data?.expected, 'user');
    const missing = JSON.stringify({ messages: [{ content: 'Hi' }, a('Hello')] });
    assertAt(only(missing, 'BRL051'), colsOf(missing, '{', 1));
  });

  it('BRL052 on the key of a conversation without an assistant message', () => {
    const text = JSON.stringify({ messages: [u('Hi')] });
    const d = only(text, 'BRL052');
    assertAt(d, keyCols(text, 'messages'));
    const bundle = JSON.stringify({
      conversations: [{ messages: [u('A'), a('B')] }, { messages: [u('C')] }],
    });
    assertAt(only(bundle, 'BRL052'), keyCols(bundle, 'messages', 1));
  });

  it('BRL053 on a misplaced system message and on a broken alternation', () => {
    const system = JSON.stringify({
      messages: [u('Hi'), { role: 'system', content: 'S' }, a('Hello')],
    });
    assertAt(only(system, 'BRL053'), valueCols(system, 'role', '"system"', 1));
    const twice = JSON.stringify({ messages: [u('Hi'), u('Anyone?'), a('Hello')] });
    const d = only(twice, 'BRL053');
    assertAt(d, valueCols(twice, 'role', '"user"', 1));
    assert.equal(d.severity, 'warning');
    const tool = JSON.stringify({
      messages: [
        u('Weather?'),
        { role: 'assistant', content: 'Checking' },
        { role: 'tool', content: '20C' },
        a('20C'),
      ],
    });
    assert.deepEqual(analyze(tool).diagnostics, []);
  });

  it('BRL054 on content that is missing, not a string, or empty', () => {
    const empty = JSON.stringify({ messages: [u(''), a('Hello')] });
    assertAt(only(empty, 'BRL054'), valueCols(empty, 'content', '""'));
    const wrong = JSON.stringify({ messages: [u('Hi'), { role: 'assistant', content: null }] });
    assertAt(only(wrong, 'BRL054'), valueCols(wrong, 'content', 'null', 1));
    const missing = JSON.stringify({ messages: [u('Hi'), { role: 'assistant' }] });
    assertAt(only(missing, 'BRL054'), colsOf(missing, '{', 2));
  });

  it('BRL021 on a message that is not an object, BRL022 on unknown keys', () => {
    const text = JSON.stringify({ messages: ['Hi', a('Hello')], tools: [] });
    assertAt(only(text, 'BRL021'), colsOf(text, '"Hi"'));
    assertAt(only(text, 'BRL022'), keyCols(text, 'tools'));
    const key = JSON.stringify({ messages: [{ role: 'user', content: 'Hi', weight: 1 }, a('B')] });
    assertAt(only(key, 'BRL022'), keyCols(key, 'weight'));
  });

  it('BRL021 on a bundle item of the other kind', () => {
    const text = JSON.stringify({ conversations: [{ messages: [u('A'), a('B')] }, u('C')] });
    assertAt(only(text, 'BRL021'), colsOf(text, '{"role":"user","content":"C"}'));
  });

  it('legacy turns need a conversation_id (BRL020) and check their metadata', () => {
    const text = JSON.stringify({ turns: [u('Hi'), a('Hello')] });
    assertAt(only(text, 'BRL020'), [0, 1]);
    assert.equal(analyze(text).shape, 'turns');
    const meta = JSON.stringify({
      conversation_id: 'c',
      turns: [u('Hi'), a('Hello')],
      conversation_metadata: { conversation_phase: 'celebration' },
    });
    assertAt(only(meta, 'BRL025'), valueCols(meta, 'conversation_phase', '"celebration"'));
  });
});
