import assert from 'node:assert/strict';
import { validateText } from '../../../common/engine/dataset/dataset-validator.ts';
import type { Diagnostic } from '../../../common/engine/diagnostic.ts';
import { DatasetDocument } from '../../../server/src/lsp/document/dataset-document.ts';

/**
 * The language server's incremental cross-line index against the engine's streaming checker
 * (what the CLI runs): after every random edit of a random document, the index must report
 * exactly the cross-line diagnostics that validating the whole text from scratch reports —
 * same codes, ranges, messages and related locations — and the same training-pair count.
 */
const CROSS_LINE = new Set([
  'BRL003',
  'BRL010',
  'BRL011',
  'BRL030',
  'BRL035',
  'BRL036',
  'BRL037',
  'BRL041',
  'BRL055',
]);

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PROMPTS = [
  'You are a calm, practical financial coach who helps people take one small step at a time toward their goals.',
  'You are a patient money coach: acknowledge feelings first, then explain plainly and suggest one concrete action.',
];

function randomLine(next: () => number): string {
  const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)];
  const r = next();
  if (r < 0.08) return pick(['', '   ']);
  if (r < 0.12) return `{"_meta":{"total_pairs":${Math.floor(next() * 6)},"version":"4.0.0"}}`;
  if (r < 0.16)
    return pick([
      '{"id": "x",, }',
      '[1,2]',
      '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}',
    ]);
  const turn = 1 + Math.floor(next() * 3);
  const pair = {
    id: `p${Math.floor(next() * 8)}`,
    conversation_id: `c${Math.floor(next() * 3)}`,
    turn_number: turn,
    system_prompt: pick(PROMPTS),
    conversation_history: [] as unknown[],
    current_user_input: pick(['How do I start saving?', 'What about my debt?']),
    target_response: pick(['Start with one small automatic transfer.', 'List your debts first.']),
  };
  return JSON.stringify(pair);
}

function crossLineOf(diagnostics: Diagnostic[]): string[] {
  return diagnostics
    .filter((d) => CROSS_LINE.has(d.code))
    .map((d) =>
      JSON.stringify({
        code: d.code,
        range: d.range,
        message: d.message,
        related: d.related ?? [],
        data: d.data ?? {},
      }),
    )
    .sort();
}

function check(document: DatasetDocument, context: string): void {
  const expected = validateText(document.getText());
  const actual = document.crossLine.results(
    document.lines(),
    document.layout,
    document.shapeLine,
    (i) => document.line(i),
    {},
  );
  assert.deepEqual(
    crossLineOf(actual.findings.map((f) => f.diagnostic)),
    crossLineOf(expected.diagnostics),
    `${context}\n${document.getText()}`,
  );
  assert.equal(actual.trainingPairs, expected.report.stats.total_training_pairs, context);
}

describe('CrossLineIndex against the streaming checker', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`agrees after every edit of random document ${seed}`, () => {
      const next = seeded(seed);
      const lines = Array.from({ length: 12 + Math.floor(next() * 10) }, () => randomLine(next));
      const document = new DatasetDocument('file:///t.jsonl', 1, lines.join('\n') + '\n');
      check(document, 'open');
      for (let step = 0; step < 60; step++) {
        const count = document.lineCount;
        const at = Math.floor(next() * count);
        const kind = next();
        let change;
        if (kind < 0.4) {
          // Replace one line.
          change = {
            range: {
              start: { line: at, character: 0 },
              end: { line: at, character: document.line(at).length },
            },
            text: randomLine(next),
          };
        } else if (kind < 0.6) {
          change = {
            range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } },
            text: randomLine(next) + '\n',
          };
        } else if (kind < 0.75 && count > 2) {
          change = {
            range: { start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } },
            text: '',
          };
        } else {
          // A one-character edit somewhere in the line (may break or fix its JSON).
          const length = document.line(at).length;
          const col = Math.floor(next() * (length + 1));
          change = {
            range: {
              start: { line: at, character: col },
              end: { line: at, character: Math.min(length, col + 1) },
            },
            text: next() < 0.5 ? '' : '1',
          };
        }
        document.applyChanges([change], step + 2);
        check(document, `step ${step}: ${JSON.stringify(change)}`);
      }
    });
  }
});
