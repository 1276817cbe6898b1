import assert from 'node:assert/strict';
import { CrossLineChecker } from '../../../common/engine/dataset/cross-line-checker.ts';
import type { Diagnostic } from '../../../common/engine/diagnostic.ts';
import type { LineFacts } from '../../../common/engine/line-facts.ts';

/**
 * The compact cross-line state against a plain Map oracle, on hand-made facts: random files
 * with interleaved conversations, repeated and out-of-order turns, repeated ids and samples,
 * and lines without keys. Every duplicate must be found with its first line, and nothing else.
 */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function facts(id: string, conversation: string, turn: number, answer: string): LineFacts {
  return {
    kind: 'data',
    shape: 'brightrun_lora_v4',
    shapeDetected: true,
    diagnostics: [],
    valid: true,
    pairs: 1,
    samples: [
      {
        messages: [
          { role: 'user', content: `question of ${conversation}` },
          { role: 'assistant', content: answer },
        ],
        targets: [1],
      },
    ],
    conversations: 1,
    id: { value: id, start: 7, end: 9 + id.length },
    conversationId: { value: conversation, start: 30, end: 32 + conversation.length },
    turnNumber: { value: turn, start: 60, end: 61 },
    start: 0,
    end: 100,
  };
}

const BLANK: LineFacts = { ...facts('', '', 0, ''), kind: 'blank', samples: [] };
delete BLANK.id;
delete BLANK.conversationId;
delete BLANK.turnNumber;

describe('cross-line state against a Map oracle', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`finds exactly the duplicates of random file ${seed}`, () => {
      const next = random(seed);
      const found: Diagnostic[] = [];
      const checker = new CrossLineChecker((d) => found.push(d));
      const firstId = new Map<string, number>();
      const firstTurn = new Map<string, number>();
      const firstSample = new Map<string, number>();
      const expected: string[] = [];
      const lastTurn = new Map<string, number>();
      for (let line = 0; line < 5000; line++) {
        if (next() < 0.03) {
          checker.check(BLANK, line, '');
          continue;
        }
        const conversation = `c${Math.floor(next() * 400)}`;
        // Mostly the next turn, sometimes a repeat, a jump back or a turn above 31.
        const previous = lastTurn.get(conversation) ?? 0;
        const r = next();
        const turn =
          r < 0.8
            ? previous + 1
            : r < 0.9
              ? Math.max(1, previous)
              : r < 0.97
                ? 1 + Math.floor(next() * 5)
                : 40;
        lastTurn.set(conversation, Math.max(previous, turn));
        const id = next() < 0.02 ? `id${Math.floor(next() * line)}` : `id${line}`;
        const answer = next() < 0.02 ? 'the same answer' : `answer ${line}`;
        checker.check(facts(id, conversation, turn, answer), line, '');
        for (const [map, key, code] of [
          [firstId, id, 'BRL030'],
          [firstTurn, `${conversation}/${turn}`, 'BRL036'],
          [firstSample, `${conversation}/${answer}`, 'BRL037'],
        ] as const) {
          const first = map.get(key);
          if (first === undefined) map.set(key, line);
          else expected.push(`${code} ${line} ${first}`);
        }
      }
      checker.finish(5000);
      const got = found
        .filter((d) => d.code === 'BRL030' || d.code === 'BRL036' || d.code === 'BRL037')
        .map((d) => `${d.code} ${d.range.startLine} ${d.related?.[0].range.startLine}`);
      assert.deepEqual(got.sort(), expected.sort());
      assert.ok(expected.length > 50, 'the file has duplicates of every kind');
    });
  }
});
