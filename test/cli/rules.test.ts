import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES, RULE_CODES, type RuleCode } from '../../common/engine/rule-codes.ts';
import { parseReports, ROOT, runCli, STACK_FRAME } from './run-cli.ts';

const RULES_DIR = join(ROOT, 'test/fixtures/rules');

interface Expected {
  code: RuleCode;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  note: string;
  /** Other codes the scenario cannot avoid. */
  also?: RuleCode[];
  /** Extra CLI arguments the scenario needs (e.g. a lower --max-seq-length). */
  args?: string[];
}

function readExpected(code: string): Expected {
  return JSON.parse(readFileSync(join(RULES_DIR, code, 'expected.json'), 'utf8')) as Expected;
}

describe('rule fixtures (brightrun validate --format json)', () => {
  it('has one fixture folder for every rule code', () => {
    const missing = RULE_CODES.filter((c) => !existsSync(join(RULES_DIR, c, 'input.jsonl')));
    assert.deepEqual(missing, []);
    for (const folder of readdirSync(RULES_DIR)) {
      assert.ok(folder in RULES, `fixture folder ${folder} is not a rule code`);
    }
  });

  for (const code of RULE_CODES) {
    it(`${code}: ${RULES[code].title}`, async function () {
      if (!existsSync(join(RULES_DIR, code, 'expected.json'))) this.skip();
      const expected = readExpected(code);
      assert.equal(expected.code, code);
      const input = join('test/fixtures/rules', code, 'input.jsonl');
      const result = await runCli([
        'validate',
        '--format',
        'json',
        ...(expected.args ?? []),
        input,
      ]);
      assert.doesNotMatch(result.stderr, STACK_FRAME);
      const [report] = parseReports(result.stdout);
      assert.ok(report, `no JSON report; stderr: ${result.stderr}`);

      const found = report.diagnostics.filter((d) => d.code === code);
      const where = (d: { line: number; column: number; endLine: number; endColumn: number }) =>
        `${d.line}:${d.column}-${d.endLine}:${d.endColumn}`;
      assert.equal(
        found.length,
        1,
        `${expected.note}\nexpected one ${code}, got: ${report.diagnostics.map((d) => `${d.code}@${where(d)} ${d.message}`).join('; ')}`,
      );
      const d = found[0];
      assert.deepEqual(
        { line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn },
        {
          line: expected.line,
          column: expected.column,
          endLine: expected.endLine,
          endColumn: expected.endColumn,
        },
        `${code} range (${expected.note}); message: ${d.message}`,
      );
      assert.equal(d.severity, RULES[code].severity);

      const allowed = new Set<string>([code, ...(expected.also ?? [])]);
      const others = report.diagnostics.filter((x) => !allowed.has(x.code));
      assert.deepEqual(
        others.map((x) => `${x.code}@${where(x)} ${x.message}`),
        [],
        'no other diagnostics',
      );
      const hasError = report.diagnostics.some((x) => x.severity === 'error');
      assert.equal(result.code, hasError || !report.trainingReady ? 1 : 0);
    });
  }
});
