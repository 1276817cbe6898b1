// Backend and account commands, notifications, views and the language server: Select Backend,
// Sign In, Sign Out, Refresh, Show Notifications, Restart Language Server, and the walkthrough's
// helpers (open the example dataset, start the local stack).
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Notification } from '../../../common/api/types.ts';
import type { SignedInUser } from '../backend/supabase-auth.ts';
import { notificationActions } from '../notifications/notification-actions.ts';
import type { Services } from '../services.ts';
import { formatAge } from '../views/format.ts';
import { unreadFirst } from '../views/trees.ts';
import { idFrom, type CommandSpec } from './registry.ts';

export function backendCommands(services: Services): CommandSpec[] {
  return [
    { id: 'brightrun.selectBackend', run: (choice) => selectBackend(services, choice) },
    { id: 'brightrun.signIn', run: () => signIn(services) },
    { id: 'brightrun.signOut', run: () => signOut(services) },
    { id: 'brightrun.refreshViews', run: () => refresh(services) },
    {
      id: 'brightrun.showNotifications',
      run: () => showNotifications(services),
      needsBackend: true,
    },
    {
      id: 'brightrun.openNotification',
      run: (arg) => openNotification(services, arg),
      needsBackend: true,
    },
    {
      id: 'brightrun.markNotificationRead',
      run: (arg) => markRead(services, arg),
      needsBackend: true,
    },
    {
      id: 'brightrun.markAllNotificationsRead',
      run: () => markAllRead(services),
      needsBackend: true,
    },
    { id: 'brightrun.restartLanguageServer', run: () => restartServer(services) },
    { id: 'brightrun.showOutput', run: () => services.output.show(true) },
    { id: 'brightrun.openExampleDataset', run: () => openExample(services) },
    { id: 'brightrun.startLocalBackend', run: () => startLocal(services) },
  ];
}

type BackendChoice = 'auto' | 'local' | 'supabase';

async function selectBackend(
  services: Services,
  choice: unknown,
): Promise<BackendChoice | undefined> {
  const config = vscode.workspace.getConfiguration('brightrun');
  let picked: BackendChoice | undefined =
    choice === 'auto' || choice === 'local' || choice === 'supabase' ? choice : undefined;
  if (!picked) {
    const state = services.backend.state;
    const url = config.get<string>('supabase.url', '');
    const item = await vscode.window.showQuickPick(
      [
        {
          label: '$(server-environment) Local stack',
          description:
            state.kind === 'local' && state.configured ? 'running in this workspace' : 'not found',
          detail: 'Uses .brightrun/local.json written by "npx brightrun local up". No sign-in.',
          value: 'local' as const,
        },
        {
          label: '$(cloud) Supabase project',
          description: url || 'not configured',
          detail: 'A hosted BrightRun backend: set its URL and anon key, then sign in with email.',
          value: 'supabase' as const,
        },
        {
          label: '$(settings-gear) Automatic',
          description: 'default',
          detail: 'The local stack when this workspace has one, otherwise the Supabase project.',
          value: 'auto' as const,
        },
      ],
      { title: 'BrightRun backend', placeHolder: `Current: ${state.label}` },
    );
    picked = item?.value;
  }
  if (!picked) return undefined;
  const target = vscode.workspace.workspaceFolders
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await config.update('backend', picked, target);
  const state = await services.backend.update();
  services.notifier.reset();
  void services.refresher.poke();
  if (picked === 'supabase' && !state.signedIn && choice === undefined) {
    await vscode.commands.executeCommand('brightrun.signIn');
  } else if (picked === 'local' && !state.configured && choice === undefined) {
    const next = await vscode.window.showWarningMessage(
      state.problem ?? 'The local stack is not running.',
      'Start Local Stack',
    );
    if (next) await vscode.commands.executeCommand('brightrun.startLocalBackend');
  }
  return picked;
}

/** Asks for the Supabase project's URL and anon key when missing; false when dismissed. */
async function ensureSupabaseSettings(): Promise<boolean> {
  const config = vscode.workspace.getConfiguration('brightrun');
  if (config.get<string>('supabase.url', '') === '') {
    const url = await vscode.window.showInputBox({
      title: 'Supabase project URL',
      prompt: 'The project URL from Supabase → Project Settings → API',
      placeHolder: 'https://<project>.supabase.co',
      validateInput: (v) =>
        /^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'Enter an http(s) URL',
    });
    if (!url) return false;
    await config.update('supabase.url', url.trim(), vscode.ConfigurationTarget.Global);
  }
  if (config.get<string>('supabase.anonKey', '') === '') {
    const key = await vscode.window.showInputBox({
      title: 'Supabase anon key',
      prompt: 'The public "anon" key (never the service role key)',
      password: true,
      validateInput: (v) =>
        v.trim().split('.').length === 3 || v.trim().startsWith('sb_publishable_')
          ? undefined
          : 'Paste the anon (public) key',
    });
    if (!key) return false;
    await config.update('supabase.anonKey', key.trim(), vscode.ConfigurationTarget.Global);
  }
  return true;
}

