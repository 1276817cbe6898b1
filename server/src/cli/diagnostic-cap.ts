import type { Diagnostic, Severity } from '../../../common/engine/diagnostic.ts';

export type SeverityCounts = Record<Severity, number>;

export function emptyCounts(): SeverityCounts {
  return { error: 0, warning: 0, info: 0, hint: 0 };
}

/** Orders diagnostics by position, then code, so output is stable. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    a.range.startLine - b.range.startLine ||
    a.range.startCol - b.range.startCol ||
    a.range.endLine - b.range.endLine ||
    a.range.endCol - b.range.endCol ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}

/**
 * Keeps at most `cap` diagnostics of a stream while counting all of them, so a file with a
 * million errors costs a bounded amount of memory and the summary still tells the truth.
 *
 * Text output prints as diagnostics arrive (`accept` says whether this one still fits). JSON
 * output keeps a buffer and prefers errors: once the buffer is full, an error replaces the most
 * recently kept lesser diagnostic, because a reader of a truncated report needs the errors first
 * and the stream cannot be sorted by severity before it ends.
 */
export class DiagnosticCap {
  readonly total = emptyCounts();
  readonly omitted = emptyCounts();
  private readonly kept: Diagnostic[] = [];
  /** Indexes into `kept` of non-error diagnostics, most recent last: the ones an error may evict. */
  private readonly evictable: number[] = [];
  /** Text mode: how many were printed. */
  private shown = 0;

  constructor(
    readonly cap: number,
    private readonly keep: boolean,
  ) {}

  /**
   * Counts the diagnostic and returns true when it is within the cap. In keeping mode it is
   * also stored (possibly evicting a lesser one, which then counts as omitted).
   */
  add(d: Diagnostic): boolean {
    this.total[d.severity]++;
    const stored = this.keep ? this.kept.length : this.shown;
    if (stored < this.cap) {
      if (this.keep) {
        if (d.severity !== 'error') this.evictable.push(this.kept.length);
        this.kept.push(d);
      } else {
        this.shown++;
      }
      return true;
    }
    if (this.keep && d.severity === 'error' && this.evictable.length > 0) {
      const index = this.evictable.pop()!;
      this.omitted[this.kept[index].severity]++;
      this.kept[index] = d;
      return true;
    }
    this.omitted[d.severity]++;
    return false;
  }

  get omittedTotal(): number {
    const o = this.omitted;
    return o.error + o.warning + o.info + o.hint;
  }

  /** The kept diagnostics in document order. */
  sorted(): Diagnostic[] {
    return [...this.kept].sort(compareDiagnostics);
  }
}
