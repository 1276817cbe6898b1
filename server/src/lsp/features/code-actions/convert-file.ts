import type { CancellationToken, TextEdit } from 'vscode-languageserver';
import type { ConvertTarget } from '../../../../../common/engine/convert/line-converter.ts';
import { LineConverter } from '../../../../../common/engine/convert/line-converter.ts';
import type { LineShape } from '../../../../../common/engine/shape.ts';
import { throwIfCancelled } from './cancellation.ts';
import type { DocumentLines } from './quick-fix.ts';

/** The kind of the conversion source actions (shown in the Source Action menu, not the bulb). */
export const CONVERT_KIND = 'source.convert';

/** Lines converted between two checks of the cancellation token. */
const LINES_PER_SLICE = 500;

/** The shapes a file of `shape` can be converted to (dataset-format.md §5). */
export function conversionTargets(shape: LineShape | undefined): ConvertTarget[] {
  if (shape === undefined) return [];
  const targets: ConvertTarget[] = ['brightrun_lora_v4', 'chat_messages'];
  return targets.filter((target) => target !== shape);
}

/**
 * Why the file cannot be converted now: the first line the converter would refuse (a line
 * with an error), so the action can be shown disabled with the reason. Undefined when every
 * line converts. Reads the line facts only, so listing the action stays cheap.
 */
export function conversionBlocker(document: DocumentLines): string | undefined {
  for (let i = 0; i < document.lineCount; i++) {
    const facts = document.lineFacts(i);
    if (facts.kind === 'blank') continue;
    const error = facts.diagnostics.find((d) => d.severity === 'error');
    if (facts.kind === 'invalid' || error !== undefined) {
      const code = error === undefined ? '' : ` (${error.code})`;
      return `Line ${i + 1} has an error${code}; fix it first`;
    }
  }
  return undefined;
}

/**
 * Converts the whole document with the engine's converter. Every line changes shape, so the edit
 * is the whole text. What the target shape cannot hold is what `brightrun convert` lists as
 * notes; the CLI is the place to review them. The work yields to the event loop between slices
 * and stops with a cancellation error as soon as the request is cancelled. Undefined when a line
 * cannot be converted (the document changed since the action was listed).
 */
export async function convertDocument(
  document: DocumentLines,
  target: ConvertTarget,
  token: CancellationToken,
): Promise<TextEdit | undefined> {
  const converter = new LineConverter(target);
  const out: string[] = [];
  const count = document.lineCount;
  for (let i = 0; i < count; i++) {
    if (i % LINES_PER_SLICE === 0) {
      await yieldToEventLoop();
      throwIfCancelled(token);
    }
    const result = converter.convert(document.line(i));
    if (result.error !== undefined) return undefined;
    out.push(...result.lines);
  }
  const lastLine = count - 1;
  const last = document.line(lastLine);
  // A file that ended with a line break keeps it.
  const newText = out.join('\n') + (last === '' && count > 1 ? '\n' : '');
  return {
    range: { start: { line: 0, character: 0 }, end: { line: lastLine, character: last.length } },
    newText,
  };
}

/** Lets queued messages (a `$/cancelRequest` among them) be handled before going on. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