/** The interactive Supabase sign-in (also the authentication provider's createSession). */
export async function interactiveSignIn(
  services: Pick<Services, 'backend'>,
): Promise<SignedInUser | undefined> {
  if (!(await ensureSupabaseSettings())) return undefined;
  await services.backend.update();
  const auth = services.backend.supabaseAuth();
  if (!auth) throw new Error('Set brightrun.supabase.url and brightrun.supabase.anonKey first.');
  const method = await vscode.window.showQuickPick(
    [
      { label: 'Email and password', value: 'password' as const },
      { label: 'Email me a one-time code', value: 'code' as const },
    ],
    { title: 'Sign in to BrightRun (Supabase)' },
  );
  if (!method) return undefined;
  const email = await vscode.window.showInputBox({
    title: 'Sign in: email',
    prompt: 'Your BrightRun account email',
    validateInput: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? undefined : 'Enter an email address'),
  });
  if (!email) return undefined;
  if (method.value === 'password') {
    const password = await vscode.window.showInputBox({
      title: 'Sign in: password',
      password: true,
      prompt: `Password for ${email}`,
    });
    if (!password) return undefined;
    return auth.signInWithPassword(email.trim(), password);
  }
  await auth.sendCode(email.trim());
  const code = await vscode.window.showInputBox({
    title: 'Sign in: one-time code',
    prompt: `Enter the code sent to ${email}`,
    validateInput: (v) =>
      /^\d{6,10}$/.test(v.trim()) ? undefined : 'Enter the digits from the email',
  });
  if (!code) return undefined;
  return auth.verifyCode(email.trim(), code.trim());
}

async function signIn(services: Services): Promise<SignedInUser | undefined> {
  const state = await services.backend.update();
  if (state.kind === 'local') {
    void vscode.window.showInformationMessage(
      'The local backend needs no sign-in: it uses the local stack\'s user. To use a Supabase project, run "BrightRun: Select Backend".',
    );
    return undefined;
  }
  const user = await services.signIn();
  if (user) {
    await services.backend.update();
    services.notifier.reset();
    void services.refresher.poke();
    void vscode.window.showInformationMessage(`Signed in to BrightRun as ${user.email}.`);
  }
  return user;
}

async function signOut(services: Services): Promise<boolean> {
  const auth = services.backend.supabaseAuth();
  const state = await services.backend.update();
  if (!auth || state.kind !== 'supabase') {
    void vscode.window.showInformationMessage(
      'There is no Supabase session to sign out of (the local backend has no sign-in).',
    );
    return false;
  }
  await auth.signOut();
  await services.backend.update();
  services.data.clear();
  void vscode.window.showInformationMessage('Signed out of BrightRun.');
  return true;
}

async function refresh(services: Services): Promise<void> {
  await services.backend.update();
  await services.refresher.poke();
}

function findNotification(services: Services, arg: unknown): Notification | undefined {
  const id = idFrom(arg);
  return services.data.snapshot.notifications.find((n) => n.id === id);
}

/** Opens what a notification is about (its first action) and marks it read. */
async function openNotification(services: Services, arg: unknown): Promise<void> {
  const n = findNotification(services, arg);
  if (!n) return;
  const [action] = notificationActions(n);
  await services.notifier.act(n, action?.command, action?.args);
}

async function markRead(services: Services, arg: unknown): Promise<void> {
  const id = idFrom(arg);
  if (!id) return;
  await services.api.markNotificationRead(id);
  await services.refresher.poke();
}

async function markAllRead(services: Services): Promise<number> {
  const { updated } = await services.api.markAllNotificationsRead();
  await services.refresher.poke();
  return updated;
}

/**
 * A quick pick of the notifications, unread first; the chosen one is opened (its first action)
 * and marked read. Returns the notification acted on (or 'all' for Mark All as Read).
 */
async function showNotifications(services: Services): Promise<Notification | 'all' | undefined> {
  await services.refresher.poke();
  const list = [...services.data.snapshot.notifications].sort(unreadFirst);
  if (list.length === 0) {
    void vscode.window.showInformationMessage('No BrightRun notifications.');
    return undefined;
  }
  const items: (vscode.QuickPickItem & { n?: Notification; all?: true })[] = list.map((n) => ({
    label: `${n.read ? '$(bell)' : '$(bell-dot)'} ${n.title}`,
    description: formatAge(n.created_at),
    detail: n.message,
    n,
  }));
  if (services.data.snapshot.unread > 0)
    items.push({ label: '$(check-all) Mark all as read', all: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: `BrightRun notifications (${services.data.snapshot.unread} unread)`,
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  if (picked.all) {
    await markAllRead(services);
    return 'all';
  }
  if (picked.n) await openNotification(services, picked.n.id);
  return picked.n;
}

async function restartServer(services: Services): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Restarting the BrightRun language server' },
    () => services.server.restart(),
  );
  if (services.server.state === 'running') {
    void vscode.window.setStatusBarMessage('BrightRun language server restarted', 3000);
  }
}

/** Copies the example dataset into the workspace (once) and opens it. */
async function openExample(services: Services): Promise<vscode.Uri> {
  const source = services.context.asAbsolutePath(join('examples', 'financial-coaching.jsonl'));
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  let uri = vscode.Uri.file(source);
  if (folder) {
    const copy = join(folder.uri.fsPath, 'financial-coaching.jsonl');
    if (!existsSync(copy)) copyFileSync(source, copy);
    uri = vscode.Uri.file(copy);
  }
  await vscode.window.showTextDocument(uri, { preview: false });
  return uri;
}

/**
 * Opens a terminal running `brightrun local up` where the extension will look for the stack:
 * the configured brightrun.local.folder, else the first workspace folder. When a local stack is
 * already running there, says so instead: a second `local up` would only fail on its ports.
 * Returns the terminal, or the running stack's URL.
 */
function startLocal(services: Services): vscode.Terminal | string {
  const running = services.backend.runningLocalStack();
  if (running) {
    void vscode.window.showInformationMessage(
      `The BrightRun local stack is already running at ${running.url} (${running.file}).`,
    );
    return running.url;
  }
  const configured = vscode.workspace
    .getConfiguration('brightrun')
    .get<string>('local.folder', '')
    .trim();
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  const terminal = vscode.window.createTerminal({
    name: 'BrightRun local stack',
    cwd: configured !== '' ? configured : folder?.uri.fsPath,
  });
  terminal.show();
  terminal.sendText('npx brightrun local up');
  return terminal;
}
