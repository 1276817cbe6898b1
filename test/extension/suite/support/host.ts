// Helpers for the in-host tests: the extension's API, the test workspace, and waiting for
// events (diagnostics, status bar, views) with a timeout instead of sleeping.
import * as vscode from 'vscode';
import type { BrightRunExtensionApi } from '../../../../client/src/extension.ts';

export const EXTENSION_ID = 'brightrun.brightrun';

export async function brightrun(): Promise<BrightRunExtensionApi> {
  const extension = vscode.extensions.getExtension<BrightRunExtensionApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded`);
  return extension.activate();
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test window has no workspace folder');
  return folder.uri;
}

export function workspaceFile(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), relative);
}

/**
 * Resolves with `probe()`'s value once it is not undefined, re-checking whenever one of
 * `events` fires; rejects after `ms` with `what` (and the last value seen) in the message.
 */
export function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  events: vscode.Event<unknown>[],
  ms = 30_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const subscriptions: vscode.Disposable[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      for (const s of subscriptions) s.dispose();
    };
    const check = (): boolean => {
      const value = probe();
      if (value === undefined) return false;
      finish();
      resolve(value);
      return true;
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`));
    }, ms);
    for (const event of events) subscriptions.push(event(() => void check()));
    check();
  });
}

/** The diagnostics of `uri` once `accept` likes them. */
export function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
  ms = 30_000,
): Promise<vscode.Diagnostic[]> {
  return waitFor(
    `diagnostics of ${uri.path} (now: ${listDiagnostics(vscode.languages.getDiagnostics(uri))})`,
    () => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      return accept(diagnostics) ? diagnostics : undefined;
    },
    [vscode.languages.onDidChangeDiagnostics],
    ms,
  );
}

export function listDiagnostics(diagnostics: vscode.Diagnostic[]): string {
  if (diagnostics.length === 0) return 'none';
  return diagnostics
    .map(
      (d) => `${codeOf(d)}@${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`,
    )
    .join('; ');
}

export function codeOf(d: vscode.Diagnostic): string {
  const code = d.code;
  if (typeof code === 'object' && code !== null) return String(code.value);
  return String(code);
}

export async function openDataset(relative: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(relative));
  if (doc.languageId !== 'jsonl') await vscode.languages.setTextDocumentLanguage(doc, 'jsonl');
  return vscode.window.showTextDocument(doc, { preview: false });
}
