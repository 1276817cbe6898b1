import assert from 'node:assert/strict';
import type { Diagnostic } from '../../../common/engine/diagnostic.ts';
import {
  DatasetValidator,
  validateText,
} from '../../../common/engine/dataset/dataset-validator.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../../../common/engine/options.ts';
import type { EngineOptions } from '../../../common/engine/options.ts';
import { distinctPairs, pairLine } from './dataset-lines.ts';

const TEN = distinctPairs(10).join('\n') + '\n';

/** Ten valid pairs and, on line 11, a repeat of line 1's id (BRL030, an error). */
const WITH_DUPLICATE_ID = TEN + pairLine({ id: 'q0', conversation: 'zz', input: 'New?' }) + '\n';

function validator(options: Partial<EngineOptions> = {}): {
  v: DatasetValidator;
  seen: Diagnostic[];
} {
  const seen: Diagnostic[] = [];
  const v = new DatasetValidator(
    { ...DEFAULT_ENGINE_OPTIONS, tokens: false, ...options },
    {
      onDiagnostic: (d) => seen.push(d),
      tokenizer: { model: DEFAULT_ENGINE_OPTIONS.baseModel, name: 'test', exact: true },
    },
  );
  return { v, seen };
}

describe('DatasetValidator', () => {
  it('is training-ready with valid pairs and no errors', () => {
    const { diagnostics, report } = validateText(TEN);
    assert.deepEqual(diagnostics, []);
    assert.equal(report.trainingReady, true);
    assert.equal(report.shape, 'brightrun_lora_v4');
    assert.equal(report.lines, 10);
    assert.deepEqual(report.counts, { error: 0, warning: 0, info: 0, hint: 0 });
    assert.equal(report.stats.total_training_pairs, 10);
    assert.equal(report.stats.total_samples, 10);
  });

  it('is not training-ready with an error, or without any pair', () => {
    const { report } = validateText(WITH_DUPLICATE_ID);
    assert.equal(report.trainingReady, false);
    assert.equal(report.counts.error, 1);
    assert.deepEqual(report.countsByCode, { BRL030: 1 });
    const empty = validateText('');
    assert.equal(empty.report.trainingReady, false);
    assert.deepEqual(empty.report.countsByCode, { BRL041: 1 });
  });

  it('leaves a line with a cross-line error out of the statistics', () => {
    const { report } = validateText(WITH_DUPLICATE_ID);
    assert.equal(report.stats.total_samples, 10);
    assert.equal(report.stats.total_training_pairs, 10);
  });

  it('applies a severity override before counting and streaming', () => {
    const { diagnostics, report } = validateText(WITH_DUPLICATE_ID, {
      severityOverrides: { BRL030: 'warning' },
    });
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity]),
      [['BRL030', 'warning']],
    );
    assert.deepEqual(report.counts, { error: 0, warning: 1, info: 0, hint: 0 });
    assert.equal(report.trainingReady, true);
  });

  it("drops diagnostics whose code is 'off'", () => {
    const { diagnostics, report } = validateText(WITH_DUPLICATE_ID, {
      severityOverrides: { BRL030: 'off' },
    });
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(report.countsByCode, {});
    assert.equal(report.trainingReady, true);
  });

  it('overrides line-local diagnostics too, without changing the facts it returns', () => {
    const { v, seen } = validator({ severityOverrides: { BRL001: 'info' } });
    const facts = v.pushLine('{"id": ');
    assert.deepEqual(
      seen.map((d) => [d.code, d.severity]),
      [['BRL001', 'info']],
    );
    assert.equal(facts.diagnostics[0].severity, 'error', 'the cached facts keep the default');
  });

  it('streams each diagnostic while its line is pushed, before finish', () => {
    const { v, seen } = validator();
    v.pushLine(pairLine({ id: 'a' }));
    assert.equal(seen.length, 0);
    v.pushLine(pairLine({ id: 'a', conversation: 'c2', input: 'Other?' }));
    assert.deepEqual(
      seen.map((d) => d.code),
      ['BRL030'],
    );
    v.finish();
    assert.deepEqual(
      seen.map((d) => d.code),
      ['BRL030', 'BRL041'],
    );
  });

  it('reports BRL004 when the reader saw a byte order mark', () => {
    const { v, seen } = validator();
    v.setBom();
    for (const line of distinctPairs(10)) v.pushLine(line);
    const report = v.finish();
    assert.deepEqual(
      seen.map((d) => [d.code, d.range]),
      [['BRL004', { startLine: 0, startCol: 0, endLine: 0, endCol: 0 }]],
    );
    assert.equal(report.trainingReady, true, 'a warning does not block training');
  });

  it('reports BRL005 at the column the reader gives and drops the line from the statistics', () => {
    const { v, seen } = validator();
    const facts = v.pushLine(pairLine({ input: 'Caf\uFFFD?' }), 30);
    assert.deepEqual(
      seen.map((d) => [d.code, d.severity, d.range]),
      [['BRL005', 'error', { startLine: 0, startCol: 30, endLine: 0, endCol: 31 }]],
    );
    assert.equal(facts.valid, false);
    assert.deepEqual(facts.samples, []);
    assert.equal(v.finish().stats.total_samples, 0);
  });

  it('reports BRL040 when tokens arriving later exceed the max sequence length', () => {
    const { v, seen } = validator({ tokens: true, maxSeqLength: 100 });
    const short = v.pushLine(pairLine({ id: 'a' }));
    const long = v.pushLine(pairLine({ id: 'b', conversation: 'c2', input: 'Long?' }));
    assert.equal(long.samples.length, 1);
    v.addSampleTokens(1, 0, 101);
    v.addSampleTokens(0, 0, 100);
    const report = v.finish();
    assert.deepEqual(
      seen.filter((d) => d.code === 'BRL040').map((d) => [d.severity, d.range]),
      [['warning', { startLine: 1, startCol: 0, endLine: 1, endCol: long.end }]],
    );
    assert.equal(short.samples.length, 1);
    assert.equal(report.stats.token_distribution?.max, 101);
  });

  it('leaves tokens of a line it excluded out of the statistics', () => {
    const { v } = validator({ tokens: true, maxSeqLength: 100 });
    v.pushLine(pairLine({ id: 'a' }));
    v.pushLine(pairLine({ id: 'a', conversation: 'c2', input: 'Again?' }));
    v.addSampleTokens(0, 0, 40);
    // A host that tokenised the repeated-id line anyway must not change the figures.
    v.addSampleTokens(1, 0, 90);
    const report = v.finish();
    assert.equal(report.stats.total_tokens, 40);
    assert.equal(report.stats.token_distribution?.max, 40);
  });

  it('counts no tokens and reports no BRL040 with tokens off', () => {
    const { v, seen } = validator({ tokens: false, maxSeqLength: 10 });
    v.pushLine(pairLine());
    v.addSampleTokens(0, 0, 5000);
    const report = v.finish();
    assert.deepEqual(
      seen.filter((d) => d.code === 'BRL040'),
      [],
    );
    assert.equal(report.stats.total_tokens, undefined);
  });

  it('validateText counts tokens with a given counter, and handles CRLF line ends', () => {
    const crlf = distinctPairs(10).join('\r\n') + '\r\n';
    const { diagnostics, report } = validateText(crlf, { maxSeqLength: 50 }, (sample) =>
      sample.messages.length === 3 ? 60 : 10,
    );
    assert.equal(diagnostics.filter((d) => d.code === 'BRL040').length, 10);
    assert.equal(report.stats.total_tokens, 600);
    assert.equal(diagnostics.filter((d) => d.code !== 'BRL040').length, 0, 'no \\r in the JSON');
  });

  it('sizes its state for the expected lines by the shape of the file', () => {
    const chat =
      '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}';
    const sized = (first: string) => {
      const { v } = validator();
      v.reserve(50_000);
      v.pushLine(first);
      return v.crossLineBytes;
    };
    const v4 = sized(pairLine());
    const chatOnly = sized(chat);
    // 9-byte slots for 2.25 keys per v4 line and 1 per chat line, at a load near 0.93.
    assert.ok(v4 > 50_000 * 2.25 * 9 && v4 < 50_000 * 2.25 * 11, `${v4}`);
    assert.ok(chatOnly > 50_000 * 9 && chatOnly < 50_000 * 11, `${chatOnly}`);
  });
});
