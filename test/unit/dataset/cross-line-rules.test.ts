import assert from 'node:assert/strict';
import type { Diagnostic, TextRange } from '../../../common/engine/diagnostic.ts';
import { validateText } from '../../../common/engine/dataset/dataset-validator.ts';
import type { RuleCode } from '../../../common/engine/rule-codes.ts';
import { PROMPT, columnOf, distinctPairs, pairLine } from './dataset-lines.ts';

/** The diagnostics of `code` for a document made of `lines` (joined with "\n"). */
function run(lines: string[], code: RuleCode, suffix = '\n'): Diagnostic[] {
  const { diagnostics } = validateText(lines.join('\n') + suffix);
  return diagnostics.filter((d) => d.code === code);
}

function range(line: number, startCol: number, endCol: number): TextRange {
  return { startLine: line, startCol, endLine: line, endCol };
}

function wholeLine(line: number): TextRange {
  return { startLine: line, startCol: 0, endLine: line + 1, endCol: 0 };
}

/** Ten distinct valid pairs, so that BRL041 stays quiet in tests about other rules. */
const FILLER = distinctPairs(10, 'fill');

describe('cross-line rules', () => {
  describe('BRL003 blank lines', () => {
    it('reports a blank line between data lines, whitespace included in the range', () => {
      const found = run(
        [pairLine({ id: 'a' }), '', '  ', pairLine({ id: 'b', conversation: 'c2' })],
        'BRL003',
      );
      assert.deepEqual(
        found.map((d) => d.range),
        [range(1, 0, 0), range(2, 0, 2)],
      );
      assert.equal(found[0].severity, 'warning');
    });

    it('accepts one final newline but reports blank lines after it', () => {
      assert.deepEqual(run([pairLine()], 'BRL003', '\n'), []);
      assert.deepEqual(run([pairLine()], 'BRL003', ''), []);
      const trailing = run([pairLine()], 'BRL003', '\n\n\n');
      assert.deepEqual(
        trailing.map((d) => d.range),
        [range(1, 0, 0), range(2, 0, 0)],
      );
      assert.match(trailing[0].message, /end of the file/);
    });
  });

  describe('BRL004 byte order mark', () => {
    it('reports the mark at the start of line 1 and keeps columns relative to the text after it', () => {
      const line = pairLine({ id: 'a' });
      const { diagnostics } = validateText(`\uFEFF${line}\n${line}\n`);
      const bom = diagnostics.filter((d) => d.code === 'BRL004');
      assert.deepEqual(
        bom.map((d) => [d.severity, d.range]),
        [['warning', range(0, 0, 0)]],
      );
      const duplicate = diagnostics.find((d) => d.code === 'BRL030');
      const idStart = columnOf(line, '"a"');
      assert.deepEqual(duplicate?.related?.[0].range, range(0, idStart, idStart + 3));
    });

    it('says nothing without a mark', () => {
      assert.deepEqual(run([pairLine()], 'BRL004'), []);
    });
  });

  describe('BRL010 and BRL011 _meta header', () => {
    it('accepts a header on line 1 and reports the _meta key of one on a later line', () => {
      const meta = '{"_meta":{"version":"4.0.0"}}';
      assert.deepEqual(run([meta, pairLine()], 'BRL010'), []);
      const spaced = '{ "x": 1, "_meta": {"version":"4.0.0"}}';
      const found = run([pairLine(), meta, spaced], 'BRL010');
      const key = columnOf(spaced, '"_meta"');
      assert.deepEqual(
        found.map((d) => [d.severity, d.range]),
        [
          ['error', range(1, 1, 8)],
          ['error', range(2, key, key + 7)],
        ],
      );
    });

    it('warns on total_pairs when it differs from the pair lines, at the end', () => {
      const meta = '{"_meta":{"version":"4.0.0","total_pairs":3}}';
      const lines = [meta, pairLine({ id: 'a' }), pairLine({ id: 'b', conversation: 'c2' })];
      const found = run(lines, 'BRL011');
      const at = columnOf(meta, ':3') + 1;
      assert.deepEqual(
        found.map((d) => [d.severity, d.range]),
        [['warning', range(0, at, at + 1)]],
      );
      assert.match(found[0].message, /2 pair lines/);
      const matching = '{"_meta":{"version":"4.0.0","total_pairs":2}}';
      assert.deepEqual(run([matching, ...lines.slice(1)], 'BRL011'), []);
    });
  });

  describe('BRL030 duplicate id', () => {
    it('reports the later id value and points at the first one', () => {
      const first = pairLine({ id: 'dup_id', conversation: 'c1' });
      const later = pairLine({ id: 'dup_id', conversation: 'c2', input: 'Another question?' });
      const found = run([first, pairLine({ id: 'other', conversation: 'c3' }), later], 'BRL030');
      const start = columnOf(later, '"dup_id"');
      assert.equal(found.length, 1);
      assert.equal(found[0].severity, 'error');
      assert.deepEqual(found[0].range, range(2, start, start + 8));
      const firstStart = columnOf(first, '"dup_id"');
      assert.deepEqual(found[0].related?.[0].range, range(0, firstStart, firstStart + 8));
      assert.match(found[0].message, /line 1\b/);
    });

    it('finds the first id where it sits on that line, even when the column differs', () => {
      const first = JSON.stringify({ conversation_id: 'c1', id: 'x', turn_number: 1 });
      const later = pairLine({ id: 'x', conversation: 'c2' });
      const found = run([first, later], 'BRL030');
      const start = columnOf(first, '"x"');
      assert.deepEqual(found[0].related?.[0].range, range(0, start, start + 3));
    });
  });

  describe('BRL035 conversation context', () => {
    it('warns on the later system prompt and points at the first line of the conversation', () => {
      const other = `${PROMPT} Always answer in French.`;
      const lines = [
        pairLine({ id: 'a', conversation: 'c1', turn: 1 }),
        pairLine({ id: 'b', conversation: 'c1', turn: 2, prompt: other }),
      ];
      const found = run(lines, 'BRL035');
      const start = columnOf(lines[1], JSON.stringify(other));
      assert.equal(found.length, 1);
      assert.equal(found[0].severity, 'warning');
      assert.deepEqual(found[0].range, range(1, start, start + JSON.stringify(other).length));
      assert.deepEqual(found[0].related?.[0].range, wholeLine(0));
      assert.match(found[0].message, /line 1\b/);
    });

    it('says nothing when every line of a conversation has the same context', () => {
      const lines = [
        pairLine({ id: 'a', conversation: 'c1', turn: 1 }),
        pairLine({ id: 'b', conversation: 'c1', turn: 2 }),
        pairLine({ id: 'c', conversation: 'c2', turn: 1, prompt: `${PROMPT} Other conversation.` }),
      ];
      assert.deepEqual(run(lines, 'BRL035'), []);
    });
  });

  describe('BRL036 duplicate turn', () => {
    it('reports the later turn_number and points at the first line with that turn', () => {
      const lines = [
        pairLine({ id: 'a', conversation: 'c1', turn: 1 }),
        pairLine({ id: 'b', conversation: 'c1', turn: 2 }),
        pairLine({ id: 'c', conversation: 'c1', turn: 3 }),
        pairLine({ id: 'd', conversation: 'c1', turn: 2, input: 'Again?' }),
      ];
      const found = run(lines, 'BRL036');
      const start = columnOf(lines[3], '"turn_number":2') + '"turn_number":'.length;
      assert.equal(found.length, 1);
      assert.equal(found[0].severity, 'error');
      assert.deepEqual(found[0].range, range(3, start, start + 1));
      assert.deepEqual(found[0].related?.[0].range, wholeLine(1));
      assert.match(found[0].message, /line 2\b/);
    });

    it('finds the first line when conversations are interleaved or turns are out of order', () => {
      const lines = [
        pairLine({ id: 'a', conversation: 'c1', turn: 1 }),
        pairLine({ id: 'b', conversation: 'c2', turn: 1 }),
        pairLine({ id: 'c', conversation: 'c1', turn: 3 }),
        pairLine({ id: 'd', conversation: 'c1', turn: 2 }),
        pairLine({ id: 'e', conversation: 'c2', turn: 1, input: 'x?' }),
        pairLine({ id: 'f', conversation: 'c1', turn: 3, input: 'y?' }),
        pairLine({ id: 'g', conversation: 'c1', turn: 1, input: 'z?' }),
        pairLine({ id: 'h', conversation: 'c1', turn: 2, input: 'w?' }),
      ];
      const found = run(lines, 'BRL036');
      assert.deepEqual(
        found.map((d) => [d.range.startLine, d.related?.[0].range.startLine]),
        [
          [4, 1],
          [5, 2],
          [6, 0],
          [7, 3],
        ],
      );
    });

    it('handles turns above 31 (outside the per-conversation mask)', () => {
      const lines = [
        pairLine({ id: 'a', conversation: 'c1', turn: 40 }),
        pairLine({ id: 'b', conversation: 'c1', turn: 40, input: 'again?' }),
      ];
      const found = run(lines, 'BRL036');
      assert.deepEqual(
        found.map((d) => [d.range.startLine, d.related?.[0].range.startLine]),
        [[1, 0]],
      );
    });

    it('does not confuse equal turns of different conversations', () => {
      const lines = [
        pairLine({ id: 'a', conversation: 'c1', turn: 1 }),
        pairLine({ id: 'b', conversation: 'c2', turn: 1 }),
      ];
      assert.deepEqual(run(lines, 'BRL036'), []);
    });
  });

  describe('BRL037 duplicate sample', () => {
    it('warns on the later line when its rendered messages equal an earlier one', () => {
      const lines = [
        pairLine({ id: 'a', conversation: 'c1' }),
        pairLine({ id: 'b', conversation: 'c2', input: 'Something else?' }),
        pairLine({ id: 'c', conversation: 'c3' }),
      ];
      const found = run(lines, 'BRL037');
      assert.equal(found.length, 1);
      assert.equal(found[0].severity, 'warning');
      assert.deepEqual(found[0].range, range(2, 0, lines[2].length));
      assert.deepEqual(found[0].related?.[0].range, wholeLine(0));
      assert.match(found[0].message, /line 1\b/);
    });

    it('treats a different target or role order as a different sample', () => {
      const lines = [
        pairLine({ id: 'a', conversation: 'c1' }),
        pairLine({ id: 'b', conversation: 'c2', target: 'A different answer.' }),
        '{"messages":[{"role":"user","content":"u"},{"role":"assistant","content":"a"}]}',
      ];
      assert.deepEqual(run(lines, 'BRL037'), []);
      const chat = [
        '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}',
        // The same characters with the boundary between the messages moved.
        '{"messages":[{"role":"user","content":"hiy"},{"role":"assistant","content":"o"}]}',
        '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}',
      ];
      const found = run(chat, 'BRL037');
      assert.deepEqual(
        found.map((d) => [d.range.startLine, d.related?.[0].range.startLine]),
        [[2, 0]],
      );
    });
  });

  describe('BRL041 too few pairs', () => {
    it('warns at the start of the file below ten training pairs', () => {
      const found = run(distinctPairs(9), 'BRL041');
      assert.deepEqual(
        found.map((d) => [d.severity, d.range]),
        [['warning', range(0, 0, 0)]],
      );
      assert.match(found[0].message, /9 training pairs/);
      assert.deepEqual(run(distinctPairs(10), 'BRL041'), []);
      assert.equal(run([], 'BRL041', '').length, 1);
    });
  });

  describe('BRL055 shape change', () => {
    it('reports the shape key of each data line whose shape differs from the first', () => {
      const chat =
        '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}';
      const turns =
        '{"conversation_id":"t1","turns":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}';
      const lines = [...FILLER.slice(0, 2), chat, FILLER[2], turns];
      const found = run(lines, 'BRL055');
      const turnsKey = columnOf(turns, '"turns"');
      assert.deepEqual(
        found.map((d) => [d.severity, d.range]),
        [
          ['error', range(2, 1, 11)],
          ['error', range(4, turnsKey, turnsKey + 7)],
        ],
      );
      assert.deepEqual(found[0].related?.[0].range, wholeLine(0));
    });

    it('takes the file shape from the first line that shows one, not from unmarked lines', () => {
      const chat =
        '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}';
      const found = run(['{"foo":1}', chat, pairLine()], 'BRL055');
      assert.deepEqual(
        found.map((d) => d.range.startLine),
        [2],
      );
    });
  });
});
