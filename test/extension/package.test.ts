// `npm run package` (scripts/package-extension.mjs): the .vsix holds only what ships — the
// bundles, the webviews, media, the training config schema and the example dataset; no
// sources, tests, source maps, node_modules or keys — and installs into code-server.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer } from '../../scripts/ensure-code-server.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the packaged extension (.vsix)', function () {
  this.timeout(180_000);
  let dir: string;
  let vsix: string;
  let entries: string[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'brightrun-vsix-test-'));
    vsix = join(dir, 'brightrun.vsix');
    execFileSync(process.execPath, [join(root, 'scripts', 'package-extension.mjs'), vsix], {
      cwd: root,
      stdio: 'pipe',
    });
    entries = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).trim().split('\n');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the extension, the language server, the CLI and the webviews', () => {
    for (const path of [
      'extension/package.json',
      'extension/dist/client/extension.cjs',
      'extension/dist/server/server.js',
      'extension/dist/server/token-worker.js',
      'extension/dist/server/llama3-bpe.bin',
      'extension/dist/server/mistral-bpe.bin',
      'extension/dist/server/cli.js',
      'extension/bin/brightrun.mjs',
      'extension/client/media/brightrun.svg',
      'extension/client/schemas/training-config.schema.json',
      'extension/examples/financial-coaching.jsonl',
      'extension/dist/webview/monitor.js',
    ]) {
      assert.ok(entries.includes(path), `${path} is in the .vsix`);
    }
  });

  it('holds no sources, tests, source maps, dependencies or keys', () => {
    const unwanted = entries.filter((e) =>
      /\.(ts|map|pem|key|env)$|(^|\/)(test|node_modules|\.brightrun|supabase|common|server\/src)\/|local\.json$/.test(
        e,
      ),
    );
    assert.deepEqual(unwanted, []);
    const size = statSync(vsix).size;
    assert.ok(size < 20 * 1024 * 1024, `the .vsix is ${size} bytes`);
  });

  it('installs into code-server', () => {
    const bin = ensureCodeServer();
    const home = join(dir, 'code-server');
    const args = [
      '--user-data-dir',
      join(home, 'data'),
      '--extensions-dir',
      join(home, 'ext'),
      '--config',
      join(home, 'config.yaml'),
    ];
    mkdirSync(join(home, 'data'), { recursive: true });
    mkdirSync(join(home, 'ext'), { recursive: true });
    writeFileSync(join(home, 'config.yaml'), 'auth: none\n');
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    try {
      execFileSync(process.execPath, [bin, ...args, '--install-extension', vsix, '--force'], {
        env,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      assert.fail(`code-server could not install the .vsix:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
    }
    const listed = execFileSync(
      process.execPath,
      [bin, ...args, '--list-extensions', '--show-versions'],
      {
        env,
        encoding: 'utf8',
      },
    );
    assert.match(listed, /^brightrun\.brightrun@0\.1\.0$/m);
  });
});
