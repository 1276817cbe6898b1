import assert from 'node:assert/strict';
import { LineConverter } from '../../../common/engine/convert/line-converter.ts';
import { pairId, shortHash, uuidFromText } from '../../../common/engine/convert/stable-id.ts';
import { analyzeLine } from '../../../common/engine/line/analyze-line.ts';
import type { ChatMessagesLine, V4PairLine } from '../../../common/engine/schema/types.ts';
import {
  SYSTEM_PROMPT,
  VALID_CONVERSATIONS,
  VALID_TURNS,
  fullPair,
  minimalPair,
} from '../line/pair-fixtures.ts';

function toChat(line: string): string[] {
  const result = new LineConverter('chat_messages').convert(line);
  assert.equal(result.error, undefined);
  return result.lines;
}

function assertValid(line: string): void {
  const facts = analyzeLine(line, 0, { expectedShape: undefined });
  const errors = facts.diagnostics.filter((d) => d.severity !== 'info');
  assert.deepEqual(errors, [], line);
}

/** A pair whose history does not repeat the user input, numbered by the v4 rules. */
function thirdTurn(): V4PairLine {
  return {
    ...minimalPair(),
    id: 'p3',
    turn_number: 3,
    conversation_history: [
      { turn: 1, role: 'user', content: 'Hi' },
      { turn: 2, role: 'assistant', content: 'Hello' },
    ],
    current_user_input: 'Where do I start?',
    target_response: 'With your statements.',
    training_metadata: { conversation_turn: 3, quality_score: 4 },
  };
}

