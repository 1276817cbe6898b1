/**
 * Features that depend on what the client declares: `codeAction/resolve` for the conversion,
 * versioned `documentChanges` edits, and `workspace/inlayHint/refresh` once the background token
 * count is in. The shared LspClient declares none of these, so this file starts the server with
 * a client that does.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  CodeAction,
  InitializeParams,
  PublishDiagnosticsParams,
  TextDocumentEdit,
  TextEdit,
} from 'vscode-languageserver-protocol';
import {
  CodeActionRequest,
  CodeActionResolveRequest,
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InlayHintRefreshRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';

const SERVER = fileURLToPath(new URL('../../dist/server/server.js', import.meta.url));
const TEXT = readFileSync(
  new URL('../fixtures/lsp/convert-v4/dataset.jsonl', import.meta.url),
  'utf8',
);

describe('language server: with a client that resolves, versions edits and refreshes hints', function () {
  let child: ChildProcess;
  let connection: ProtocolConnection;
  let refreshed: () => void;
  const refresh = new Promise<void>((resolve) => (refreshed = resolve));
  const opened = new Map<string, (p: PublishDiagnosticsParams) => void>();

  before(async () => {
    child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    connection = createProtocolConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    connection.onRequest('workspace/configuration', (params: { items: unknown[] }) =>
      params.items.map(() => ({})),
    );
    connection.onRequest(InlayHintRefreshRequest.type, () => refreshed());
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => opened.get(p.uri)?.(p));
    connection.listen();
    const init: InitializeParams = {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: {
          configuration: true,
          workspaceEdit: { documentChanges: true },
          inlayHint: { refreshSupport: true },
        },
        textDocument: { codeAction: { resolveSupport: { properties: ['edit'] } } },
      },
    };
    const result = await connection.sendRequest(InitializeRequest.type, init);
    assert.equal(result.capabilities.codeActionProvider !== undefined, true);
    await connection.sendNotification(InitializedNotification.type, {});
  });

  after(async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
    await exited;
    connection.dispose();
  });

  async function open(uri: string): Promise<void> {
    const published = new Promise<PublishDiagnosticsParams>((resolve) => opened.set(uri, resolve));
    await connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'jsonl', version: 1, text: TEXT },
    });
    await published;
  }

  it('lists the conversion without its edit and computes it on resolve, for version 1', async () => {
    const uri = 'file:///work/capable/convert.jsonl';
    await open(uri);
    const listed = (await connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.convert'] },
    })) as CodeAction[];
    const convert = listed.find((a) => a.kind === 'source.convert.chat_messages');
    assert.ok(convert);
    assert.equal(convert.edit, undefined);
    const resolved = await connection.sendRequest(CodeActionResolveRequest.type, convert);
    const [change] = (resolved.edit?.documentChanges ?? []) as TextDocumentEdit[];
    assert.deepEqual(change.textDocument, { uri, version: 1 });
    const lines = (change.edits[0] as TextEdit).newText.trim().split('\n');
    assert.equal(lines.length, 3, 'the _meta header has no place in chat_messages');
    for (const line of lines) assert.ok('messages' in (JSON.parse(line) as object));
  });

  it('asks the client to refresh the inlay hints once the tokens are counted', async () => {
    await open('file:///work/capable/hints.jsonl');
    await refresh;
  });
});
