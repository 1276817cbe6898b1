import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { LspClient } from './support/lsp-client.ts';
import { cleanPairs } from './support/pairs.ts';

const bin = fileURLToPath(new URL('../../bin/brightrun.mjs', import.meta.url));
const serverBundle = fileURLToPath(new URL('../../dist/server/server.js', import.meta.url));

describe('brightrun lsp', function () {
  it('serves LSP over stdio from the CLI and exits on shutdown and exit', async () => {
    const client = await LspClient.start({}, { args: [bin, 'lsp', '--stdio'] });
    const uri = 'file:///work/cli.jsonl';
    await client.open(uri, cleanPairs(10).join('\n') + '\n{"id": "x",, }');
    const diagnostics = await client.diagnostics(uri, 1);
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['BRL001'],
    );
    await client.stop();
    assert.equal(await client.exited, 0);
  });

  it('explains itself without a transport', () => {
    const result = spawnSync(process.execPath, [bin, 'lsp'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--stdio/);
    const help = spawnSync(process.execPath, [bin, 'lsp', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--node-ipc/);
  });

  it('serves over --node-ipc, as the extension starts it', async () => {
    const child = fork(serverBundle, ['--node-ipc'], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const connection = createProtocolConnection(
      new IPCMessageReader(child),
      new IPCMessageWriter(child),
    );
    const uri = 'file:///work/ipc.jsonl';
    const published = new Promise<PublishDiagnosticsParams>((resolve) =>
      connection.onNotification(
        'textDocument/publishDiagnostics',
        (p: PublishDiagnosticsParams) => {
          if (p.uri === uri && p.version === 1) resolve(p);
        },
      ),
    );
    connection.listen();
    try {
      await connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri: null,
        capabilities: {},
      });
      await connection.sendNotification('initialized', {});
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'jsonl', version: 1, text: cleanPairs(9).join('\n') },
      });
      const { diagnostics } = await published;
      assert.deepEqual(
        diagnostics.map((d) => d.code),
        ['BRL041'],
      );
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
      await exited;
    } finally {
      connection.dispose();
      child.kill();
    }
  });
});
