import type { JsonNode, JsonProblem } from '../json/ast.ts';
import type { LineReporter } from './line-reporter.ts';

/**
 * BRL001 at the offending character. A problem the parser places between characters still
 * gets one character wide when there is a character there (an editor shows nothing for an
 * empty range in the middle of a line); at the end of the line the range stays empty.
 */
export function reportSyntaxError(r: LineReporter, text: string, error: JsonProblem): void {
  const start = Math.min(error.start, text.length);
  let end = Math.max(error.end, start);
  if (end === start && start < text.length) end = start + charWidth(text, start);
  r.report('BRL001', start, end, error.message, {
    suggestion: 'Fix the JSON at this position; each line must be one complete JSON object',
  });
}

/** UTF-16 units of the character at `i`: 2 for a surrogate pair, else 1. */
function charWidth(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return 2;
  }
  return 1;
}

/** BRL005 (lone surrogate) and BRL006 (duplicate key) from the parser's warnings. */
export function reportParseWarnings(r: LineReporter, warnings: readonly JsonProblem[]): void {
  for (const warning of warnings) {
    if (warning.kind === 'lone-surrogate') {
      r.report('BRL005', warning.start, warning.end, warning.message, {
        suggestion: 'Remove the escape, or complete the surrogate pair',
      });
    } else if (warning.kind === 'duplicate-key') {
      const related =
        warning.firstStart !== undefined && warning.firstEnd !== undefined
          ? [
              {
                range: r.range(warning.firstStart, warning.firstEnd),
                message: 'First occurrence of the key',
              },
            ]
          : undefined;
      r.report('BRL006', warning.start, warning.end, warning.message, {
        suggestion: 'Remove one of the two; JSON.parse silently keeps only the last',
        related,
      });
    }
  }
}

/** BRL002 on the whole value of a line that is JSON but not an object. */
export function reportNotAnObject(r: LineReporter, root: JsonNode): void {
  const kind =
    root.type === 'array' ? 'an array' : root.type === 'null' ? 'null' : `a ${root.type}`;
  r.report('BRL002', root.start, root.end, `Each line must be a JSON object, not ${kind}`, {
    suggestion: 'Wrap the value in an object, e.g. {"messages": [...]}',
  });
}
