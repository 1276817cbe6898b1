import type { Diagnostic } from 'vscode-languageserver';
import { deleteLine, insertFirstLine } from './line-edits.ts';
import type { DocumentLines, QuickFix } from './quick-fix.ts';

/**
 * BRL010, a `_meta` header below line 1: move it to line 1 (when line 1 holds no header
 * already), or delete it.
 */
export function fixMisplacedMeta(document: DocumentLines, diagnostic: Diagnostic): QuickFix[] {
  const line = diagnostic.range.start.line;
  if (line <= 0 || line >= document.lineCount || document.lineFacts(line).kind !== 'meta') {
    return [];
  }
  const fixes: QuickFix[] = [];
  const remove = deleteLine(document, line);
  if (document.lineFacts(0).kind !== 'meta') {
    fixes.push({
      title: 'Move the _meta header to line 1',
      edits: [insertFirstLine(document.line(line).trim()), remove],
      preferred: true,
    });
  }
  fixes.push({ title: 'Delete the misplaced _meta header', edits: [remove] });
  return fixes;
}
