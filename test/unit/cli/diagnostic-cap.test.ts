import assert from 'node:assert/strict';
import type { Diagnostic, Severity } from '../../../common/engine/diagnostic.ts';
import { DiagnosticCap } from '../../../server/src/cli/diagnostic-cap.ts';

function diag(line: number, severity: Severity): Diagnostic {
  return {
    code: severity === 'error' ? 'BRL001' : 'BRL027',
    severity,
    message: `${severity} on line ${line}`,
    range: { startLine: line, startCol: 0, endLine: line, endCol: 1 },
  };
}

describe('DiagnosticCap', () => {
  it('streaming mode: accepts up to the cap and counts the rest', () => {
    const cap = new DiagnosticCap(2, false);
    const accepted = [diag(0, 'warning'), diag(1, 'error'), diag(2, 'error')].map((d) =>
      cap.add(d),
    );
    assert.deepEqual(accepted, [true, true, false]);
    assert.deepEqual(cap.total, { error: 2, warning: 1, info: 0, hint: 0 });
    assert.deepEqual(cap.omitted, { error: 1, warning: 0, info: 0, hint: 0 });
    assert.deepEqual(cap.sorted(), [], 'streaming mode keeps nothing');
  });

  it('keeping mode: a later error replaces the most recent lesser diagnostic', () => {
    const cap = new DiagnosticCap(3, true);
    for (const d of [diag(0, 'warning'), diag(1, 'error'), diag(2, 'info'), diag(3, 'error')]) {
      cap.add(d);
    }
    assert.deepEqual(
      cap.sorted().map((d) => `${d.range.startLine}:${d.severity}`),
      ['0:warning', '1:error', '3:error'],
    );
    assert.deepEqual(cap.omitted, { error: 0, warning: 0, info: 1, hint: 0 });
  });

  it('keeping mode: once only errors are kept, further diagnostics are counted, not kept', () => {
    const cap = new DiagnosticCap(2, true);
    for (let i = 0; i < 1000; i++) cap.add(diag(i, i % 2 === 0 ? 'error' : 'warning'));
    assert.deepEqual(
      cap.sorted().map((d) => `${d.range.startLine}:${d.severity}`),
      ['0:error', '2:error'],
    );
    assert.equal(cap.omittedTotal, 998);
    assert.deepEqual(cap.total, { error: 500, warning: 500, info: 0, hint: 0 });
  });

  it('a cap of 0 keeps nothing', () => {
    const cap = new DiagnosticCap(0, true);
    assert.equal(cap.add(diag(0, 'error')), false);
    assert.equal(cap.omittedTotal, 1);
  });
});
