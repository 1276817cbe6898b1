import type { Diagnostic } from 'vscode-languageserver';
import { nodeAt, parseObject, replaceNode } from './json-edits.ts';
import type { DocumentLines, QuickFix } from './quick-fix.ts';
import { spanOf } from './quick-fix.ts';

/**
 * BRL011: set `_meta.total_pairs` to the pair lines the document holds now. The count is taken
 * from the current line facts, the way the cross-line rule counts (every data line's pairs).
 */
export function fixTotalPairs(document: DocumentLines, diagnostic: Diagnostic): QuickFix[] {
  const span = spanOf(diagnostic);
  if (span === undefined || diagnostic.range.start.line !== 0 || document.lineCount === 0) {
    return [];
  }
  const root = parseObject(document.line(0));
  const node = root === undefined ? undefined : nodeAt(root, span.start, span.end);
  if (node?.type !== 'number') return [];
  const pairs = countPairs(document);
  if (pairs === node.value) return [];
  return [
    {
      title: `Set _meta.total_pairs to ${pairs}`,
      edits: [replaceNode(0, node, String(pairs))],
      preferred: true,
    },
  ];
}

export function countPairs(document: DocumentLines): number {
  let pairs = 0;
  for (let i = 0; i < document.lineCount; i++) {
    const facts = document.lineFacts(i);
    if (facts.kind === 'data') pairs += facts.pairs;
  }
  return pairs;
}
