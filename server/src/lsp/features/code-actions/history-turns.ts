import type { Diagnostic, TextEdit } from 'vscode-languageserver';
import type { JsonArray, JsonObject } from '../../../../../common/engine/json/ast.ts';
import { getProperty } from '../../../../../common/engine/json/ast.ts';
import { lineRange, nodeAt, parseObject, replaceNode } from './json-edits.ts';
import type { QuickFix } from './quick-fix.ts';
import { spanOf } from './quick-fix.ts';

/** BRL031: renumber the history turns 1..n, touching only the numbers that are wrong. */
export function fixHistoryNumbering(
  text: string,
  line: number,
  diagnostic: Diagnostic,
): QuickFix[] {
  const span = spanOf(diagnostic);
  const root = parseObject(text);
  const history = root === undefined ? undefined : historyOf(root);
  if (span === undefined || history === undefined) return [];
  // The diagnostic must still point at a turn number of this history.
  if (span.start < history.start || span.end > history.end) return [];
  const edits: TextEdit[] = [];
  history.items.forEach((item, i) => {
    const turn = item.type === 'object' ? getProperty(item, 'turn')?.value : undefined;
    if (turn?.type === 'number' && turn.value !== i + 1) {
      edits.push(replaceNode(line, turn, String(i + 1)));
    }
  });
  if (edits.length === 0) return [];
  return [{ title: 'Renumber the history turns 1..n', edits, preferred: true }];
}

/**
 * BRL032 where the history ends with the very user message `current_user_input` repeats: drop
 * that last turn (the renderer already trains on it once), which is the fix when it makes the
 * history exactly `turn_number − 1` long. Otherwise, set `turn_number` to what the history says.
 */
export function fixHistoryLength(text: string, line: number, diagnostic: Diagnostic): QuickFix[] {
  const span = spanOf(diagnostic);
  const root = parseObject(text);
  const history = root === undefined ? undefined : historyOf(root);
  if (span === undefined || root === undefined || history === undefined) return [];
  const turnNumber = nodeAt(root, span.start, span.end);
  if (turnNumber?.type !== 'number' || getProperty(root, 'turn_number')?.value !== turnNumber) {
    return [];
  }
  const length = history.items.length;
  if (endsWithRepeatedInput(root, history) && turnNumber.value - 1 === length - 1) {
    return [
      {
        title: 'Drop the user turn repeated from current_user_input at the end of the history',
        edits: [removeLastItem(line, history)],
        preferred: true,
      },
    ];
  }
  return [
    {
      title: `Set turn_number to ${length + 1}`,
      edits: [replaceNode(line, turnNumber, String(length + 1))],
    },
  ];
}

function historyOf(root: JsonObject): JsonArray | undefined {
  const value = getProperty(root, 'conversation_history')?.value;
  return value?.type === 'array' ? value : undefined;
}

/** The last history turn is a user turn with exactly the text of `current_user_input`. */
function endsWithRepeatedInput(root: JsonObject, history: JsonArray): boolean {
  const input = getProperty(root, 'current_user_input')?.value;
  const last = history.items[history.items.length - 1];
  if (input?.type !== 'string' || last?.type !== 'object') return false;
  const role = getProperty(last, 'role')?.value;
  const content = getProperty(last, 'content')?.value;
  return (
    role?.type === 'string' &&
    role.value === 'user' &&
    content?.type === 'string' &&
    content.value === input.value
  );
}

/** Removes the last item of a non-empty array with the comma before it. */
function removeLastItem(line: number, array: JsonArray): TextEdit {
  const items = array.items;
  const last = items[items.length - 1];
  const start = items.length > 1 ? items[items.length - 2].end : last.start;
  return { range: lineRange(line, start, last.end), newText: '' };
}
