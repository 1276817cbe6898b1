import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import {
  DatasetValidator,
  validateText,
} from '../../../common/engine/dataset/dataset-validator.ts';
import type { Diagnostic } from '../../../common/engine/diagnostic.ts';
import { Utf8LineReader } from '../../../common/engine/json/utf8-line-reader.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../../../common/engine/options.ts';
import type { RuleCode } from '../../../common/engine/rule-codes.ts';

/**
 * The rule fixtures of the cross-line rules (test/fixtures/rules/<code>), streamed from their
 * bytes as the CLI does, without the CLI: one diagnostic of the code with the expected range,
 * and nothing else but the codes the scenario allows. (BRL040 needs a tokenizer: the CLI tests
 * cover it.)
 */
const CODES: RuleCode[] = [
  'BRL003',
  'BRL004',
  'BRL005',
  'BRL010',
  'BRL011',
  'BRL030',
  'BRL035',
  'BRL036',
  'BRL037',
  'BRL041',
  'BRL055',
];

interface Expected {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  note: string;
  also?: RuleCode[];
}

function validateFile(path: URL): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const validator = new DatasetValidator(
    { ...DEFAULT_ENGINE_OPTIONS, tokens: false },
    { onDiagnostic: (d) => diagnostics.push(d) },
  );
  const reader = new Utf8LineReader((line) => {
    if (line.index === 0 && reader.hadBom) validator.setBom();
    validator.pushLine(line.text, line.invalidUtf8?.column);
  });
  reader.push(readFileSync(path));
  reader.end();
  validator.finish();
  return diagnostics;
}

describe('cross-line rule fixtures (streamed bytes → DatasetValidator)', () => {
  for (const code of CODES) {
    it(code, () => {
      const folder = new URL(`../../fixtures/rules/${code}/`, import.meta.url);
      const expected = JSON.parse(
        readFileSync(new URL('expected.json', folder), 'utf8'),
      ) as Expected;
      const diagnostics = validateFile(new URL('input.jsonl', folder));
      const where = (d: Diagnostic) =>
        `${d.code}@${d.range.startLine + 1}:${d.range.startCol + 1}-${d.range.endLine + 1}:${d.range.endCol + 1}`;
      assert.deepEqual(
        diagnostics.filter((d) => d.code === code).map(where),
        [`${code}@${expected.line}:${expected.column}-${expected.endLine}:${expected.endColumn}`],
        expected.note,
      );
      const allowed = new Set<string>([code, ...(expected.also ?? [])]);
      assert.deepEqual(diagnostics.filter((d) => !allowed.has(d.code)).map(where), []);
    });
  }
});

describe('valid fixtures', () => {
  const folder = new URL('../../fixtures/valid/', import.meta.url);
  for (const name of readdirSync(folder)) {
    it(`${name} is training-ready without any diagnostic`, () => {
      const { diagnostics, report } = validateText(readFileSync(new URL(name, folder), 'utf8'));
      assert.deepEqual(
        diagnostics.map((d) => `${d.code}@${d.range.startLine + 1} ${d.message}`),
        [],
      );
      assert.equal(report.trainingReady, true);
    });
  }
});
