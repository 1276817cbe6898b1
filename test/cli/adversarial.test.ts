import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReports, ROOT, runCli, STACK_FRAME, type JsonReport } from './run-cli.ts';

/**
 * Hostile inputs, generated here rather than committed (one is 5 MB). Each must end with the
 * documented exit code and a diagnostic, never with a crash or a stack trace.
 */
describe('adversarial files', () => {
  let tmp: string;
  let validLines: string[];
  const file = (name: string) => join(tmp, name);

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'brightrun-adversarial-'));
    validLines = readFileSync(join(ROOT, 'test/fixtures/valid/v4-plain.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  async function validate(
    path: string,
    ...flags: string[]
  ): Promise<JsonReport & { exit: number | null }> {
    const result = await runCli(['validate', '--format', 'json', ...flags, path]);
    assert.doesNotMatch(result.stderr, STACK_FRAME);
    assert.doesNotMatch(result.stderr, /internal error/);
    const [report] = parseReports(result.stdout);
    assert.ok(report, `a report for ${path}; stderr: ${result.stderr}`);
    return { ...report, exit: result.code };
  }

  const codes = (r: JsonReport) => r.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`);

  it('a byte order mark: BRL004 warning, columns unaffected, exit 0', async () => {
    writeFileSync(
      file('bom.jsonl'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(validLines.join('\n') + '\n')]),
    );
    const report = await validate(file('bom.jsonl'), '--no-tokens');
    assert.equal(report.exit, 0);
    assert.deepEqual(codes(report), ['BRL004@1:1']);
    assert.equal(report.counts.pairs, 10);
  });

  it('CRLF line endings: same result as LF, exit 0', async () => {
    writeFileSync(file('crlf.jsonl'), validLines.join('\r\n') + '\r\n');
    const report = await validate(file('crlf.jsonl'), '--no-tokens');
    assert.equal(report.exit, 0);
    assert.deepEqual(report.diagnostics, []);
    assert.equal(report.counts.pairs, 10);
  });

  it('CRLF line endings: ranges match the LF file', async () => {
    const lf = readFileSync(join(ROOT, 'test/fixtures/rules/BRL024/input.jsonl'), 'utf8');
    writeFileSync(file('crlf-error.jsonl'), lf.replace(/\n/g, '\r\n'));
    const crlf = await validate(file('crlf-error.jsonl'), '--no-tokens');
    const plain = await validate(
      join(ROOT, 'test/fixtures/rules/BRL024/input.jsonl'),
      '--no-tokens',
    );
    assert.equal(crlf.exit, 1);
    assert.deepEqual(crlf.diagnostics, plain.diagnostics);
  });

  it('a 5 MB line is validated and counted, exit 0', async () => {
    const pair = JSON.parse(validLines[0]) as Record<string, unknown>;
    pair.id = 'budget_worksheet_turn1_5f0e2a91';
    pair.conversation_id = 'e1d2c3b4-a596-4877-8899-aabbccddeeff';
    pair.target_response = 'Write down every fixed monthly cost, then every variable one. '.repeat(
      84_000,
    );
    const line = JSON.stringify(pair);
    assert.ok(line.length > 5_000_000);
    writeFileSync(file('long-line.jsonl'), [...validLines, line].join('\n') + '\n');
    const report = await validate(file('long-line.jsonl'), '--no-tokens');
    assert.equal(report.exit, 0, codes(report).join());
    assert.equal(report.counts.pairs, 11);
  });

  it('a 5 MB line with tokens: BRL040, exit 0', async () => {
    const report = await validate(file('long-line.jsonl'));
    assert.equal(report.exit, 0);
    assert.deepEqual(codes(report), ['BRL040@11:1']);
  });

  it('20,000-deep nesting inside a value: an error on that line, exit 1', async () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    // A new conversation, so the only problem on the line is the nested value.
    const pair = validLines[0]
      .replace(/"id": "[^"]*"/, `"id": ${deep}`)
      .replace(
        /"conversation_id": "[^"]*"/,
        '"conversation_id": "d00dfeed-0000-4000-8000-000000000001"',
      );
    writeFileSync(file('deep-value.jsonl'), [...validLines, pair].join('\n') + '\n');
    const report = await validate(file('deep-value.jsonl'), '--no-tokens');
    assert.equal(report.exit, 1);
    assert.deepEqual(codes(report), ['BRL021@11:8']);
  });

  it('20,000-deep nesting as the whole line, closed and unclosed: exit 1', async () => {
    const closed = '['.repeat(20_000) + ']'.repeat(20_000);
    const unclosed = '{"a":'.repeat(20_000);
    writeFileSync(file('deep-line.jsonl'), [...validLines, closed, unclosed].join('\n') + '\n');
    const report = await validate(file('deep-line.jsonl'), '--no-tokens');
    assert.equal(report.exit, 1);
    const found = report.diagnostics.map((d) => `${d.code}@${d.line}`);
    assert.deepEqual(found, ['BRL002@11', 'BRL001@12']);
  });

  it('invalid UTF-8 bytes: BRL005 at the replaced character, exit 1', async () => {
    const withBytes = Buffer.concat([
      Buffer.from('{"id": "bytes_turn1_0a0b0c0d", "note": "'),
      Buffer.from([0xff, 0xfe, 0x41]),
      Buffer.from('"}'),
    ]);
    writeFileSync(
      file('utf8.jsonl'),
      Buffer.concat([Buffer.from(validLines.join('\n') + '\n'), withBytes, Buffer.from('\n')]),
    );
    const report = await validate(file('utf8.jsonl'), '--no-tokens');
    assert.equal(report.exit, 1);
    const utf8 = report.diagnostics.filter((d) => d.code === 'BRL005');
    assert.equal(utf8.length, 1);
    assert.deepEqual([utf8[0].line, utf8[0].column], [11, 41]);
  });

  it('an empty file: not training-ready, exit 1', async () => {
    writeFileSync(file('empty.jsonl'), '');
    const report = await validate(file('empty.jsonl'), '--no-tokens');
    assert.equal(report.exit, 1);
    assert.equal(report.trainingReady, false);
    assert.equal(report.counts.pairs, 0);
    assert.ok(
      report.diagnostics.some((d) => d.code === 'BRL041'),
      codes(report).join(),
    );
    const text = await runCli(['validate', '--no-tokens', file('empty.jsonl')]);
    assert.match(
      text.stdout,
      /: 0 pairs, 0 errors, 1 warning — not training-ready \(no training pairs\)\n$/,
    );
  });
});