describe('conversion', () => {
  it('renders a v4 pair as chat messages and keeps its fields in metadata', () => {
    const [line] = toChat(JSON.stringify(thirdTurn()));
    assertValid(line);
    const chat = JSON.parse(line) as ChatMessagesLine;
    assert.deepEqual(chat.messages, [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'Where do I start?' },
      { role: 'assistant', content: 'With your statements.' },
    ]);
    assert.deepEqual(chat.metadata, {
      id: 'p3',
      conversation_id: 'c1',
      turn_number: 3,
      training_metadata: { conversation_turn: 3, quality_score: 4 },
    });
  });

  it('round-trips v4 → chat → v4: the pair comes back as it was', () => {
    for (const pair of [thirdTurn(), fullPair(), minimalPair()]) {
      const [chat] = toChat(JSON.stringify(pair));
      const back = new LineConverter('brightrun_lora_v4').convert(chat);
      assert.equal(back.error, undefined);
      // Every assistant message of a chat is a target: the last pair is the original one.
      const last = back.lines[back.lines.length - 1];
      assert.deepEqual(JSON.parse(last), pair);
      for (const line of back.lines) assertValid(line);
    }
  });

  it('writes earlier assistant turns as pairs with deterministic ids', () => {
    const [chat] = toChat(JSON.stringify(thirdTurn()));
    const lines = new LineConverter('brightrun_lora_v4').convert(chat).lines;
    assert.equal(lines.length, 2);
    const first = JSON.parse(lines[0]) as V4PairLine;
    assert.equal(first.turn_number, 1);
    assert.deepEqual(first.conversation_history, []);
    assert.equal(first.current_user_input, 'Hi');
    assert.equal(first.target_response, 'Hello');
    assert.match(first.id, /^c1_turn1_[0-9a-f]{8}$/);
    assert.equal(first.id, pairId('c1', 1, 'Hi\u0000Hello'));
    assert.equal(new LineConverter('brightrun_lora_v4').convert(chat).lines[0], lines[0]);
  });

  it('does not write the same pair twice for chat lines of one conversation', () => {
    const turn1: V4PairLine = {
      ...minimalPair(),
      current_user_input: 'Hi',
      target_response: 'Hello',
    };
    const converter = new LineConverter('brightrun_lora_v4');
    const chat1 = toChat(JSON.stringify(turn1))[0];
    const chat3 = toChat(JSON.stringify({ ...thirdTurn(), id: 'p3' }))[0];
    const out = [...converter.convert(chat1).lines, ...converter.convert(chat3).lines];
    assert.deepEqual(
      out.map((l) => (JSON.parse(l) as V4PairLine).id),
      ['p1', 'p3'],
    );
  });

  it('keeps a history that repeats the user input through the round trip', () => {
    const pair = fullPair();
    const [chat] = toChat(JSON.stringify(pair));
    const parsed = JSON.parse(chat) as ChatMessagesLine;
    assert.equal(parsed.metadata?.user_input_repeated, true);
    assert.equal(parsed.messages.filter((m) => m.role === 'user').length, 1);
  });

  it('converts bundles and legacy turns to v4 pairs and to chat lines', () => {
    const fromBundle = new LineConverter('brightrun_lora_v4').convert(
      JSON.stringify(VALID_CONVERSATIONS),
    );
    assert.equal(fromBundle.lines.length, 2);
    assert.ok(fromBundle.notes.some((n) => n.includes('system_prompt is empty')));
    const pairs = fromBundle.lines.map((l) => JSON.parse(l) as V4PairLine);
    assert.notEqual(pairs[0].conversation_id, pairs[1].conversation_id);
    assert.match(
      pairs[0].conversation_id,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );

    const fromTurns = new LineConverter('brightrun_lora_v4').convert(JSON.stringify(VALID_TURNS));
    const pair = JSON.parse(fromTurns.lines[0]) as V4PairLine;
    assert.equal(pair.conversation_id, 'legacy-1');
    assert.equal(pair.system_prompt, 'Be kind.');
    assert.deepEqual(pair.conversation_metadata, { persona_archetype: 'anxious_planner' });

    const chat = new LineConverter('chat_messages').convert(JSON.stringify(VALID_TURNS));
    const line = JSON.parse(chat.lines[0]) as ChatMessagesLine;
    assert.equal(line.messages[0].role, 'system');
    assert.equal(line.metadata?.conversation_id, 'legacy-1');
    assertValid(chat.lines[0]);
  });

  it('drops tool messages and unknown metadata with a note', () => {
    const line = JSON.stringify({
      messages: [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: 'Checking' },
        { role: 'tool', content: '20C' },
        { role: 'assistant', content: 'It is 20C' },
      ],
      metadata: { source: 'crm' },
    });
    const result = new LineConverter('brightrun_lora_v4').convert(line);
    assert.equal(result.lines.length, 1);
    assert.ok(result.notes.some((n) => n.includes('tool message')));
    assert.ok(result.notes.some((n) => n.includes('source')));
    assert.ok(result.notes.some((n) => n.includes('no user message')));
  });

  it('refuses invalid lines, skips blank ones, handles the header', () => {
    const bad = new LineConverter('chat_messages').convert('{"id": 1}');
    assert.match(bad.error ?? '', /^not converted: BRL/);
    assert.deepEqual(bad.lines, []);
    assert.deepEqual(new LineConverter('chat_messages').convert('  ').lines, []);
    const header = '{"_meta": {"version": "4.0.0"}}';
    assert.deepEqual(new LineConverter('brightrun_lora_v4').convert(header).lines, [header]);
    assert.deepEqual(new LineConverter('chat_messages').convert(header).lines, []);
  });

  it('reports a line nested too deeply to write instead of throwing', () => {
    const deep = '['.repeat(20000) + ']'.repeat(20000);
    const line = `{"junk": ${deep}, ${JSON.stringify(minimalPair()).slice(1)}`;
    const result = new LineConverter('chat_messages').convert(line);
    assert.deepEqual(result.lines, []);
    assert.match(result.error ?? '', /nested too deeply/);
  });

  it('makes stable ids', () => {
    assert.equal(shortHash(''), '811c9dc5');
    assert.equal(shortHash('a'), 'e40c292c');
    assert.equal(uuidFromText('x'), uuidFromText('x'));
    assert.notEqual(uuidFromText('x'), uuidFromText('y'));
  });
});
