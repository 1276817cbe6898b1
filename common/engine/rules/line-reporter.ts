import type { Diagnostic, RelatedLocation } from '../diagnostic.ts';
import { lineRange } from '../diagnostic.ts';
import type { RuleCode } from '../rule-codes.ts';
import { RULES } from '../rule-codes.ts';

/** Optional parts of a diagnostic beyond code, range and message. */
export interface ReportDetails {
  suggestion?: string;
  data?: Record<string, unknown>;
  related?: RelatedLocation[];
}

/**
 * Collects the diagnostics of one line. Rules pass offsets inside the line; the reporter turns
 * them into ranges on `line` and stamps the default severity from the catalogue (settings
 * overrides are applied later, by the host, per file).
 */
export class LineReporter {
  readonly diagnostics: Diagnostic[] = [];
  /** True once a diagnostic whose default severity is error has been reported. */
  hasError = false;

  constructor(readonly line: number) {}

  report(
    code: RuleCode,
    start: number,
    end: number,
    message: string,
    details?: ReportDetails,
  ): void {
    const severity = RULES[code].severity;
    if (severity === 'error') this.hasError = true;
    const diagnostic: Diagnostic = {
      code,
      severity,
      message,
      range: lineRange(this.line, start, end),
    };
    if (details?.suggestion !== undefined) diagnostic.suggestion = details.suggestion;
    if (details?.data !== undefined) diagnostic.data = details.data;
    if (details?.related !== undefined) diagnostic.related = details.related;
    this.diagnostics.push(diagnostic);
  }

  /** A range on this line, for related locations. */
  range(start: number, end: number): RelatedLocation['range'] {
    return lineRange(this.line, start, end);
  }
}
