import type { Diagnostic } from 'vscode-languageserver';
import { deleteLine } from './line-edits.ts';
import type { DocumentLines, QuickFix } from './quick-fix.ts';

/** BRL003: delete the blank line (and one line break with it). */
export function fixBlankLine(document: DocumentLines, diagnostic: Diagnostic): QuickFix[] {
  const line = diagnostic.range.start.line;
  if (line >= document.lineCount || document.lineFacts(line).kind !== 'blank') return [];
  return [{ title: 'Delete the blank line', edits: [deleteLine(document, line)], preferred: true }];
}
