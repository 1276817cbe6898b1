import type { RuleCode } from './rule-codes.ts';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A range inside the document: 0-based lines, UTF-16 columns, end exclusive (as in LSP). */
export interface TextRange {
  startLine: number;
  startCol: number;
  endLine: number;
  endCol: number;
}

export interface RelatedLocation {
  range: TextRange;
  message: string;
}

export interface Diagnostic {
  code: RuleCode;
  severity: Severity;
  message: string;
  range: TextRange;
  /** A one-line hint at the fix, shown by the CLI and stored in the database. */
  suggestion?: string;
  related?: RelatedLocation[];
  /** Rule-specific facts a quick fix needs (e.g. the property path, the expected value). */
  data?: Record<string, unknown>;
}

/** Builds a range on one line. */
export function lineRange(line: number, startCol: number, endCol: number): TextRange {
  return { startLine: line, startCol, endLine: line, endCol };
}
