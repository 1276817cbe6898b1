import assert from 'node:assert/strict';
import { analyzeLine } from '../../../common/engine/line/analyze-line.ts';
import type { Diagnostic } from '../../../common/engine/diagnostic.ts';

const LINE = 4;

function analyze(text: string) {
  return analyzeLine(text, LINE, { expectedShape: undefined });
}

function only(text: string, code: string): Diagnostic {
  const found = analyze(text).diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `one ${code} in ${JSON.stringify(analyze(text).diagnostics)}`);
  return found[0];
}

function assertRange(d: Diagnostic, startCol: number, endCol: number): void {
  assert.deepEqual(d.range, { startLine: LINE, startCol, endLine: LINE, endCol });
}

describe('analyzeLine: JSON level', () => {
  it('treats a line of spaces and tabs as blank, without diagnostics', () => {
    const facts = analyze(' \t  \r');
    assert.equal(facts.kind, 'blank');
    assert.deepEqual(facts.diagnostics, []);
    assert.equal(facts.valid, false);
    assert.equal(facts.shape, undefined);
  });

  it('does not treat a no-break space as blank (it is not JSON whitespace)', () => {
    const facts = analyze('\u00a0');
    assert.equal(facts.kind, 'invalid');
    assert.equal(facts.diagnostics[0].code, 'BRL001');
  });

  it('BRL001 starts at the offending character and is one character wide', () => {
    const text = '{"a" 1}';
    const d = only(text, 'BRL001');
    assert.equal(d.severity, 'error');
    assertRange(d, 5, 6);
    assert.equal(analyze(text).kind, 'invalid');
  });

  it('BRL001 at the end of a truncated line is an empty range at the end', () => {
    const text = '{"a": 1';
    const d = only(text, 'BRL001');
    assertRange(d, 7, 7);
  });

  it('BRL002 covers the whole value of a line that is not an object', () => {
    assertRange(only('[1, 2]', 'BRL002'), 0, 6);
    const facts = analyze('  "text"  ');
    assert.equal(facts.kind, 'invalid');
    assertRange(only('  "text"  ', 'BRL002'), 2, 8);
  });

  it('BRL005 points at a lone surrogate escape', () => {
    const text = '{"messages": "\\ud800"}';
    const d = only(text, 'BRL005');
    assert.equal(d.severity, 'error');
    assertRange(d, 14, 20);
  });

  it('BRL006 points at the later key and relates the first one', () => {
    const text = '{"a": 1, "a": 2}';
    const d = only(text, 'BRL006');
    assert.equal(d.severity, 'warning');
    assertRange(d, 9, 12);
    assert.equal(d.related?.length, 1);
    assert.deepEqual(d.related?.[0].range, {
      startLine: LINE,
      startCol: 1,
      endLine: LINE,
      endCol: 4,
    });
  });

  it('keeps start and end on the top-level value', () => {
    const facts = analyze('  {"messages": []}  ');
    assert.equal(facts.start, 2);
    assert.equal(facts.end, 18);
  });
});
