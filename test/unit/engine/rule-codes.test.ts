import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RULES, RULE_CODES, isRuleCode } from '../../../common/engine/rule-codes.ts';

describe('rule catalogue', () => {
  it('matches the codes and default severities of dataset-format.md §3', () => {
    const spec = readFileSync(
      new URL('../../../../shared/specs/dataset-format.md', import.meta.url),
      'utf8',
    );
    const rows = [...spec.matchAll(/^\| (BRL\d{3}) \| (error|warning|info|hint) \|/gm)];
    assert.ok(rows.length >= 30, 'the spec table was found');
    const fromSpec = Object.fromEntries(rows.map((r) => [r[1], r[2]]));
    const fromCode = Object.fromEntries(RULE_CODES.map((c) => [c, RULES[c].severity]));
    assert.deepEqual(fromCode, fromSpec);
  });

  it('recognises codes and rejects others', () => {
    assert.equal(isRuleCode('BRL030'), true);
    assert.equal(isRuleCode('BRL999'), false);
    assert.equal(isRuleCode('toString'), false);
  });
});
