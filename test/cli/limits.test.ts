import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseReports, runCli, STACK_FRAME } from './run-cli.ts';

/**
 * Bounded memory with unbounded findings: a file where every line is wrong must not make the
 * CLI hold every diagnostic. The child reports its own peak RSS through a preloaded module.
 */
describe('limits', () => {
  let tmp: string;
  let file: string;
  let usageReporter: string;
  const LINES = 200_000;

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'brightrun-limits-'));
    file = join(tmp, 'all-wrong.jsonl');
    usageReporter = join(tmp, 'report-rss.mjs');
    writeFileSync(
      usageReporter,
      "process.on('exit', () => process.stderr.write(`maxRSS=${process.resourceUsage().maxRSS}\\n`));\n",
    );
    // Every line is broken JSON: one error per line, 200,000 in all (and BRL041: no pairs).
    const fd = openSync(file, 'w');
    const block = '{"id": "half_written_turn1", "turn_number": \n'.repeat(10_000);
    for (let i = 0; i < LINES / 10_000; i++) writeSync(fd, block);
    closeSync(fd);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('200,000 errors: capped output, exact totals, bounded memory', async () => {
    const result = await runCli(['validate', '--format', 'json', '--no-tokens', file], {
      nodeOptions: `--import=${pathToFileURL(usageReporter).href}`,
    });
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stderr, STACK_FRAME);
    const [report] = parseReports(result.stdout);
    assert.equal(report.diagnostics.length, 1000);
    assert.equal(report.counts.error, LINES);
    assert.equal(report.omitted.error, LINES - 1000);
    assert.equal(report.truncated, true);
    const rssKb = Number(/maxRSS=(\d+)/.exec(result.stderr)?.[1]);
    assert.ok(rssKb > 0, result.stderr);
    // Node itself takes about 45 MB; holding 200,000 diagnostics would add well over 100 MB.
    assert.ok(rssKb < 120 * 1024, `peak RSS ${Math.round(rssKb / 1024)} MB`);
  });

  it('text mode prints the cap and one line for the rest', async () => {
    const result = await runCli(['validate', '--no-tokens', file]);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1002);
    assert.equal(lines[1000], `${file}: … and 199001 more diagnostics (199000 errors, 1 warning)`);
  });
});
