import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LspClient } from './support/lsp-client.ts';
import { cleanPairs } from './support/pairs.ts';

const bin = fileURLToPath(new URL('../../bin/brightrun.mjs', import.meta.url));

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
});
