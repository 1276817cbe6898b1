import assert from 'node:assert/strict';
import type { LineFacts } from '../../../common/engine/line-facts.ts';
import type { ChatMessage, LineShape, Sample } from '../../../common/engine/shape.ts';
import { StatsAccumulator } from '../../../common/engine/stats/stats-accumulator.ts';

const tokenizer = {
  model: 'mistralai/Mistral-7B-v0.1',
  name: 'mistral-sentencepiece',
  exact: true,
};

function msg(role: ChatMessage['role'], content: string): ChatMessage {
  return { role, content };
}

/** A v4 pair line at turn `turn`: system, 2·(turn − 1) history messages, user, target. */
function v4Line(conversationId: string, turn: number, valid = true): LineFacts {
  const messages = [msg('system', 'You are a coach.')];
  for (let t = 1; t < turn; t++) messages.push(msg('user', `q${t}`), msg('assistant', `a${t}`));
  messages.push(msg('user', `q${turn}`), msg('assistant', `a${turn}`));
  return facts('brightrun_lora_v4', [{ messages, targets: [messages.length - 1] }], {
    valid,
    conversationId,
  });
}

function facts(
  shape: LineShape,
  samples: Sample[],
  extra: { valid?: boolean; conversationId?: string; kind?: LineFacts['kind'] } = {},
): LineFacts {
  const valid = extra.valid ?? true;
  return {
    kind: extra.kind ?? 'data',
    shape,
    shapeDetected: true,
    diagnostics: [],
    valid,
    pairs: valid ? samples.reduce((n, s) => n + s.targets.length, 0) : 0,
    samples: valid ? samples : [],
    conversations: samples.length,
    conversationId:
      extra.conversationId === undefined
        ? undefined
        : { value: extra.conversationId, start: 0, end: extra.conversationId.length + 2 },
    start: 0,
    end: 10,
  };
}

describe('StatsAccumulator', function () {
  it('counts v4 pairs, samples and distinct conversations over valid lines only', function () {
    const acc = new StatsAccumulator({ maxSeqLength: 2048 });
    acc.addLine(v4Line('c1', 1));
    acc.addLine(v4Line('c1', 2));
    acc.addLine(v4Line('c1', 3));
    acc.addLine(v4Line('c2', 1));
    acc.addLine(v4Line('c3', 1, false)); // invalid: not counted, nor its conversation
    acc.addLine(facts('brightrun_lora_v4', [], { kind: 'meta' }));
    const stats = acc.result();
    assert.equal(stats.shape, 'brightrun_lora_v4');
    assert.equal(stats.total_training_pairs, 4);
    assert.equal(stats.total_samples, 4);
    assert.equal(stats.total_conversations, 2);
    // c1 renders at most 6 turns (its turn-3 line), c2 two: (6 + 2) / 2.
    assert.equal(stats.avg_turns_per_conversation, 4);
  });

  it('leaves token figures undefined when tokens are not counted', function () {
    const acc = new StatsAccumulator({ maxSeqLength: 2048 });
    acc.addLine(v4Line('c1', 1));
    const stats = acc.result();
    assert.equal(stats.total_tokens, undefined);
    assert.equal(stats.token_distribution, undefined);
    assert.equal(stats.avg_tokens_per_turn, undefined);
    assert.equal(stats.tokenizer, undefined);
  });

  it('computes the token distribution exactly and counts samples over the limit', function () {
    const acc = new StatsAccumulator({ maxSeqLength: 100, tokenizer });
    acc.addLine(v4Line('c1', 1)); // 2 turns
    acc.addLine(v4Line('c1', 2)); // 4 turns
    for (const t of [50, 150, 100, 200]) acc.addSampleTokens(t);
    const stats = acc.result();
    assert.equal(stats.total_tokens, 500);
    assert.deepEqual(stats.token_distribution, {
      min: 50,
      p5: 57.5, // 50 + 0.15 · (100 − 50)
      median: 125,
      mean: 125,
      p95: 192.5, // 150 + 0.85 · (200 − 150)
      max: 200,
      overMaxSeqLength: 2, // 150 and 200; exactly 100 is not over
    });
    assert.equal(stats.avg_tokens_per_turn, 500 / 6);
    assert.deepEqual(stats.tokenizer, tokenizer);
  });

  it('counts chat-shape conversations and their turns per conversation', function () {
    const acc = new StatsAccumulator({ maxSeqLength: 2048 });
    const a: Sample = {
      messages: [
        msg('system', 's'),
        msg('user', 'u'),
        msg('assistant', 'a'),
        msg('user', 'u2'),
        msg('assistant', 'a2'),
      ],
      targets: [2, 4],
    };
    const b: Sample = { messages: [msg('user', 'u'), msg('assistant', 'a')], targets: [1] };
    acc.addLine(facts('conversations', [a, b]));
    acc.addLine(facts('conversations', [b]));
    const stats = acc.result();
    assert.equal(stats.shape, 'conversations');
    assert.equal(stats.total_samples, 2);
    assert.equal(stats.total_training_pairs, 4);
    assert.equal(stats.total_conversations, 3);
    assert.equal(stats.avg_turns_per_conversation, (4 + 2 + 2) / 3);
  });

  it('keeps the first three valid samples as plain chat messages', function () {
    const acc = new StatsAccumulator({ maxSeqLength: 2048 });
    acc.addLine(v4Line('x', 1, false));
    for (let i = 1; i <= 5; i++) acc.addLine(v4Line(`c${i}`, i));
    const { sample_data } = acc.result();
    assert.equal(sample_data.length, 3);
    assert.deepEqual(
      sample_data.map((s) => s.length),
      [3, 5, 7],
    );
    assert.deepEqual(sample_data[0][1], { role: 'user', content: 'q1' });
  });

  it('gives zeros, not NaN, for an empty file', function () {
    const stats = new StatsAccumulator({ maxSeqLength: 2048, tokenizer }).result();
    assert.equal(stats.total_conversations, 0);
    assert.equal(stats.avg_turns_per_conversation, 0);
    assert.equal(stats.avg_tokens_per_turn, 0);
    assert.equal(stats.token_distribution?.median, 0);
    assert.equal(stats.shape, undefined);
  });

  it('counts a million distinct conversation ids (fingerprints, no strings kept)', function () {
    this.timeout(20000);
    const acc = new StatsAccumulator({ maxSeqLength: 2048 });
    const line = v4Line('seed', 1);
    for (let i = 0; i < 1_000_000; i++) {
      line.conversationId = { value: `conv-${i}`, start: 0, end: 0 };
      acc.addLine(line);
    }
    assert.equal(acc.result().total_conversations, 1_000_000);
  });
});
