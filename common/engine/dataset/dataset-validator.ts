import type { Diagnostic, Severity } from '../diagnostic.ts';
import { lineRange } from '../diagnostic.ts';
import type { ByteOps } from '../fast/byte-ops.ts';
import type { CompactV4Facts } from '../fast/compact-facts.ts';
import { V4LineScanner } from '../fast/v4-line-scanner.ts';
import { analyzeLine } from '../line/analyze-line.ts';
import type { LineFacts } from '../line-facts.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../options.ts';
import type { EngineOptions } from '../options.ts';
import { RULES } from '../rule-codes.ts';
import type { RuleCode } from '../rule-codes.ts';
import type { ChatMessage, Sample } from '../shape.ts';
import { StatsAccumulator } from '../stats/stats-accumulator.ts';
import type { StatsAccumulatorOptions } from '../stats/stats-accumulator.ts';
import { CrossLineChecker } from './cross-line-checker.ts';
import { sequenceTooLongDiagnostic } from './cross-line-diagnostics.ts';
import type { DatasetReport } from './dataset-report.ts';
import { applySeverityOverride } from './severity-overrides.ts';

export type { DatasetReport } from './dataset-report.ts';

export interface DatasetValidatorHooks {
  /**
   * Receives every diagnostic (after severity overrides; 'off' ones never arrive) as soon as it
   * is known: line-local ones while their line is pushed, cross-line ones on the later line,
   * BRL040 when the tokens arrive, BRL003 for blank lines and document-level ones at `finish`.
   */
  onDiagnostic?: (diagnostic: Diagnostic) => void;
  /** How tokens are counted, when they are: reported in the statistics. */
  tokenizer?: StatsAccumulatorOptions['tokenizer'];
  /** Native byte search and comparison for `pushLineBytes` (portable ones by default). */
  byteOps?: ByteOps;
}

/** Where BRL040 goes on a line whose samples still wait for their token counts. */
interface PendingTokens {
  remaining: number;
  start: number;
  end: number;
}

/**
 * Validates one file streamed line by line, in memory that does not grow with the number of
 * diagnostics (they stream out through `onDiagnostic`) and grows by about 30 bytes per v4 line
 * for the cross-line rules (see CrossLineChecker). Used by the CLI, the backend function and
 * the tests:
 *
 *   const v = new DatasetValidator(options, { onDiagnostic });
 *   if (reader.hadBom) v.setBom();
 *   for each line: const facts = v.pushLine(text, invalidUtf8Column);
 *                  (count the tokens of facts.samples, then v.addSampleTokens(...))
 *   const report = v.finish();
 *
 * A host that holds the bytes (the CLI) offers each line to `pushLineBytes` first: the
 * byte-level fast path (common/engine/fast) validates a silent v4 pair line without decoding
 * it, and declines every other line, which then goes to `pushLine` as above.
 *
 * Lines are those of a file split at "\n" with the "\r" of a CRLF removed; a final newline does
 * not start one more (empty) line, so any blank line pushed last is a trailing blank line.
 */
export class DatasetValidator {
  private readonly options: EngineOptions;
  private readonly onDiagnostic: ((diagnostic: Diagnostic) => void) | undefined;
  private readonly stats: StatsAccumulator;
  private readonly checker: CrossLineChecker;
  private readonly pendingTokens = new Map<number, PendingTokens>();
  private readonly counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  private readonly countsByCode: Partial<Record<RuleCode, number>> = {};
  private line = 0;
  /** Set when a diagnostic of error severity lands on the line being pushed. */
  private lineHasError = false;
  private finished = false;
  private readonly byteOps: ByteOps | undefined;
  private scanner: V4LineScanner | undefined;
  /** The line pushLineBytes accepted last, while its sample waits for `fastLineSample`. */
  private fastSample: { line: number; facts: CompactV4Facts } | undefined;

  constructor(options: EngineOptions, hooks: DatasetValidatorHooks = {}) {
    this.options = options;
    this.onDiagnostic = hooks.onDiagnostic;
    this.byteOps = hooks.byteOps;
    this.stats = new StatsAccumulator({
      maxSeqLength: options.maxSeqLength,
      tokenizer: options.tokens ? hooks.tokenizer : undefined,
    });
    this.checker = new CrossLineChecker((d) => this.report(d));
  }

