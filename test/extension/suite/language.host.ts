// The language client in a real VS Code: diagnostics VS Code shows for fixture datasets, the
// status bar's dataset summary, the file commands and restarting the server.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { LanguageServer } from '../../../client/src/language/language-server.ts';
import {
  brightrun,
  codeOf,
  listDiagnostics,
  openDataset,
  waitFor,
  waitForDiagnostics,
  workspaceFile,
} from './support/host.ts';

describe('language server', function () {
  this.timeout(60_000);

  before(async () => {
    const api = await brightrun();
    await waitFor(
      'the language server to run',
      () => (api.services.server.state === 'running' ? true : undefined),
      [api.services.server.onDidChangeState],
      30_000,
    );
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows BRL001 at the trailing comma of an invalid JSON line', async () => {
    const editor = await openDataset('datasets/bad-json.jsonl');
    const diagnostics = await waitForDiagnostics(editor.document.uri, (d) => d.length > 0);
    const brl001 = diagnostics.filter((d) => codeOf(d) === 'BRL001');
    assert.equal(brl001.length, 1, listDiagnostics(diagnostics));
    // expected.json: line 6, columns 3066–3067 (1-based, end-exclusive).
    assert.equal(brl001[0].range.start.line, 5);
    assert.equal(brl001[0].range.start.character, 3065);
    assert.equal(brl001[0].range.end.character, 3066);
    assert.equal(brl001[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(brl001[0].source, 'brightrun');
  });

  it('shows BRL010 on a _meta header in the middle of a file', async () => {
    const editor = await openDataset('datasets/missing-field.jsonl');
    const diagnostics = await waitForDiagnostics(editor.document.uri, (d) =>
      d.some((x) => codeOf(x) === 'BRL010'),
    );
    const d = diagnostics.find((x) => codeOf(x) === 'BRL010');
    assert.equal(d?.range.start.line, 5);
    assert.equal(d?.range.start.character, 1);
  });

  it('publishes no diagnostics for a valid dataset and shows its summary in the status bar', async () => {
    const api = await brightrun();
    const editor = await openDataset('datasets/valid.jsonl');
    const text = await waitFor(
      'the status bar summary of valid.jsonl',
      () => {
        const t = api.statusBar.text;
        return /10 pairs · ready/.test(t) ? t : undefined;
      },
      [api.services.server.onDidReceiveSummary, api.services.server.onDidChangeState],
    );
    assert.match(text, /\$\(pass\) 10 pairs · ready/);
    assert.deepEqual(vscode.languages.getDiagnostics(editor.document.uri), []);
  });

  it('revalidates as the user types: breaking a line adds an error, undo removes it', async () => {
    const editor = await openDataset('datasets/meta.jsonl');
    const uri = editor.document.uri;
    const api = await brightrun();
    await waitFor('the first summary of meta.jsonl', () => api.services.server.summary(uri), [
      api.services.server.onDidReceiveSummary,
    ]);
    assert.deepEqual(vscode.languages.getDiagnostics(uri), []);
    const line = editor.document.lineAt(3);
    await editor.edit((e) =>
      e.delete(new vscode.Range(line.range.end.translate(0, -1), line.range.end)),
    );
    const broken = await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'BRL001'));
    const syntax = broken.filter((d) => codeOf(d) === 'BRL001');
    assert.ok(syntax.length === 1 && syntax[0].range.start.line === 3, listDiagnostics(broken));
    assert.match(api.statusBar.text, /error/);
    await vscode.commands.executeCommand('undo');
    await waitForDiagnostics(uri, (d) => d.length === 0);
  });

  it('Validate Dataset File streams a file from disk and publishes its problems', async () => {
    const uri = workspaceFile('datasets/bad-json.jsonl');
    const api = await brightrun();
    // The request itself first, so a failure shows the server's own error.
    const direct = await api.services.server.validateFile(uri);
    assert.equal(direct.summary.errors, 1);
    const result = await vscode.commands.executeCommand<
      { pairs: number; errors: number; totalDiagnostics: number } | undefined
    >('brightrun.validateDatasetFile', uri);
    assert.ok(result, 'the command returns the summary');
    assert.equal(result.errors, 1);
    assert.equal(result.pairs, 10);
    const diagnostics = await waitForDiagnostics(uri, (d) => d.length > 0);
    assert.ok(diagnostics.some((d) => codeOf(d) === 'BRL001'));
  });

  it('Validate Dataset File handles a file larger than VS Code hands to extensions (55 MB)', async () => {
    // 1,370 copies of the 10-pair fixture, each copy its own conversations and ids.
    const pairs = readFileSync(workspaceFile('datasets/valid.jsonl').fsPath, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const big = workspaceFile('datasets/big.jsonl');
    const chunks: string[] = [];
    let size = 0;
    for (let copy = 0; size < 55 * 1024 * 1024; copy++) {
      const ids = new Map<unknown, string>();
      for (const pair of pairs) {
        if (!ids.has(pair.conversation_id)) {
          const n = (copy * 16 + ids.size).toString(16).padStart(12, '0');
          ids.set(pair.conversation_id, `00000000-0000-4000-8000-${n}`);
        }
        const line = `${JSON.stringify({ ...pair, id: `${String(pair.id)}_${copy}`, conversation_id: ids.get(pair.conversation_id) })}\n`;
        chunks.push(line);
        size += Buffer.byteLength(line);
      }
    }
    writeFileSync(big.fsPath, chunks.join(''));
    try {
      const result = await vscode.commands.executeCommand<
        { pairs: number; errors: number } | undefined
      >('brightrun.validateDatasetFile', big);
      const api = await brightrun();
      assert.ok(result, JSON.stringify(api.lastFailure));
      assert.equal(result.errors, 0);
      assert.equal(result.pairs, chunks.length);
    } finally {
      rmSync(big.fsPath, { force: true });
    }
  });

  it('Show Dataset Statistics opens the statistics of the file', async () => {
    const uri = workspaceFile('datasets/valid.jsonl');
    const stats = await vscode.commands.executeCommand<
      { total_training_pairs: number; total_conversations: number; shape: string } | undefined
    >('brightrun.showDatasetStatistics', uri);
    assert.ok(stats);
    assert.equal(stats.total_training_pairs, 10);
    assert.equal(stats.total_conversations, 3);
    assert.equal(stats.shape, 'brightrun_lora_v4');
    const doc = vscode.window.activeTextEditor?.document;
    assert.equal(doc?.languageId, 'markdown');
    assert.match(doc?.getText() ?? '', /\| Training pairs \| 10 \|/);
  });

  it('Convert Dataset writes the chat_messages form of a v4 file', async () => {
    const input = workspaceFile('datasets/valid.jsonl');
    const output = workspaceFile('datasets/valid.chat.jsonl');
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'brightrun.convertDataset',
      input,
      'chat_messages',
      output,
    );
    assert.equal(written?.fsPath, output.fsPath);
    assert.ok(existsSync(output.fsPath));
    const lines = readFileSync(output.fsPath, 'utf8').trim().split('\n');
    assert.equal(lines.length, 10);
    const first = JSON.parse(lines[0]) as { messages: { role: string }[] };
    assert.ok(Array.isArray(first.messages) && first.messages.length >= 2);
  });

  it('the code action command brightrun.setRuleSeverity turns a rule off for the folder', async () => {
    const editor = await openDataset('datasets/bad-json.jsonl');
    const uri = editor.document.uri;
    await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'BRL001'));
    const config = () => vscode.workspace.getConfiguration('brightrun', uri);
    try {
      await vscode.commands.executeCommand('brightrun.setRuleSeverity', {
        uri: uri.toString(),
        code: 'BRL001',
        severity: 'off',
      });
      assert.deepEqual(config().get('validation.severity'), { BRL001: 'off' });
      await waitForDiagnostics(uri, (d) => !d.some((x) => codeOf(x) === 'BRL001'));
    } finally {
      await config().update(
        'validation.severity',
        undefined,
        vscode.ConfigurationTarget.WorkspaceFolder,
      );
    }
    await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'BRL001'));
  });

  it('Open Example Dataset copies the example into the workspace and it validates clean', async () => {
    const api = await brightrun();
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'brightrun.openExampleDataset',
    );
    assert.ok(uri && existsSync(uri.fsPath), JSON.stringify(api.lastFailure));
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, uri.fsPath);
    const summary = await waitFor("the example's summary", () => api.services.server.summary(uri), [
      api.services.server.onDidReceiveSummary,
    ]);
    assert.equal(summary.pairs, 17);
    assert.equal(summary.errors, 0);
  });

  it('says clearly when the language server cannot start', async () => {
    const api = await brightrun();
    const broken = new LanguageServer('/nonexistent/brightrun/server.js', api.services.output);
    try {
      await broken.start();
      await waitFor(
        'the broken server to be reported as failed',
        () => (broken.state === 'failed' ? true : undefined),
        [broken.onDidChangeState],
      );
      assert.ok(broken.failure && broken.failure.length > 0);
    } finally {
      await broken.dispose();
    }
  });

  it('Restart Language Server restarts it and diagnostics come back', async () => {
    const api = await brightrun();
    await vscode.commands.executeCommand('brightrun.restartLanguageServer');
    assert.equal(api.services.server.state, 'running');
    const editor = await openDataset('datasets/bad-json.jsonl');
    await waitForDiagnostics(editor.document.uri, (d) => d.some((x) => codeOf(x) === 'BRL001'));
  });
});
