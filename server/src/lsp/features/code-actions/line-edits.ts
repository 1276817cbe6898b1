import type { TextEdit } from 'vscode-languageserver';
import type { DocumentLines } from './quick-fix.ts';

/**
 * Deletes line `line` with one line break: the one after it, or for the last line the one
 * before it, so no blank line is left behind (a blank line between data lines is BRL003).
 */
export function deleteLine(document: DocumentLines, line: number): TextEdit {
  if (line + 1 < document.lineCount) {
    return {
      range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } },
      newText: '',
    };
  }
  const end = { line, character: document.line(line).length };
  if (line === 0) return { range: { start: { line, character: 0 }, end }, newText: '' };
  const previous = line - 1;
  return {
    range: { start: { line: previous, character: document.line(previous).length }, end },
    newText: '',
  };
}

/**
 * Inserts `text` as a new first line. The break is written as `\n`: clients convert inserted
 * breaks to the document's own (VS Code normalises them to the model's end-of-line).
 */
export function insertFirstLine(text: string): TextEdit {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    newText: `${text}\n`,
  };
}
