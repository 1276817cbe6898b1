import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReports, runCli, STACK_FRAME } from './run-cli.ts';

const VALID = 'test/fixtures/valid';
const EXAMPLE = 'examples/financial-coaching.jsonl';
const DUP_ID = 'test/fixtures/rules/BRL030/input.jsonl';
const SHORT_PROMPT = 'test/fixtures/rules/BRL027/input.jsonl';
const LONG_SAMPLE = 'test/fixtures/rules/BRL040/input.jsonl';

/** A usage or I/O failure: exit 2, a short message on stderr, never a stack trace. */
function assertUsageFailure(result: { code: number | null; stderr: string }, pattern: RegExp) {
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, STACK_FRAME);
  assert.ok(result.stderr.trim().split('\n').length <= 2, `short message: ${result.stderr}`);
}

describe('brightrun validate', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'brightrun-cli-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  describe('valid datasets', () => {
    for (const file of readdirSync(VALID)) {
      it(`${file}: exit 0, training-ready, no diagnostics`, async () => {
        const result = await runCli(['validate', '--format', 'json', join(VALID, file)]);
        assert.equal(result.code, 0, result.stdout + result.stderr);
        const [report] = parseReports(result.stdout);
        assert.equal(report.trainingReady, true);
        assert.deepEqual(report.diagnostics, []);
        assert.ok(report.counts.pairs >= 10);
      });
    }

    it('the example dataset is valid and its summary says training-ready', async () => {
      const result = await runCli(['validate', EXAMPLE]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.equal(result.stdout, `${EXAMPLE}: 17 pairs, 0 errors, 0 warnings — training-ready\n`);
    });

    it('the v4 header file counts 17 pairs over 5 conversations', async () => {
      const result = await runCli([
        'validate',
        '--format',
        'json',
        '--no-tokens',
        join(VALID, 'v4-meta-repeated-user.jsonl'),
      ]);
      const [report] = parseReports(result.stdout);
      assert.equal(report.shape, 'brightrun_lora_v4');
      assert.equal(report.stats.total_training_pairs, 17);
      assert.equal(report.stats.total_conversations, 5);
    });
  });

  describe('text output', () => {
    it('prints path:line:col: severity CODE message, then the summary', async () => {
      const result = await runCli(['validate', DUP_ID]);
      assert.equal(result.code, 1);
      const lines = result.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 2, result.stdout);
      assert.match(lines[0], new RegExp(`^${DUP_ID}:11:8: error BRL030 \\S.*$`));
      assert.equal(lines[1], `${DUP_ID}: 10 pairs, 1 error, 0 warnings — not training-ready`);
    });

    it('reports every file, in order, and exits with the worst code', async () => {
      const result = await runCli(['validate', EXAMPLE, DUP_ID]);
      assert.equal(result.code, 1);
      const summaries = result.stdout.split('\n').filter((l) => / pairs?, /.test(l));
      assert.deepEqual(
        summaries.map((l) => l.split(':')[0]),
        [EXAMPLE, DUP_ID],
      );
    });
  });

  describe('json output', () => {
    it('prints one object per file with 1-based ranges, related locations and stats', async () => {
      const result = await runCli(['validate', '--format', 'json', DUP_ID, EXAMPLE]);
      assert.equal(result.code, 1);
      const reports = parseReports(result.stdout);
      assert.deepEqual(
        reports.map((r) => [r.file, r.shape, r.trainingReady]),
        [
          [DUP_ID, 'brightrun_lora_v4', false],
          [EXAMPLE, 'brightrun_lora_v4', true],
        ],
      );
      const [dup] = reports[0].diagnostics;
      assert.equal(dup.code, 'BRL030');
      assert.equal(dup.severity, 'error');
      assert.equal(dup.related?.[0]?.line, 2, 'related information points at the first id');
      assert.deepEqual(reports[0].counts, { error: 1, warning: 0, info: 0, hint: 0, pairs: 10 });
      assert.equal(reports[0].truncated, false);
      assert.equal(reports[1].stats.total_training_pairs, 17);
      assert.equal(typeof reports[1].stats.total_tokens, 'number');
    });
  });

  describe('tokens', () => {
    it('counts tokens by default: BRL040 above --max-seq-length', async () => {
      const result = await runCli([
        'validate',
        '--format',
        'json',
        '--max-seq-length',
        '1024',
        LONG_SAMPLE,
      ]);
      const [report] = parseReports(result.stdout);
      assert.ok(report.diagnostics.some((d) => d.code === 'BRL040'));
      const dist = report.stats.token_distribution as { max: number; overMaxSeqLength: number };
      assert.ok(dist.max > 1024);
      assert.equal(dist.overMaxSeqLength, 1);
      assert.deepEqual(
        (report.stats.tokenizer as { model: string }).model,
        'mistralai/Mistral-7B-v0.1',
      );
    });

    it('--no-tokens: no token statistics and no BRL040', async () => {
      const result = await runCli([
        'validate',
        '--format',
        'json',
        '--no-tokens',
        '--max-seq-length',
        '1024',
        LONG_SAMPLE,
      ]);
      assert.equal(result.code, 0, result.stderr);
      const [report] = parseReports(result.stdout);
      assert.deepEqual(report.diagnostics, []);
      assert.equal(report.stats.total_tokens, null);
      assert.equal(report.stats.token_distribution, null);
    });
  });

  describe('--max-diagnostics', () => {
    let many: string;
    before(() => {
      // 30 short system prompts (warnings) first, then 20 lines of broken JSON (errors).
      const good = readdirSync(VALID).length > 0; // fixtures exist
      assert.ok(good);
      const lines: string[] = [];
      for (let i = 0; i < 30; i++) {
        lines.push(
          JSON.stringify({
            id: `budget_turn1_${String(i).padStart(8, '0')}`,
            conversation_id: `conv-${i}`,
            turn_number: 1,
            system_prompt: 'You are a budgeting coach.',
            conversation_history: [],
            current_user_input: `How do I budget for expense number ${i}?`,
            target_response: `List expense ${i}, give it a monthly amount, and review it each payday.`,
          }),
        );
      }
      for (let i = 0; i < 20; i++) lines.push('{"id": "broken_' + i + '", "turn_number": ');
      many = join(tmp, 'many.jsonl');
      writeFileSync(many, lines.join('\n') + '\n');
    });

    it('text: lists up to the cap, then counts the rest', async () => {
      const result = await runCli(['validate', '--no-tokens', '--max-diagnostics', '5', many]);
      assert.equal(result.code, 1);
      const lines = result.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 7, result.stdout);
      for (const l of lines.slice(0, 5))
        assert.match(l, /^.+:\d+:\d+: (error|warning|info) BRL\d{3} /);
      assert.equal(lines[5], `${many}: … and 45 more diagnostics (20 errors, 25 warnings)`);
      assert.equal(lines[6], `${many}: 30 pairs, 20 errors, 30 warnings — not training-ready`);
    });

    it('json: keeps errors first within the cap and counts everything', async () => {
      const result = await runCli([
        'validate',
        '--no-tokens',
        '--format',
        'json',
        '--max-diagnostics',
        '10',
        many,
      ]);
      const [report] = parseReports(result.stdout);
      assert.equal(report.diagnostics.length, 10);
      assert.ok(report.diagnostics.every((d) => d.severity === 'error'));
      const lines = report.diagnostics.map((d) => d.line);
      assert.deepEqual(
        lines,
        [...lines].sort((a, b) => a - b),
        'sorted by line',
      );
      assert.equal(report.truncated, true);
      assert.deepEqual(report.counts, { error: 20, warning: 30, info: 0, hint: 0, pairs: 30 });
      assert.deepEqual(report.omitted, { error: 10, warning: 30, info: 0, hint: 0 });
    });

    it('0 lists nothing but the summary', async () => {
      const result = await runCli(['validate', '--no-tokens', '--max-diagnostics', '0', many]);
      const lines = result.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0], /… and 50 more diagnostics \(20 errors, 30 warnings\)$/);
    });
  });

  describe('--severity', () => {
    it('CODE=off drops a rule', async () => {
      const result = await runCli(['validate', '--severity', 'BRL027=off', SHORT_PROMPT]);
      assert.equal(result.code, 0, result.stdout);
      assert.match(result.stdout, /0 errors, 0 warnings — training-ready\n$/);
    });

    it('CODE=error makes a warning fail the run', async () => {
      const result = await runCli(['validate', '--severity=BRL027=error', SHORT_PROMPT]);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /:6:\d+: error BRL027 /);
    });

    it('rejects an unknown code or level', async () => {
      assertUsageFailure(
        await runCli(['validate', '--severity', 'BRL999=off', EXAMPLE]),
        /unknown rule code "BRL999"/,
      );
      assertUsageFailure(
        await runCli(['validate', '--severity', 'BRL027=loud', EXAMPLE]),
        /unknown level "loud"/,
      );
    });
  });

  describe('exit code 2 (usage and I/O)', () => {
    it('missing file', async () => {
      assertUsageFailure(await runCli(['validate', 'nope/missing.jsonl']), /no such file/);
    });

    it('a directory', async () => {
      assertUsageFailure(await runCli(['validate', VALID]), /is a directory/);
    });

    it('an unreadable file', async function () {
      if (process.getuid?.() === 0) this.skip(); // root reads everything
      const locked = join(tmp, 'locked.jsonl');
      writeFileSync(locked, '{}\n', { mode: 0o000 });
      assertUsageFailure(await runCli(['validate', locked]), /permission denied/);
    });

    it('a path through a file', async () => {
      assertUsageFailure(await runCli(['validate', `${EXAMPLE}/inside.jsonl`]), /not a directory/);
    });

    it('still reports the readable files when one is missing', async () => {
      const result = await runCli(['validate', EXAMPLE, 'missing.jsonl']);
      assert.equal(result.code, 2);
      assert.match(result.stdout, /training-ready/);
      assert.match(result.stderr, /missing\.jsonl/);
    });

    it('bad flags and values point at --help', async () => {
      for (const args of [
        ['validate', '--frobnicate', EXAMPLE],
        ['validate', '--format', 'xml', EXAMPLE],
        ['validate', '--max-seq-length', 'lots', EXAMPLE],
        ['validate', '--max-diagnostics', '-1', EXAMPLE],
        ['validate'],
        ['frobnicate'],
      ]) {
        const result = await runCli(args);
        assertUsageFailure(result, /--help/);
        assert.equal(result.stdout, '', args.join(' '));
      }
    });
  });

  describe('help and version', () => {
    it('--help documents the commands and exit codes', async () => {
      const result = await runCli(['--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /validate/);
      assert.match(result.stdout, /Exit codes/);
    });

    it('validate --help explains that an empty dataset fails', async () => {
      const result = await runCli(['validate', '--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /--max-diagnostics/);
      assert.match(result.stdout, /not training-ready/);
    });

    it('--version prints the package version', async () => {
      const result = await runCli(['--version']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^brightrun \d+\.\d+\.\d+\n$/);
    });
  });
});
