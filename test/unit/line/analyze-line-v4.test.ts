import assert from 'node:assert/strict';
import type { Diagnostic } from '../../../common/engine/diagnostic.ts';
import { analyzeLine } from '../../../common/engine/line/analyze-line.ts';
import { CANONICAL_METADATA_KEYS } from '../../../common/engine/rules/conversation-metadata.ts';
import { V4_CONVERSATION_METADATA_KEYS } from '../../../common/engine/schema/types.ts';
import {
  SYSTEM_PROMPT,
  colsOf,
  fullPair,
  keyCols,
  minimalPair,
  valueCols,
} from './pair-fixtures.ts';

const LINE = 12;

function analyze(text: string) {
  return analyzeLine(text, LINE, { expectedShape: undefined });
}

/** A v4 line: the minimal valid pair with `patch` applied (undefined deletes a field). */
function pairLine(patch: Record<string, unknown>): string {
  return JSON.stringify({ ...minimalPair(), ...patch });
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

const history2 = [
  { turn: 1, role: 'user', content: 'Hi' },
  { turn: 2, role: 'assistant', content: 'Hello' },
];

describe('analyzeLine: brightrun_lora_v4 pairs', () => {
  it('accepts a complete pair without any diagnostic', () => {
    const facts = analyze(JSON.stringify(fullPair()));
    assert.deepEqual(facts.diagnostics, []);
    assert.equal(facts.kind, 'data');
    assert.equal(facts.shape, 'brightrun_lora_v4');
    assert.equal(facts.shapeDetected, true);
    assert.equal(facts.valid, true);
    assert.equal(facts.pairs, 1);
    assert.equal(facts.conversations, 1);
  });

  it('fills id, conversation id, turn number and the rendered sample', () => {
    const text = JSON.stringify(fullPair());
    const facts = analyze(text);
    assert.equal(facts.id?.value, 'fp_marcus_turn2_1a2b3c4d');
    assert.deepEqual(
      [facts.id?.start, facts.id?.end],
      valueCols(text, 'id', '"fp_marcus_turn2_1a2b3c4d"'),
    );
    assert.equal(facts.conversationId?.value, '6f1c2d3e-0000-4000-8000-000000000001');
    assert.equal(facts.turnNumber?.value, 2);
    assert.deepEqual(
      [facts.targetRange?.start, facts.targetRange?.end],
      valueCols(text, 'target_response', JSON.stringify(fullPair().target_response)),
    );
    assert.deepEqual(
      [facts.turnNumber?.start, facts.turnNumber?.end],
      valueCols(text, 'turn_number', '2'),
    );
    // The history ends with the same user message as current_user_input: rendered once.
    assert.deepEqual(facts.samples, [
      {
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: 'I have not opened my statements in months.' },
          {
            role: 'assistant',
            content: 'That takes courage to say. Let us open just one statement together.',
          },
        ],
        targets: [2],
      },
    ]);
  });

  it('builds a conversation context that ignores metadata key order and spacing', () => {
    const a = pairLine({ conversation_metadata: { training_topic: 'T', client_persona: 'P' } });
    const b = `{"conversation_metadata": {"client_persona": "P", "training_topic": "T"}, ${pairLine({}).slice(1)}`;
    const ca = analyze(a).conversationContext;
    const cb = analyze(b).conversationContext;
    assert.ok(ca !== undefined && cb !== undefined);
    assert.equal(ca.value, cb.value);
    assert.deepEqual(JSON.parse(ca.value), {
      conversation_metadata: { client_persona: 'P', training_topic: 'T' },
      system_prompt: SYSTEM_PROMPT,
    });
    assert.deepEqual(
      [ca.start, ca.end],
      valueCols(a, 'system_prompt', JSON.stringify(SYSTEM_PROMPT)),
    );
    const escaped = analyze(
      pairLine({ system_prompt: `${SYSTEM_PROMPT}\n"quoted"` }),
    ).conversationContext;
    assert.deepEqual(JSON.parse(escaped?.value ?? ''), {
      system_prompt: `${SYSTEM_PROMPT}\n"quoted"`,
    });
    const otherPrompt = analyze(
      pairLine({ system_prompt: `${SYSTEM_PROMPT}!` }),
    ).conversationContext;
    assert.notEqual(otherPrompt?.value, analyze(pairLine({})).conversationContext?.value);
  });

  it('writes metadata keys in code-unit order', () => {
    assert.deepEqual([...CANONICAL_METADATA_KEYS], [...V4_CONVERSATION_METADATA_KEYS].sort());
    const full = analyze(JSON.stringify(fullPair())).conversationContext?.value ?? '';
    const keys = Object.keys(
      (JSON.parse(full) as { conversation_metadata: object }).conversation_metadata,
    );
    assert.deepEqual(keys, [...CANONICAL_METADATA_KEYS]);
  });

  it('keeps the context canonical with unknown and duplicate metadata keys', () => {
    const a = `{"conversation_metadata": {"zeta": "1", "client_persona": "old", "client_persona": "P"}, ${pairLine({}).slice(1)}`;
    const b = `{"conversation_metadata": {"client_persona": "P", "zeta": "1"}, ${pairLine({}).slice(1)}`;
    const ca = analyze(a).conversationContext?.value;
    assert.equal(ca, analyze(b).conversationContext?.value);
    assert.deepEqual(JSON.parse(ca ?? ''), {
      conversation_metadata: { client_persona: 'P', zeta: '1' },
      system_prompt: SYSTEM_PROMPT,
    });
    const known = `{"conversation_metadata": {"client_persona": "old", "client_persona": "P"}, ${pairLine({}).slice(1)}`;
    assert.deepEqual(JSON.parse(analyze(known).conversationContext?.value ?? ''), {
      conversation_metadata: { client_persona: 'P' },
      system_prompt: SYSTEM_PROMPT,
    });
  });

  it('BRL020 on the opening brace of the object, naming the missing field', () => {
    const text = pairLine({ target_response: undefined });
    const d = only(text, 'BRL020');
    assertAt(d, [0, 1]);
    assert.match(d.message, /target_response/);
    assert.equal(d.data?.path, 'target_response');
    assert.ok(d.suggestion?.includes('target_response'));
    const facts = analyze(text);
    assert.equal(facts.valid, false);
    assert.deepEqual(facts.samples, []);
    assert.equal(facts.pairs, 1);
  });

  it('BRL020 for a nested field is on the brace of the nested object', () => {
    const text = pairLine({
      turn_number: 2,
      conversation_history: [{ turn: 1, role: 'user' }],
    });
    const d = only(text, 'BRL020');
    assertAt(d, colsOf(text, '{', 1));
    assert.equal(d.data?.path, 'conversation_history[0].content');
  });

  it('BRL021 on a wrong-typed value, null included', () => {
    const text = pairLine({ id: 42 });
    assertAt(only(text, 'BRL021'), valueCols(text, 'id', '42'));
    const nullTarget = pairLine({ target_response: null });
    const d = only(nullTarget, 'BRL021');
    assertAt(d, valueCols(nullTarget, 'target_response', 'null'));
    assert.match(d.message, /target_response must be a string, not null/);
    const fraction = pairLine({ turn_number: 1.5 });
    assertAt(only(fraction, 'BRL021'), valueCols(fraction, 'turn_number', '1.5'));
  });

  it('BRL022 on the key of an unknown property, without descending into its value', () => {
    const text = pairLine({ extra: { deep: [1, 2] } });
    const d = only(text, 'BRL022');
    assert.equal(d.severity, 'warning');
    assertAt(d, keyCols(text, 'extra'));
    const nested = pairLine({ training_metadata: { qualityscore: 4 } });
    assertAt(only(nested, 'BRL022'), keyCols(nested, 'qualityscore'));
    assert.equal(only(nested, 'BRL022').data?.path, 'training_metadata.qualityscore');
  });

  it('survives a 20,000-deep value in an unknown property', () => {
    const deep = '['.repeat(20000) + ']'.repeat(20000);
    const text = `{"junk": ${deep}, ${pairLine({}).slice(1)}`;
    const facts = analyze(text);
    assert.deepEqual(
      facts.diagnostics.map((d) => d.code),
      ['BRL022'],
    );
    assertAt(facts.diagnostics[0], [1, 7]);
  });

  it('BRL023 on a required string that is only whitespace', () => {
    const text = pairLine({ current_user_input: '   ' });
    const d = only(text, 'BRL023');
    assertAt(d, valueCols(text, 'current_user_input', '"   "'));
  });

  it('BRL024 on numbers out of range', () => {
    const zero = pairLine({ turn_number: 0 });
    assertAt(only(zero, 'BRL024'), valueCols(zero, 'turn_number', '0'));
    const score = pairLine({ training_metadata: { quality_score: 7 } });
    assertAt(only(score, 'BRL024'), valueCols(score, 'quality_score', '7'));
    const intensity = pairLine({
      emotional_context: {
        detected_emotions: {
          primary: 'joy',
          primary_confidence: 1,
          intensity: 1.5,
          valence: 'positive',
        },
      },
    });
    assertAt(only(intensity, 'BRL024'), valueCols(intensity, 'intensity', '1.5'));
  });

  it('BRL025 (info) on a value outside an open list', () => {
    const text = pairLine({ conversation_metadata: { persona_archetype: 'brave_explorer' } });
    const d = only(text, 'BRL025');
    assert.equal(d.severity, 'info');
    assertAt(d, valueCols(text, 'persona_archetype', '"brave_explorer"'));
    assert.equal(analyze(text).valid, true);
  });

  it('BRL026 on a closed-list value, with the likely role in data', () => {
    const valence = pairLine({
      emotional_context: {
        detected_emotions: {
          primary: 'joy',
          primary_confidence: 1,
          intensity: 1,
          valence: 'neutral',
        },
      },
    });
    assertAt(only(valence, 'BRL026'), valueCols(valence, 'valence', '"neutral"'));
    const role = pairLine({
      turn_number: 3,
      conversation_history: [
        { turn: 1, role: 'user', content: 'Hi' },
        { turn: 2, role: 'Assistant', content: 'Hello' },
      ],
    });
    const d = only(role, 'BRL026');
    assertAt(d, valueCols(role, 'role', '"Assistant"', 1));
    assert.equal(d.data?.expected, 'assistant');
    assert.match(d.message, /conversation_history\[1\]\.role/);
  });

  it('BRL027 when the system prompt is shorter than 100 characters', () => {
    const text = pairLine({ system_prompt: 'Be nice.' });
    const d = only(text, 'BRL027');
    assert.equal(d.severity, 'warning');
    assertAt(d, valueCols(text, 'system_prompt', '"Be nice."'));
    assert.equal(analyze(text).valid, true);
  });

  it('BRL031 on the first history turn number out of sequence', () => {
    const text = pairLine({
      turn_number: 3,
      conversation_history: [
        { turn: 1, role: 'user', content: 'Hi' },
        { turn: 3, role: 'assistant', content: 'Hello' },
      ],
    });
    const d = only(text, 'BRL031');
    assertAt(d, valueCols(text, 'turn', '3', 1));
    assert.equal(d.data?.expected, 2);
  });

  it('BRL032 on turn_number when the history length is not turn_number - 1', () => {
    const text = pairLine({ turn_number: 5, conversation_history: history2 });
    const d = only(text, 'BRL032');
    assertAt(d, valueCols(text, 'turn_number', '5'));
    assert.equal(d.data?.expected, 3);
  });

  it('BRL033 when the history does not start with user or does not alternate', () => {
    const first = pairLine({
      turn_number: 2,
      conversation_history: [{ turn: 1, role: 'assistant', content: 'Welcome' }],
    });
    assertAt(only(first, 'BRL033'), valueCols(first, 'role', '"assistant"'));
    const twice = pairLine({
      turn_number: 3,
      conversation_history: [
        { turn: 1, role: 'user', content: 'Hi' },
        { turn: 2, role: 'user', content: 'Hello?' },
      ],
      current_user_input: 'Hello?',
    });
    const d = only(twice, 'BRL033');
    assertAt(d, valueCols(twice, 'role', '"user"', 1));
    assert.equal(d.data?.expected, 'assistant');
  });

  it('BRL034 on current_user_input when the last user turn says something else', () => {
    const text = pairLine({
      turn_number: 2,
      conversation_history: [{ turn: 1, role: 'user', content: 'Question one' }],
      current_user_input: 'Question two',
    });
    const d = only(text, 'BRL034');
    assertAt(d, valueCols(text, 'current_user_input', '"Question two"'));
    assert.deepEqual(d.related?.[0].range, {
      startLine: LINE,
      startCol: colsOf(text, '"Question one"')[0],
      endLine: LINE,
      endCol: colsOf(text, '"Question one"')[1],
    });
    // Rendering keeps both user messages: they differ.
    const messages = analyze(text).samples[0].messages;
    assert.deepEqual(
      messages.map((m) => m.content),
      [SYSTEM_PROMPT, 'Question one', 'Question two', 'Hi, how can I help?'],
    );
  });

  it('no BRL034 and no doubled user message when the history repeats the input', () => {
    const text = pairLine({
      turn_number: 2,
      conversation_history: [{ turn: 1, role: 'user', content: 'Hello' }],
      current_user_input: 'Hello',
    });
    const facts = analyze(text);
    assert.deepEqual(facts.diagnostics, []);
    assert.deepEqual(
      facts.samples[0].messages.map((m) => m.role),
      ['system', 'user', 'assistant'],
    );
  });

  it('BRL038 on conversation_turn when it differs from turn_number', () => {
    const text = pairLine({ training_metadata: { conversation_turn: 4 } });
    assertAt(only(text, 'BRL038'), valueCols(text, 'conversation_turn', '4'));
  });

  it('BRL042 (info) when quality_score is below 2.5', () => {
    const text = pairLine({ training_metadata: { quality_score: 2 } });
    const d = only(text, 'BRL042');
    assert.equal(d.severity, 'info');
    assertAt(d, valueCols(text, 'quality_score', '2'));
    assert.equal(
      analyze(pairLine({ training_metadata: { quality_score: 2.5 } })).diagnostics.length,
      0,
    );
  });

  it('gives a line without shape markers the expected shape', () => {
    const text = '{"id": "x"}';
    const asV4 = analyzeLine(text, 0, { expectedShape: undefined });
    assert.equal(asV4.shape, 'brightrun_lora_v4');
    assert.equal(asV4.shapeDetected, false);
    const asChat = analyzeLine(text, 0, { expectedShape: 'chat_messages' });
    assert.equal(asChat.shape, 'chat_messages');
    assert.deepEqual(asChat.diagnostics.map((d) => d.code).sort(), ['BRL022', 'BRL050']);
  });

  it('sorts diagnostics by column', () => {
    const text = pairLine({ id: 1, turn_number: 0, target_response: '' });
    const cols = analyze(text).diagnostics.map((d) => d.range.startCol);
    assert.deepEqual(
      cols,
      [...cols].sort((a, b) => a - b),
    );
  });
});
