import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Diagnostic, Severity } from '../../../../common/engine/diagnostic.ts';
import type { LineFacts } from '../../../../common/engine/line-facts.ts';
import type { SeverityOverrides } from '../../../../common/engine/rule-codes.ts';
import { toLspDiagnostic } from './to-lsp.ts';

/** A diagnostic with the line it belongs on. */
export interface PlacedDiagnostic {
  line: number;
  diagnostic: Diagnostic;
  /** Cross-line diagnostics carry real line numbers in their related locations. */
  relatedAreAbsolute: boolean;
}

export interface CollectedDiagnostics {
  diagnostics: LspDiagnostic[];
  counts: Record<Severity, number>;
}

const ORDER: Severity[] = ['error', 'warning', 'info', 'hint'];

/**
 * Gathers the diagnostics to publish: line-local ones from every line's facts plus the
 * cross-line ones, with the user's severity overrides applied, errors first, capped at
 * `maxProblems` with a last diagnostic that says how many more exist.
 */
export function collectDiagnostics(
  uri: string,
  facts: readonly LineFacts[],
  crossLine: readonly PlacedDiagnostic[],
  overrides: SeverityOverrides,
  maxProblems: number,
): CollectedDiagnostics {
  const buckets: Record<Severity, PlacedDiagnostic[]> = {
    error: [],
    warning: [],
    info: [],
    hint: [],
  };
  const place = (item: PlacedDiagnostic) => {
    const severity = overrides[item.diagnostic.code] ?? item.diagnostic.severity;
    if (severity !== 'off') buckets[severity].push(item);
  };
  for (let line = 0; line < facts.length; line++) {
    const lineDiagnostics = facts[line].diagnostics;
    for (let i = 0; i < lineDiagnostics.length; i++) {
      place({ line, diagnostic: lineDiagnostics[i], relatedAreAbsolute: false });
    }
  }
  for (const item of crossLine) place(item);

  const counts = {
    error: buckets.error.length,
    warning: buckets.warning.length,
    info: buckets.info.length,
    hint: buckets.hint.length,
  };
  const total = counts.error + counts.warning + counts.info + counts.hint;
  const room = total > maxProblems ? Math.max(0, maxProblems - 1) : total;
  const diagnostics: LspDiagnostic[] = [];
  for (const severity of ORDER) {
    for (const item of buckets[severity]) {
      if (diagnostics.length >= room) break;
      diagnostics.push(
        toLspDiagnostic(item.diagnostic, uri, item.line, severity, item.relatedAreAbsolute),
      );
    }
  }
  if (room < total) diagnostics.push(overflowDiagnostic(total - room, counts, maxProblems));
  return { diagnostics, counts };
}

function overflowDiagnostic(
  hidden: number,
  counts: Record<Severity, number>,
  maxProblems: number,
): LspDiagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: 'brightrun',
    message:
      `${hidden} more problems are not shown (${counts.error} errors, ${counts.warning} ` +
      `warnings in all). Only ${maxProblems} are listed per file: fix these first, raise ` +
      '`brightrun.validation.maxProblems`, or run `brightrun validate` for the full list.',
  };
}
