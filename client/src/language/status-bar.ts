// One status bar item: the language server's state and, for the active dataset, its pairs,
// problems and training readiness from the server's `brightrun/datasetSummary` notifications.
import * as vscode from 'vscode';
import type { DatasetSummary } from '../../../common/protocol/lsp.ts';
import type { LanguageServer } from './language-server.ts';

export class DatasetStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly server: LanguageServer) {
    this.item = vscode.window.createStatusBarItem(
      'brightrun.dataset',
      vscode.StatusBarAlignment.Left,
      50,
    );
    this.item.name = 'BrightRun Dataset';
    this.disposables.push(
      this.item,
      server.onDidChangeState(() => this.render()),
      server.onDidReceiveSummary((s) => {
        if (s.uri === vscode.window.activeTextEditor?.document.uri.toString()) this.render();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
    );
    this.render();
  }

  /** What the item shows now (for tests and the tooltip). */
  get text(): string {
    return this.item.text;
  }

  render(): void {
    const editor = vscode.window.activeTextEditor;
    const isDataset = editor?.document.languageId === 'jsonl';
    const state = this.server.state;
    if (state === 'failed') {
      this.show(
        '$(error) BrightRun: server stopped',
        `The BrightRun language server is not running: ${this.server.failure ?? 'unknown reason'}.\n\nClick to restart it.`,
        'brightrun.restartLanguageServer',
        true,
      );
      return;
    }
    if (!isDataset || !editor) {
      this.item.hide();
      return;
    }
    if (state === 'starting') {
      this.show(
        '$(sync~spin) BrightRun: starting',
        'The BrightRun language server is starting.',
        undefined,
      );
      return;
    }
    if (state === 'stopped') {
      this.show(
        '$(debug-disconnect) BrightRun: stopped',
        'The BrightRun language server is stopped. Click to restart it.',
        'brightrun.restartLanguageServer',
      );
      return;
    }
    const summary = this.server.summary(editor.document.uri);
    if (!summary) {
      this.show('$(sync~spin) BrightRun: validating', 'Validating this dataset…', undefined);
      return;
    }
    this.show(
      summaryText(summary),
      summaryTooltip(summary),
      summary.errors > 0 ? 'workbench.actions.view.problems' : 'brightrun.showDatasetStatistics',
      summary.errors > 0,
    );
  }

  private show(text: string, tooltip: string, command: string | undefined, error = false): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = command;
    this.item.backgroundColor = error
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function summaryText(s: DatasetSummary): string {
  const pairs = `${s.pairs.toLocaleString('en-US')} ${s.pairs === 1 ? 'pair' : 'pairs'}`;
  if (s.errors > 0) return `$(error) ${pairs} · ${s.errors} ${s.errors === 1 ? 'error' : 'errors'}`;
  if (!s.trainingReady) return `$(warning) ${pairs} · not ready`;
  return `$(pass) ${pairs} · ready`;
}

export function summaryTooltip(s: DatasetSummary): string {
  const lines = [
    `BrightRun dataset${s.shape ? ` (${s.shape})` : ''}`,
    `Training pairs: ${s.pairs}`,
    `Errors: ${s.errors}, warnings: ${s.warnings}`,
    `Training-ready: ${s.trainingReady ? 'yes' : 'no'}`,
  ];
  if (s.tokens) {
    lines.push(
      `Tokens: ${s.tokens.total.toLocaleString('en-US')}${s.tokens.exact ? '' : ' (estimated)'} with ${s.tokens.tokenizer}`,
    );
  }
  lines.push(
    '',
    s.errors > 0 ? 'Click to open the Problems panel.' : 'Click for the dataset statistics.',
  );
  return lines.join('\n');
}
