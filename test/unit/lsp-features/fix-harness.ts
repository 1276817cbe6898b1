/**
 * Runs the code actions of the real provider on small inline documents, applies the chosen
 * action's edits, and validates the result again with the engine, as an editor would.
 */
import assert from 'node:assert/strict';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver';
import { CancellationToken } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { validateText } from '../../../common/engine/dataset/dataset-validator.ts';
import { toLspDiagnostic } from '../../../server/src/lsp/diagnostics/to-lsp.ts';
import { DatasetDocument } from '../../../server/src/lsp/document/dataset-document.ts';
import type { CodeActionClient } from '../../../server/src/lsp/features/code-actions/index.ts';
import { provideCodeActions } from '../../../server/src/lsp/features/code-actions/index.ts';

export const URI = 'file:///w/fix.jsonl';
export const CLIENT: CodeActionClient = { documentChanges: false, resolveEdit: true };

/** Every diagnostic the engine reports for `text`, as the server publishes them. */
export function lspDiagnostics(text: string): Diagnostic[] {
  return validateText(text).diagnostics.map((d) =>
    toLspDiagnostic(d, URI, d.range.startLine, d.severity, true),
  );
}

/** The code actions offered for the diagnostics of `code` (all of them on their lines). */
export async function actionsFor(text: string, code: string, line?: number): Promise<CodeAction[]> {
  const all = lspDiagnostics(text);
  const target = all.find(
    (d) => d.code === code && (line === undefined || d.range.start.line === line),
  );
  assert.ok(target, `no ${code} in ${JSON.stringify(all.map((d) => d.code))}`);
  const onLine = all.filter((d) => d.range.start.line === target.range.start.line);
  const document = new DatasetDocument(URI, 1, text);
  return provideCodeActions(
    document,
    {
      textDocument: { uri: URI },
      range: target.range,
      context: { diagnostics: onLine },
    },
    CLIENT,
    CancellationToken.None,
  );
}

export function editsOf(action: CodeAction): TextEdit[] {
  const edits = action.edit?.changes?.[URI];
  assert.ok(edits, `${action.title} has no edits`);
  return edits;
}

export function apply(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create(URI, 'jsonl', 1, text), edits);
}

/**
 * Applies the action titled like `title` for the first `code` diagnostic and returns the new
 * text, after checking the diagnostic is gone from that line and every line is still JSON.
 */
export async function fix(text: string, code: string, title: RegExp, line?: number) {
  const actions = await actionsFor(text, code, line);
  const action = actions.find((a) => title.test(a.title));
  assert.ok(action, `no action ${String(title)} in ${JSON.stringify(actions.map((a) => a.title))}`);
  const edits = editsOf(action);
  const fixed = apply(text, edits);
  for (const l of fixed.split('\n')) if (l.trim() !== '') JSON.parse(l);
  const left = lspDiagnostics(fixed).filter((d) => d.code === code);
  return { action, edits, fixed, left };
}