  /**
   * Sizes the cross-line state for about `lines` lines, sparing the copies of growing it line
   * by line and the allocator garbage they leave. Optional, and best called early: the CLI can
   * divide the file size by the mean length of the lines of the first chunk. Overestimating
   * costs memory (about 20 bytes per line too many), underestimating only a later growth.
   */
  reserve(lines: number): void {
    this.checker.reserve(lines);
  }

  /** The reader saw a UTF-8 byte order mark at the start of the file (BRL004). */
  setBom(): void {
    this.checker.byteOrderMark();
  }

  /**
   * Validates the next line. `invalidUtf8Column` is where the reader put the U+FFFD of the
   * first ill-formed UTF-8 sequence (BRL005). Returns the line's facts, whose `samples` the
   * caller tokenises when tokens are counted; a line that a cross-line error (or BRL005) made
   * invalid comes back with `valid: false` and no samples.
   */
  pushLine(text: string, invalidUtf8Column?: number): LineFacts {
    if (this.finished) throw new Error('DatasetValidator: pushLine() after finish()');
    const line = this.line++;
    const facts = analyzeLine(text, line, { expectedShape: this.checker.fileShape });
    this.lineHasError = false;
    if (facts.kind !== 'blank') this.checker.endBlankRun();
    // Line-local errors already show in `facts.valid`; `lineHasError` tracks the errors added
    // here (BRL005, cross-line errors), which also take the line out of the statistics.
    for (const diagnostic of facts.diagnostics) this.report(diagnostic, false);
    if (invalidUtf8Column !== undefined) {
      this.report({
        code: 'BRL005',
        severity: RULES.BRL005.severity,
        message: 'Invalid UTF-8: this byte sequence is not a character (shown as U+FFFD).',
        range: lineRange(line, invalidUtf8Column, invalidUtf8Column + 1),
        suggestion: 'Re-save the file as UTF-8.',
      });
    }
    this.checker.check(facts, line, text);
    // A line with an added error is not a valid line: no statistics, and no samples for the
    // caller to tokenise (their tokens would count in the statistics of no sample).
    const counted =
      this.lineHasError && facts.valid ? { ...facts, valid: false, samples: [] } : facts;
    this.stats.addLine(counted, this.checker.lastConversationRecord);
    if (this.options.tokens && counted.samples.length > 0) {
      // BRL040 underlines the whole line: the length is the whole rendered sample's, and the
      // rule fixture (test/fixtures/rules/BRL040) expects the line.
      this.pendingTokens.set(line, {
        remaining: facts.samples.length,
        start: facts.start,
        end: facts.end,
      });
    }
    return counted;
  }

  /**
   * The fast path for hosts that hold the bytes (the CLI): validates the next line, given as
   * the UTF-8 bytes `bytes[start, end)` without its line terminator, and returns true when it
   * is a brightrun_lora_v4 pair line that needs no diagnostic of its own. For any other line it
   * returns false and changes nothing: push that line with `pushLine` instead. Diagnostics and
   * statistics are the same either way (test/unit/engine-fast checks it). When tokens are
   * counted, take the accepted line's sample with `fastLineSample`.
   */
  pushLineBytes(bytes: Uint8Array, start: number, end: number): boolean {
    if (this.finished) throw new Error('DatasetValidator: pushLineBytes() after finish()');
    // Only once the file is known to be a v4 file (so no BRL055) and the sample data (which
    // needs the rendered messages) is complete.
    this.fastSample = undefined;
    if (this.checker.fileShape !== 'brightrun_lora_v4' || !this.stats.sampleDataFull) {
      return false;
    }
    const scanner = (this.scanner ??= new V4LineScanner(this.byteOps));
    if (!scanner.scan(bytes, start, end)) return false;
    const facts = scanner.facts;
    this.line++;
    this.lineHasError = false;
    this.checker.checkCompact(facts, this.line - 1);
    // As in pushLine: a cross-line error takes the line out of the statistics.
    if (!this.lineHasError) {
      this.stats.addCompactV4Line(facts.turns, this.checker.lastConversationRecord);
      if (this.options.tokens) {
        const line = this.line - 1;
        this.pendingTokens.set(line, { remaining: 1, start: facts.start, end: facts.end });
        this.fastSample = { line, facts };
      }
    }
    return true;
  }

