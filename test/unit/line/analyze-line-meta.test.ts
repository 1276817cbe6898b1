import assert from 'node:assert/strict';
import type { Diagnostic } from '../../../common/engine/diagnostic.ts';
import { analyzeLine } from '../../../common/engine/line/analyze-line.ts';
import { keyCols, valueCols } from './pair-fixtures.ts';

const LINE = 0;

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

describe('analyzeLine: _meta header', () => {
  it('accepts a valid header and reports total_pairs', () => {
    const text = JSON.stringify({
      _meta: {
        file_name: 'a.jsonl',
        total_pairs: 12,
        version: '4.2.0',
        format_spec: 'brightrun-lora-v4',
      },
    });
    const facts = analyze(text);
    assert.equal(facts.kind, 'meta');
    assert.deepEqual(facts.diagnostics, []);
    assert.equal(facts.meta?.totalPairs?.value, 12);
    assert.deepEqual(
      [facts.meta?.totalPairs?.start, facts.meta?.totalPairs?.end],
      valueCols(text, 'total_pairs', '12'),
    );
    assert.equal(facts.pairs, 0);
    assert.equal(facts.valid, false);
  });

  it('BRL012 on the version value for another major version', () => {
    const text = JSON.stringify({ _meta: { version: '5.0.0' } });
    const d = only(text, 'BRL012');
    assert.equal(d.severity, 'error');
    assertAt(d, valueCols(text, 'version', '"5.0.0"'));
    const malformed = JSON.stringify({ _meta: { version: '4.0' } });
    assertAt(only(malformed, 'BRL012'), valueCols(malformed, 'version', '"4.0"'));
  });

  it('BRL012 on wrong types, a wrong format_spec and a missing version', () => {
    const text = JSON.stringify({ _meta: { version: '4.0.0', total_pairs: '3' } });
    assertAt(only(text, 'BRL012'), valueCols(text, 'total_pairs', '"3"'));
    assert.equal(analyze(text).meta?.totalPairs, undefined);
    const spec = JSON.stringify({ _meta: { version: '4.0.0', format_spec: 'v3' } });
    assertAt(only(spec, 'BRL012'), valueCols(spec, 'format_spec', '"v3"'));
    const missing = JSON.stringify({ _meta: { total_pairs: 1 } });
    assertAt(only(missing, 'BRL012'), [9, 10]);
    const notObject = JSON.stringify({ _meta: [] });
    assertAt(only(notObject, 'BRL012'), valueCols(notObject, '_meta', '[]'));
  });

  it('BRL022 on unknown keys of the header', () => {
    const text = JSON.stringify({ _meta: { version: '4.0.0', author: 'x' }, extra: 1 });
    const found = analyze(text).diagnostics.filter((d) => d.code === 'BRL022');
    assert.equal(found.length, 2);
    assertAt(found[0], keyCols(text, 'author'));
    assertAt(found[1], keyCols(text, 'extra'));
  });
});
