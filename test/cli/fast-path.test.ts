/**
 * `brightrun validate --no-tokens` reads lines as bytes and validates most v4 lines on the
 * byte-level fast path. Its report must be exactly what the engine's full path gives for the
 * same text (validateText runs the full path alone): every diagnostic and every statistic,
 * including for CRLF files, lines longer than a read chunk and lines with non-ASCII text.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateText } from '../../common/engine/dataset/dataset-validator.ts';
import { compareDiagnostics } from '../../server/src/cli/diagnostic-cap.ts';
import { statsToJson, toJsonDiagnostic } from '../../server/src/cli/format.ts';
import { ensureDataset } from '../../bench/generate.mjs';
import { DEFAULT_BASE_MODEL } from '../../common/engine/options.ts';
import { loadTokenCounter } from '../../common/tokenizers/load-token-counter.ts';
import { tokenizerInfo } from '../../common/tokenizers/token-counter.ts';
import { runCli } from './run-cli.ts';

interface ValidateJson {
  diagnostics: unknown[];
  stats: Record<string, unknown>;
  trainingReady: boolean;
}

async function expectSameAsFullPath(path: string, tokens = false): Promise<void> {
  const text = readFileSync(path, 'utf8');
  const result = await runCli([
    'validate',
    ...(tokens ? ['--max-seq-length', '300'] : ['--no-tokens']),
    '--format',
    'json',
    '--max-diagnostics',
    '1000000',
    path,
  ]);
  assert.equal(result.stderr, '');
  const report = JSON.parse(result.stdout) as ValidateJson;
  // The workers count with the same counter, loaded here in-process.
  const counter = tokens ? await loadTokenCounter(DEFAULT_BASE_MODEL) : undefined;
  const expected = counter
    ? validateText(text, { maxSeqLength: 300 }, (sample) => counter.countSample(sample.messages))
    : validateText(text, { tokens: false });
  if (counter) expected.report.stats.tokenizer = tokenizerInfo(counter);
  const diagnostics = [...expected.diagnostics].sort(compareDiagnostics).map(toJsonDiagnostic);
  assert.ok(diagnostics.length > 0);
  assert.deepEqual(report.diagnostics, diagnostics);
  assert.deepEqual(report.stats, statsToJson(expected.report.stats));
  assert.equal(report.trainingReady, expected.report.trainingReady);
}

describe('validate --no-tokens (byte-level fast path) matches the full path', function () {
  this.timeout(120_000);
  let dir: string;
  let lines: string[];

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'brightrun-fast-cli-'));
    const { path } = ensureDataset(join(dir, 'bench.jsonl'), 4000);
    lines = readFileSync(path, 'utf8').split('\n').slice(0, -1);
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("on the bench generator's output", async function () {
    const path = join(dir, 'lf.jsonl');
    writeFileSync(path, lines.join('\n') + '\n');
    await expectSameAsFullPath(path);
  });

  it('with CRLF line ends, a BOM and no final newline', async function () {
    const path = join(dir, 'crlf.jsonl');
    writeFileSync(path, '\ufeff' + lines.join('\r\n'));
    await expectSameAsFullPath(path);
  });

  it('with lines longer than a read chunk, non-ASCII text and repeated lines', async function () {
    const mixed = lines.slice(0, 600);
    for (let i = 10; i < mixed.length; i += 97) {
      const pair = JSON.parse(mixed[i]) as Record<string, unknown>;
      if (typeof pair.target_response !== 'string') continue;
      pair.target_response = `${pair.target_response} ${'long answer '.repeat(30_000)}`;
      mixed[i] = JSON.stringify(pair);
    }
    for (let i = 15; i < mixed.length; i += 89) mixed[i] = mixed[i].replace('You are', 'Vous êtes');
    for (let i = 20; i < mixed.length; i += 71) mixed.push(mixed[i]);
    const path = join(dir, 'mixed.jsonl');
    writeFileSync(path, mixed.join('\n') + '\n');
    await expectSameAsFullPath(path);
  });

  it('with exact token counts (fast-path lines are tokenised too)', async function () {
    const path = join(dir, 'tokens.jsonl');
    writeFileSync(path, lines.slice(0, 1500).join('\n') + '\n');
    await expectSameAsFullPath(path, true);
  });
});
