import type { Diagnostic, TextEdit } from 'vscode-languageserver';
import type { LineFacts } from '../../../../../common/engine/line-facts.ts';

/**
 * A fix before it becomes an LSP code action: a title and the edits, on real line numbers.
 * Fixers are pure functions of the text and the diagnostic; they re-read the text rather than
 * trust the diagnostic's `data`, which the client may hold from an older version.
 */
export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** The one fix an editor applies with "auto fix" (at most one per diagnostic). */
  preferred?: boolean;
}

/** A fixer that needs only the line the diagnostic is on. */
export type LineFixer = (text: string, line: number, diagnostic: Diagnostic) => QuickFix[];

/** The read-only view of a document that fixers reading other lines need. */
export interface DocumentLines {
  readonly lineCount: number;
  line(index: number): string;
  lineFacts(index: number): LineFacts;
}

/** A fixer that reads other lines too (cross-line rules). */
export type DocumentFixer = (document: DocumentLines, diagnostic: Diagnostic) => QuickFix[];

/** The diagnostic's `data` as a record (empty when the client dropped it). */
export function dataOf(diagnostic: Diagnostic): Record<string, unknown> {
  const data: unknown = diagnostic.data;
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
}

/** The offsets a one-line diagnostic covers on its line, or undefined for a multi-line one. */
export function spanOf(diagnostic: Diagnostic): { start: number; end: number } | undefined {
  const { start, end } = diagnostic.range;
  return start.line === end.line ? { start: start.character, end: end.character } : undefined;
}
