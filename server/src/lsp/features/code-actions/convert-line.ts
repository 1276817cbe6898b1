import type { Diagnostic } from 'vscode-languageserver';
import { LineConverter } from '../../../../../common/engine/convert/line-converter.ts';
import type { ConvertTarget } from '../../../../../common/engine/convert/line-converter.ts';
import { lineRange } from './json-edits.ts';
import type { QuickFix } from './quick-fix.ts';
import { dataOf } from './quick-fix.ts';

/**
 * BRL055, a line of another shape than the file's: convert that line to the file's shape with
 * the engine's converter (a chat line may become several v4 pairs, one per assistant reply).
 * Offered for the shapes `brightrun convert` writes.
 */
export function fixLineShape(text: string, line: number, diagnostic: Diagnostic): QuickFix[] {
  const target = dataOf(diagnostic).fileShape;
  if (target !== 'brightrun_lora_v4' && target !== 'chat_messages') return [];
  const result = new LineConverter(target satisfies ConvertTarget).convert(text);
  if (result.error !== undefined || result.lines.length === 0) return [];
  const count = result.lines.length === 1 ? '' : ` (${result.lines.length} lines)`;
  return [
    {
      title: `Convert this line to ${target}${count}`,
      edits: [{ range: lineRange(line, 0, text.length), newText: result.lines.join('\n') }],
      preferred: true,
    },
  ];
}
