/**
 * What a validation that ran out of time saves in `datasets.validation_cursor`, so the next
 * invocation continues at the same byte: the offset (always just after a newline), the lines
 * validated so far, the digest state, the diagnostics kept for the database, and the engine's
 * own state (object-snapshot.ts). Not compressed: the state is mostly hash-table fingerprints,
 * which gzip shrinks by a quarter at the cost of more time than the run can spare.
 */
import type { Diagnostic } from '../../../../common/engine/diagnostic.ts';
import type { ObjectSnapshot } from './object-snapshot.ts';
import type { Sha256State } from './sha256.ts';

export const CURSOR_VERSION = 2;

/** A validation problem as the database stores it: 1-based line and column. */
export interface StoredValidationError {
  line: number;
  column: number;
  code: string;
  severity: Diagnostic['severity'];
  message: string;
  suggestion?: string;
}

export const MAX_STORED_ERRORS = 100;

/**
 * Keeps the first 100 errors and the first 100 other diagnostics (in file order), which is
 * enough to give the database "at most 100, errors first" however the run ends.
 */
export class DiagnosticCollector {
  errors: StoredValidationError[];
  others: StoredValidationError[];

  constructor(saved?: { errors: StoredValidationError[]; others: StoredValidationError[] }) {
    this.errors = saved?.errors ?? [];
    this.others = saved?.others ?? [];
  }

  add(d: Diagnostic): void {
    const list = d.severity === 'error' ? this.errors : this.others;
    if (list.length >= MAX_STORED_ERRORS) return;
    const stored: StoredValidationError = {
      line: d.range.startLine + 1,
      column: d.range.startCol + 1,
      code: d.code,
      severity: d.severity,
      message: d.message,
    };
    if (d.suggestion !== undefined) stored.suggestion = d.suggestion;
    list.push(stored);
  }

  /** At most 100, errors first, each group in file order. */
  stored(): StoredValidationError[] {
    const byLine = (a: StoredValidationError, b: StoredValidationError) =>
      a.line - b.line || a.column - b.column;
    return [...[...this.errors].sort(byLine), ...[...this.others].sort(byLine)].slice(
      0,
      MAX_STORED_ERRORS,
    );
  }
}

export interface ValidationCursor {
  v: typeof CURSOR_VERSION;
  /** Bytes of the object already validated; the next run reads from here. */
  offset: number;
  /** Lines already validated. */
  lines: number;
  /** Invocations that contributed so far. */
  runs: number;
  sha256: Sha256State;
  diagnostics: { errors: StoredValidationError[]; others: StoredValidationError[] };
  /** The engine's own state (typed arrays inside as base64). */
  engine: ObjectSnapshot;
}

export function parseCursor(value: unknown): ValidationCursor | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const cursor = value as Partial<ValidationCursor>;
  if (
    cursor.v !== CURSOR_VERSION ||
    typeof cursor.offset !== 'number' ||
    typeof cursor.lines !== 'number' ||
    typeof cursor.engine !== 'object' ||
    cursor.engine === null ||
    typeof cursor.sha256 !== 'object' ||
    typeof cursor.diagnostics !== 'object'
  ) {
    return undefined;
  }
  return cursor as ValidationCursor;
}
