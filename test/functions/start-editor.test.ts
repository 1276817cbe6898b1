// `npm start` with the editor, as the README's first section says: it packages and installs the
// extension into code-server, opens a workspace holding the example datasets with settings that
// point the extension at the local stack, prints one line with the URL once code-server answers,
// and Ctrl-C stops everything. Also: a taken port is refused before anything starts. Runs in a
// temporary `--dir` with free ports, so a developer's own `npm start` is untouched.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { codeServerBin } from '../../scripts/ensure-code-server.mjs';
import { launchChromium } from '../extension/support/code-server.ts';
import {
  leftovers,
  listening,
  pressCtrlC,
  readmeCommands,
  root,
  run,
  startInShell,
  stopStarted,
  tempWorkspace,
  type Started,
} from './start-harness.ts';

function httpStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

describe('npm start (the local stack and code-server with the extension)', function () {
  this.timeout(300_000);
  let workspace: string;
  let started: Started | undefined;

  before(function () {
    workspace = tempWorkspace('brightrun-start-');
  });

  after(async function () {
    if (started) await stopStarted(started);
    rmSync(workspace, { recursive: true, force: true });
  });

  it('prints one URL once VS Code answers, with the extension installed; Ctrl-C stops everything', async function () {
    const [startCommand] = readmeCommands('The two commands');
    assert.equal(startCommand, 'npm start');
    const editorPort = await freePort();
    started = startInShell(
      `${startCommand} -- --dir ${workspace} --port 0 --db-port 0 --editor-port ${editorPort}`,
    );
    const line = await started.waitForLine(/open http:\/\/127\.0\.0\.1:\d+/, 240_000);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)![0];
    assert.equal(url, `http://127.0.0.1:${editorPort}`);
    assert.equal(
      started.lines.filter((l) => l.includes('http://127.0.0.1:')).length,
      1,
      'exactly one line shows a URL',
    );

    assert.equal(await httpStatus(`${url}/healthz`), 200);
    assert.ok((await httpStatus(`${url}/`)) < 400, 'the workbench page is served');

    // The first window opens on BrightRun's Getting Started walkthrough (the extension opens it
    // on its first activation), not on VS Code Web's own "Setup VS Code Web" one.
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(url);
      const editor = page.locator('.monaco-workbench .part.editor');
      await editor.getByText('Get Started with BrightRun').first().waitFor({ timeout: 90_000 });
      assert.equal(await editor.getByText('Setup VS Code Web').count(), 0);
    } finally {
      await browser.close();
    }

    // The extension, as code-server itself lists it from the profile `npm start` uses.
    const home = join(workspace, '.brightrun', 'code-server');
    const listed = await run(process.execPath, [
      codeServerBin,
      '--user-data-dir',
      join(home, 'user-data'),
      '--extensions-dir',
      join(home, 'extensions'),
      '--list-extensions',
    ]);
    assert.equal(listed.code, 0, listed.output);
    assert.match(listed.output, /^brightrun\.brightrun$/m);

    // The workspace: the example datasets, and settings that lead the extension to the stack.
    const folder = join(workspace, '.brightrun', 'workspace');
    for (const example of readdirSync(join(root, 'examples')).filter((n) => n.endsWith('.jsonl'))) {
      assert.ok(existsSync(join(folder, example)), `${example} is in the workspace`);
    }
    const settings = JSON.parse(
      readFileSync(join(folder, '.vscode', 'settings.json'), 'utf8'),
    ) as Record<string, unknown>;
    assert.equal(settings['brightrun.backend'], 'local');
    assert.equal(settings['brightrun.local.folder'], workspace);
    const info = JSON.parse(readFileSync(join(workspace, '.brightrun', 'local.json'), 'utf8')) as {
      url: string;
      anonKey: string;
      userToken: string;
    };
    const health = await httpStatus(`${info.url}/functions/v1/api/health`, {
      apikey: info.anonKey,
      authorization: `Bearer ${info.userToken}`,
    });
    assert.equal(health, 200, 'the stack the extension is pointed at is healthy');

    pressCtrlC(started);
    const how = await started.exited;
    assert.ok(how === 0 || how === 'SIGINT', `npm start ended with ${how}`);
    assert.ok(started.lines.includes('brightrun: stopped'), started.lines.join('\n'));
    assert.deepEqual(leftovers(started, workspace), [], 'nothing it started is left running');
    assert.equal(await listening(editorPort), false, 'code-server has stopped listening');
    assert.equal(await listening(Number(new URL(info.url).port)), false, 'the gateway has stopped');
  });

  it('refuses a taken editor port with a message, before starting anything', async function () {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    try {
      const dir = tempWorkspace('brightrun-start-busy-');
      try {
        const result = await run(process.execPath, [
          join(root, 'scripts', 'start.mjs'),
          '--dir',
          dir,
          '--editor-port',
          String(port),
        ]);
        assert.equal(result.code, 1, result.output);
        assert.match(result.output, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
        assert.match(result.output, /--editor-port/);
        assert.equal(existsSync(join(dir, '.brightrun')), false, 'nothing was started');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      blocker.close();
    }
  });
});
