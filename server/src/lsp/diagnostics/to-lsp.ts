import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Diagnostic, Severity } from '../../../../common/engine/diagnostic.ts';

export const LSP_SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * Converts an engine diagnostic whose ranges were computed on line 0 to an LSP diagnostic on
 * `line`. Related locations on line 0 move with it; those already on their real line (cross-line
 * rules point at other lines) are kept as they are when `relatedAreAbsolute` is set.
 */
export function toLspDiagnostic(
  d: Diagnostic,
  uri: string,
  line: number,
  severity: Severity,
  relatedAreAbsolute = false,
): LspDiagnostic {
  const shift = line - d.range.startLine;
  const result: LspDiagnostic = {
    range: {
      start: { line, character: d.range.startCol },
      end: { line: d.range.endLine + shift, character: d.range.endCol },
    },
    severity: LSP_SEVERITY[severity],
    code: d.code,
    source: 'brightrun',
    message: d.message,
  };
  if (d.related !== undefined) {
    result.relatedInformation = d.related.map((r) => {
      const delta = relatedAreAbsolute ? 0 : shift;
      return {
        location: {
          uri,
          range: {
            start: { line: r.range.startLine + delta, character: r.range.startCol },
            end: { line: r.range.endLine + delta, character: r.range.endCol },
          },
        },
        message: r.message,
      };
    });
  }
  if (d.data !== undefined || d.suggestion !== undefined) {
    result.data = { ...d.data, suggestion: d.suggestion };
  }
  return result;
}
