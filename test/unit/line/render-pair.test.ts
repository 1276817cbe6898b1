import assert from 'node:assert/strict';
import { renderPair } from '../../../common/engine/line/render-pair.ts';

describe('renderPair', () => {
  const base = {
    system_prompt: 'System',
    current_user_input: 'How do I start?',
    target_response: 'With one small step.',
  };

  it('renders system, history, user input and the target, the target last', () => {
    const sample = renderPair({
      ...base,
      conversation_history: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
      ],
    });
    assert.deepEqual(sample, {
      messages: [
        { role: 'system', content: 'System' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'How do I start?' },
        { role: 'assistant', content: 'With one small step.' },
      ],
      targets: [4],
    });
  });

  it('does not duplicate a user message the history already ends with', () => {
    const sample = renderPair({
      ...base,
      conversation_history: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'How do I start?' },
      ],
    });
    assert.deepEqual(
      sample.messages.map((m) => `${m.role}:${m.content}`),
      [
        'system:System',
        'user:Hi',
        'assistant:Hello',
        'user:How do I start?',
        'assistant:With one small step.',
      ],
    );
    assert.deepEqual(sample.targets, [4]);
  });

  it('keeps both user messages when the last history turn says something else', () => {
    const sample = renderPair({
      ...base,
      conversation_history: [{ role: 'user', content: 'Hi' }],
    });
    assert.deepEqual(
      sample.messages.map((m) => m.role),
      ['system', 'user', 'user', 'assistant'],
    );
  });

  it('renders no system message for an empty system prompt', () => {
    const sample = renderPair({ ...base, system_prompt: '', conversation_history: [] });
    assert.deepEqual(
      sample.messages.map((m) => m.role),
      ['user', 'assistant'],
    );
  });

  it('does not share message objects with its input', () => {
    const turn = { role: 'user' as const, content: 'Hi', turn: 1 };
    const sample = renderPair({ ...base, conversation_history: [turn] });
    assert.notEqual(sample.messages[1], turn);
    assert.deepEqual(Object.keys(sample.messages[1]), ['role', 'content']);
  });
});
