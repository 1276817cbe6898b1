import type { Diagnostic } from 'vscode-languageserver';
import { deleteLine } from './line-edits.ts';
import type { DocumentLines, QuickFix } from './quick-fix.ts';
import { dataOf } from './quick-fix.ts';

/**
 * BRL037 (a sample identical to an earlier one): delete this copy. BRL030 and BRL036 (a
 * repeated id, or turn of a conversation) get the same fix only when the whole line is a copy
 * of the first one, since otherwise deleting it would lose a different pair.
 */
export function fixDuplicateLine(document: DocumentLines, diagnostic: Diagnostic): QuickFix[] {
  const line = diagnostic.range.start.line;
  if (line >= document.lineCount || document.lineFacts(line).kind !== 'data') return [];
  const first = firstLineOf(diagnostic);
  if (first === undefined || first >= line) return [];
  const exactCopy = document.line(first).trim() === document.line(line).trim();
  const sameSample =
    diagnostic.code === 'BRL037' && samplesOf(document, first) === samplesOf(document, line);
  if (!exactCopy && !sameSample) return [];
  return [
    {
      title: `Delete this line (a duplicate of line ${first + 1})`,
      edits: [deleteLine(document, line)],
      preferred: true,
    },
  ];
}

/** The earlier line the diagnostic points at: its `data.firstLine`, or its related location. */
function firstLineOf(diagnostic: Diagnostic): number | undefined {
  const first = dataOf(diagnostic).firstLine;
  if (typeof first === 'number' && Number.isInteger(first) && first >= 0) return first;
  return diagnostic.relatedInformation?.[0]?.location.range.start.line;
}

/** The rendered messages of a line, as text to compare (only ever two lines, on request). */
function samplesOf(document: DocumentLines, line: number): string {
  return JSON.stringify(document.lineFacts(line).samples.map((s) => s.messages));
}