  /**
   * When tokens are counted: the rendered sample of the line `pushLineBytes` accepted last
   * (sample 0 of that line, decoded now), or undefined when the line is not counted. Call it
   * right after `pushLineBytes` returned true, as the line's bytes are read again.
   */
  fastLineSample(): { line: number; messages: ChatMessage[] } | undefined {
    const pending = this.fastSample;
    if (pending === undefined) return undefined;
    this.fastSample = undefined;
    return { line: pending.line, messages: pending.facts.messages() };
  }

  /**
   * The token count of sample `sampleIndex` of line `line` (in any order, before `finish`):
   * feeds the statistics and reports BRL040 when it exceeds the max sequence length.
   */
  addSampleTokens(line: number, sampleIndex: number, tokens: number): void {
    const pending = this.pendingTokens.get(line);
    // Only lines the statistics counted wait for tokens: a line the validator itself found
    // broken (a repeated id, say) is left out of the token figures as it is of the others.
    if (!this.options.tokens || pending === undefined) return;
    this.stats.addSampleTokens(tokens);
    if (tokens > this.options.maxSeqLength) {
      const { start, end } = pending;
      this.report(
        sequenceTooLongDiagnostic(line, start, end, sampleIndex, tokens, this.options.maxSeqLength),
      );
    }
    if (--pending.remaining <= 0) this.pendingTokens.delete(line);
  }

  /** Runs the document-level rules and returns the report. */
  finish(): DatasetReport {
    if (!this.finished) {
      this.finished = true;
      this.pendingTokens.clear();
      const pairs = this.stats.result().total_training_pairs;
      this.checker.finish(pairs);
    }
    const stats = this.stats.result();
    return {
      shape: this.checker.fileShape ?? stats.shape,
      trainingReady: this.counts.error === 0 && stats.total_training_pairs >= 1,
      counts: { ...this.counts },
      countsByCode: { ...this.countsByCode },
      stats,
      lines: this.line,
    };
  }

  /** Bytes held by the cross-line state (for benchmarks and capacity planning). */
  get crossLineBytes(): number {
    return this.checker.byteLength;
  }

  /** Applies overrides, counts and streams one diagnostic; `added`: not a line-local one. */
  private report(diagnostic: Diagnostic, added = true): void {
    const shown = applySeverityOverride(diagnostic, this.options.severityOverrides);
    if (shown === undefined) return;
    this.counts[shown.severity]++;
    this.countsByCode[shown.code] = (this.countsByCode[shown.code] ?? 0) + 1;
    if (added && shown.severity === 'error' && shown.range.startLine === this.line - 1) {
      this.lineHasError = true;
    }
    this.onDiagnostic?.(shown);
  }
}

/**
 * Validates a whole document held in memory (tests, small documents): splits it at "\n",
 * drops the "\r" of CRLF endings and a leading byte order mark (BRL004), and collects the
 * diagnostics. `countTokens`, when given, counts each sample's tokens (statistics and BRL040).
 */
export function validateText(
  text: string,
  options: Partial<EngineOptions> = {},
  countTokens?: (sample: Sample) => number,
): { diagnostics: Diagnostic[]; report: DatasetReport } {
  const diagnostics: Diagnostic[] = [];
  const engine: EngineOptions = { ...DEFAULT_ENGINE_OPTIONS, ...options };
  if (countTokens === undefined) engine.tokens = false;
  const validator = new DatasetValidator(engine, {
    onDiagnostic: (d) => diagnostics.push(d),
    tokenizer: countTokens ? { model: engine.baseModel, name: 'test', exact: true } : undefined,
  });
  let body = text;
  if (body.charCodeAt(0) === 0xfeff) {
    body = body.slice(1);
    validator.setBom();
  }
  const lines = body.split('\n');
  // A final newline ends the last line; it does not start an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const facts = validator.pushLine(line);
    if (countTokens !== undefined) {
      facts.samples.forEach((sample, i) =>
        validator.addSampleTokens(index, i, countTokens(sample)),
      );
    }
  });
  return { diagnostics, report: validator.finish() };
}
