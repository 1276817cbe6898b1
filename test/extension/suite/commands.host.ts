// The commands a user reaches from the palette that the backend suite does not cover: Show
// Notifications (a quick pick, driven here by VS Code's own "accept the selected item" command
// as a keyboard user presses Enter), Show Output, Start Local Stack, and finding the workspace's
// local stack with no `brightrun.local.folder` setting. Runs against the local stack the harness
// started in the test workspace.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Dataset, Notification } from '../../../common/api/types.ts';
import type { BrightRunExtensionApi } from '../../../client/src/extension.ts';
import { brightrun, waitFor, workspaceFile, workspaceRoot } from './support/host.ts';

const LOCAL_STACK_TERMINAL = 'BrightRun local stack';

describe('palette commands', function () {
  this.timeout(120_000);
  let api: BrightRunExtensionApi;

  before(async () => {
    api = await brightrun();
    await api.services.backend.update();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  it('finds .brightrun/local.json in the workspace folder with no brightrun.local.folder set', async () => {
    const setting = vscode.workspace.getConfiguration('brightrun').inspect('local.folder');
    assert.equal(setting?.globalValue, undefined);
    assert.equal(setting?.workspaceValue, undefined);
    assert.equal(setting?.workspaceFolderValue, undefined);
    const root = workspaceRoot();
    const state = await api.services.backend.update();
    assert.equal(state.kind, 'local', `folder ${root.toString()}: ${state.problem ?? ''}`);
    assert.equal(state.configured, true);
    const stack = api.services.backend.runningLocalStack();
    assert.ok(stack, `a running stack is found for ${root.toString()}`);
    assert.equal(stack.file, join(root.fsPath, '.brightrun', 'local.json'));
    // The browser window opens the folder as vscode-remote://…; code-server's extension host,
    // which runs beside the files, sees it as a file URI, which is what detection relies on.
    assert.equal(root.scheme, 'file');
  });

  /** Uploads `file` and resolves with its dataset once its validation notification is listed. */
  async function uploadAndWaitForNotice(
    file: string,
    name: string,
  ): Promise<{ dataset: Dataset; notice: Notification }> {
    const dataset = await vscode.commands.executeCommand<Dataset | undefined>(
      'brightrun.uploadDataset',
      workspaceFile(file),
      { name },
    );
    assert.ok(dataset, `the upload returns the dataset (${JSON.stringify(api.lastFailure)})`);
    const notice = await waitFor(
      `the "${name}" validated notification`,
      () =>
        api.services.data.snapshot.notifications.find(
          (n) => n.type === 'dataset_validated' && n.metadata.dataset_id === dataset.id,
        ),
      [api.services.data.onDidChange],
      90_000,
    );
    return { dataset, notice };
  }

  it('Show Notifications lists unread first; choosing one opens it and marks it read', async () => {
    await vscode.commands.executeCommand('brightrun.markAllNotificationsRead');
    const older = await uploadAndWaitForNotice('datasets/chat.jsonl', 'ext-notify-older');
    const newer = await uploadAndWaitForNotice('datasets/meta.jsonl', 'ext-notify-newer');
    // The newer notification is read: the older unread one must still come first.
    await vscode.commands.executeCommand('brightrun.markNotificationRead', newer.notice.id);
    assert.equal(api.services.data.snapshot.unread, 1);

    const shown = vscode.commands.executeCommand<Notification | 'all' | undefined>(
      'brightrun.showNotifications',
    );
    let settled = false;
    void shown.then(
      () => (settled = true),
      () => (settled = true),
    );
    // Enter on the quick pick: VS Code gives extensions no event for a quick pick being shown,
    // so the accept command is repeated (each call is a round trip to the workbench, a no-op
    // until the pick has its items) until the command returns.
    const deadline = Date.now() + 30_000;
    while (!settled) {
      if (Date.now() > deadline) throw new Error('the notifications quick pick never accepted');
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const picked = await shown;
    assert.ok(picked && picked !== 'all', `a notification was chosen (${JSON.stringify(picked)})`);
    assert.equal(picked.id, older.notice.id, 'the unread notification is the first item');

    await waitFor(
      'the chosen notification to be read',
      () =>
        api.services.data.snapshot.notifications.find((n) => n.id === older.notice.id)?.read
          ? true
          : undefined,
      [api.services.data.onDidChange],
    );
    assert.equal(api.services.data.snapshot.unread, 0);
    // A validated dataset's notification opens the configure panel.
    await waitFor(
      'the configure panel',
      () =>
        vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .find(
            (t) =>
              t.input instanceof vscode.TabInputWebview &&
              t.input.viewType.endsWith('brightrun.configurePanel'),
          ),
      [vscode.window.tabGroups.onDidChangeTabs],
      15_000,
    );
  });

  it('Show Output reveals the BrightRun output channel', async () => {
    const isBrightRun = (uri: vscode.Uri): boolean =>
      uri.scheme === 'output' && /BrightRun/.test(decodeURIComponent(uri.toString()));
    await vscode.commands.executeCommand('workbench.action.closePanel');
    assert.ok(!vscode.window.visibleTextEditors.some((e) => isBrightRun(e.document.uri)));
    const shown = waitFor(
      `the BrightRun output channel (visible: ${vscode.window.visibleTextEditors
        .map((e) => e.document.uri.toString())
        .join(', ')})`,
      () => vscode.window.visibleTextEditors.find((e) => isBrightRun(e.document.uri)),
      [vscode.window.onDidChangeVisibleTextEditors],
      15_000,
    );
    await vscode.commands.executeCommand('brightrun.showOutput');
    await shown;
  });

  it('Start Local Stack says the stack is already running instead of starting a second one', async () => {
    const running = api.services.backend.runningLocalStack();
    assert.ok(running);
    const result = await vscode.commands.executeCommand('brightrun.startLocalBackend');
    assert.equal(result, running.url);
    assert.equal(
      vscode.window.terminals.filter((t) => t.name === LOCAL_STACK_TERMINAL).length,
      0,
      'no terminal was opened',
    );
  });

  it('Start Local Stack opens a terminal running `brightrun local up` where the stack is expected', async () => {
    // A folder whose recorded stack has exited (the pid of a finished process), holding a
    // stand-in `brightrun` bin that only records its arguments, so that the terminal's
    // `npx brightrun local up` starts no second stack (and never asks the registry).
    const folder = mkdtempSync(join(tmpdir(), 'brightrun-stale-stack-'));
    mkdirSync(join(folder, '.brightrun'));
    mkdirSync(join(folder, 'node_modules', '.bin'), { recursive: true });
    const pid = spawnSync('true').pid;
    writeFileSync(
      join(folder, '.brightrun', 'local.json'),
      JSON.stringify({ url: 'http://127.0.0.1:9', userToken: 'stale', pid }),
    );
    writeFileSync(join(folder, 'package.json'), '{"name":"stale-stack","private":true}\n');
    const bin = join(folder, 'node_modules', '.bin', 'brightrun');
    writeFileSync(bin, '#!/bin/sh\necho "$PWD $*" > ran.tmp && mv ran.tmp ran.txt\n');
    chmodSync(bin, 0o755);
    const config = vscode.workspace.getConfiguration('brightrun');
    await config.update('local.folder', folder, vscode.ConfigurationTarget.Workspace);
    let terminal: vscode.Terminal | undefined;
    const watcher = watch(folder);
    try {
      assert.equal(api.services.backend.runningLocalStack(), undefined);
      const ran = new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('the terminal did not run brightrun')),
          60_000,
        );
        const check = (): void => {
          if (!existsSync(join(folder, 'ran.txt'))) return;
          clearTimeout(timer);
          resolve(readFileSync(join(folder, 'ran.txt'), 'utf8').trim());
        };
        watcher.on('change', check);
        check();
      });
      const opened = waitFor(
        'a BrightRun terminal',
        () => vscode.window.terminals.find((t) => t.name === LOCAL_STACK_TERMINAL),
        [vscode.window.onDidOpenTerminal],
        15_000,
      );
      const result = await vscode.commands.executeCommand<vscode.Terminal | string>(
        'brightrun.startLocalBackend',
      );
      terminal = await opened;
      assert.equal(result, terminal);
      const options = terminal.creationOptions as vscode.TerminalOptions;
      assert.equal(options.name, LOCAL_STACK_TERMINAL);
      const cwd = options.cwd;
      assert.equal(typeof cwd === 'string' ? cwd : cwd?.fsPath, folder);
      assert.equal(await ran, `${folder} local up`);
    } finally {
      watcher.close();
      terminal?.dispose();
      await config.update('local.folder', undefined, vscode.ConfigurationTarget.Workspace);
      await api.services.backend.update();
      rmSync(folder, { recursive: true, force: true });
    }
    assert.ok(api.services.backend.runningLocalStack(), 'the workspace stack is found again');
  });
});
