import type { Diagnostic } from 'vscode-languageserver';
import { getProperty } from '../../../../../common/engine/json/ast.ts';
import { nodeAt, parseObject, replaceNode } from './json-edits.ts';
import type { QuickFix } from './quick-fix.ts';
import { spanOf } from './quick-fix.ts';

/** BRL038: make `training_metadata.conversation_turn` repeat `turn_number`. */
export function fixConversationTurn(
  text: string,
  line: number,
  diagnostic: Diagnostic,
): QuickFix[] {
  const span = spanOf(diagnostic);
  const root = parseObject(text);
  if (span === undefined || root === undefined) return [];
  const turn = getProperty(root, 'turn_number')?.value;
  const node = nodeAt(root, span.start, span.end);
  if (turn?.type !== 'number' || node?.type !== 'number' || node.value === turn.value) return [];
  return [
    {
      title: `Set training_metadata.conversation_turn to ${turn.value}`,
      edits: [replaceNode(line, node, String(turn.value))],
      preferred: true,
    },
  ];
}
