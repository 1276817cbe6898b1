// Which backend the extension talks to and how to get a token for it. Local: the local stack's
// `.brightrun/local.json`, no password. Supabase: a hosted project's URL and anon key from the
// settings and a signed-in session. The state is mirrored into context keys that the
// contributions' `when` and `enablement` clauses read.
import * as vscode from 'vscode';
import type { ApiAccess } from '../api/api-client.ts';
import { BrightRunError } from '../api/api-error.ts';
import { LOCAL_HINT, SUPABASE_HINT } from './auth-hints.ts';
import {
  findLocalConfig,
  localConfigCandidates,
  localStackAlive,
  readLocalStack,
  type LocalStack,
} from './local-config.ts';
import { SupabaseAuth, type SignedInUser } from './supabase-auth.ts';

export type BackendKind = 'local' | 'supabase';
export type BackendSetting = 'auto' | BackendKind;

export interface BackendState {
  kind: BackendKind | undefined;
  /** The backend is set up (a local.json found, or URL + anon key given). */
  configured: boolean;
  /** A token is available (always for local; after sign-in for Supabase). */
  signedIn: boolean;
  /** Short description for the UI, e.g. "Local (dev@brightrun.local)". */
  label: string;
  /** What the user must do next, when not ready. */
  problem: string | undefined;
}

const NO_BACKEND =
  'No BrightRun backend is configured. Start the local stack with "npx brightrun local up" in this workspace, or set brightrun.supabase.url and brightrun.supabase.anonKey and run "BrightRun: Sign In". "BrightRun: Select Backend" walks you through it.';

export class BackendManager implements vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<BackendState>();
  readonly onDidChange = this.changes.event;
  private readonly disposables: vscode.Disposable[] = [];
  private supabase: SupabaseAuth | undefined;
  private supabaseListener: { dispose(): void } | undefined;
  private signedInUser: SignedInUser | undefined;
  private stateValue: BackendState = {
    kind: undefined,
    configured: false,
    signedIn: false,
    label: 'none',
    problem: NO_BACKEND,
  };

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly onSupabaseSession: (user: SignedInUser | undefined) => void = () => undefined,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/.brightrun/local.json');
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => void this.update()),
      watcher.onDidChange(() => void this.update()),
      watcher.onDidDelete(() => void this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (
          e.affectsConfiguration('brightrun.backend') ||
          e.affectsConfiguration('brightrun.local') ||
          e.affectsConfiguration('brightrun.supabase')
        ) {
          void this.update();
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.update()),
    );
  }

  get state(): BackendState {
    return this.stateValue;
  }

  /** The Supabase auth of the configured project, when Supabase settings are present. */
  supabaseAuth(): SupabaseAuth | undefined {
    return this.supabase;
  }

  /** Re-reads settings and files; fires onDidChange and sets the context keys. */
  async update(): Promise<BackendState> {
    const config = vscode.workspace.getConfiguration('brightrun');
    const setting = config.get<BackendSetting>('backend', 'auto');
    const supabaseSettings = {
      url: config.get<string>('supabase.url', '').trim().replace(/\/+$/, ''),
      anonKey: config.get<string>('supabase.anonKey', '').trim(),
    };
    this.syncSupabase(supabaseSettings);
    const localFile = this.findLocal();
    let kind: BackendKind | undefined;
    if (setting === 'local' || setting === 'supabase') kind = setting;
    else if (localFile) kind = 'local';
    else if (this.supabase) kind = 'supabase';

    let state: BackendState;
    if (kind === 'local') {
      state = this.localState(localFile);
    } else if (kind === 'supabase') {
      if (!this.supabase) {
        state = {
          kind,
          configured: false,
          signedIn: false,
          label: 'Supabase (not configured)',
          problem:
            'Set brightrun.supabase.url and brightrun.supabase.anonKey (Settings → BrightRun), then run "BrightRun: Sign In".',
        };
      } else {
        this.signedInUser = await this.supabase.currentUser();
        state = {
          kind,
          configured: true,
          signedIn: this.signedInUser !== undefined,
          label: `Supabase${this.signedInUser ? ` (${this.signedInUser.email})` : ' (signed out)'}`,
          problem: this.signedInUser ? undefined : 'You are signed out: run "BrightRun: Sign In".',
        };
      }
    } else {
      state = {
        kind: undefined,
        configured: false,
        signedIn: false,
        label: 'none',
        problem: NO_BACKEND,
      };
    }
    const changed = JSON.stringify(state) !== JSON.stringify(this.stateValue);
    this.stateValue = state;
    await Promise.all([
      vscode.commands.executeCommand('setContext', 'brightrun.backendKind', state.kind ?? 'none'),
      vscode.commands.executeCommand('setContext', 'brightrun.backendConfigured', state.configured),
      vscode.commands.executeCommand('setContext', 'brightrun.signedIn', state.signedIn),
      vscode.commands.executeCommand(
        'setContext',
        'brightrun.backendReady',
        state.configured && state.signedIn,
      ),
    ]);
    if (changed) this.changes.fire(state);
    return state;
  }

  /** Access for the API client; throws a BrightRunError saying what to configure. */
  async access(): Promise<ApiAccess> {
    const state = this.stateValue.kind === undefined ? await this.update() : this.stateValue;
    if (state.kind === 'local') {
      const file = this.findLocal();
      if (!file) throw new BrightRunError('not-configured', state.problem ?? NO_BACKEND);
      const stack = readLocalStack(file);
      if (!localStackAlive(stack)) {
        throw new BrightRunError(
          'unreachable',
          `The local stack recorded in ${stack.file} is not running (process ${stack.pid} has exited). Start it with "npx brightrun local up".`,
        );
      }
      return { apiUrl: stack.apiUrl, token: stack.userToken, hint: LOCAL_HINT };
    }
    if (state.kind === 'supabase' && this.supabase) {
      const user = await this.supabase.currentUser();
      if (!user) {
        throw new BrightRunError(
          'not-signed-in',
          'You are not signed in to BrightRun: run "BrightRun: Sign In".',
        );
      }
      return {
        apiUrl: `${this.supabase.settings.url}/functions/v1/api`,
        token: user.accessToken,
        hint: SUPABASE_HINT,
      };
    }
    throw new BrightRunError('not-configured', state.problem ?? NO_BACKEND);
  }

  /** After a 401: refresh the Supabase session; the local stack's token cannot be refreshed. */
  async refresh(): Promise<boolean> {
    if (this.stateValue.kind !== 'supabase' || !this.supabase) return false;
    return this.supabase.refresh();
  }

  private localState(file: string | undefined): BackendState {
    if (!file) {
      return {
        kind: 'local',
        configured: false,
        signedIn: false,
        label: 'Local (not running)',
        problem:
          'The local stack is not running in this workspace: start it with "npx brightrun local up" (or point brightrun.local.folder at the folder holding .brightrun/local.json).',
      };
    }
    let stack: LocalStack;
    try {
      stack = readLocalStack(file);
    } catch (error) {
      return {
        kind: 'local',
        configured: false,
        signedIn: false,
        label: 'Local (unreadable)',
        problem: error instanceof Error ? error.message : String(error),
      };
    }
    return {
      kind: 'local',
      configured: true,
      signedIn: true,
      label: `Local${stack.userEmail ? ` (${stack.userEmail})` : ''}`,
      problem: undefined,
    };
  }

  private findLocal(): string | undefined {
    const folder = vscode.workspace.getConfiguration('brightrun').get<string>('local.folder', '');
    // Folder URIs are `file` URIs here also in code-server and other remote windows: the remote
    // extension host maps `vscode-remote` URIs to `file` ones (test/extension/suite/
    // commands.host.ts checks it).
    const folders = (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file')
      .map((f) => f.uri.fsPath);
    return findLocalConfig(localConfigCandidates(folder, folders));
  }

  /** The local stack recorded where this workspace looks, when its process is alive. */
  runningLocalStack(): LocalStack | undefined {
    const file = this.findLocal();
    if (!file) return undefined;
    try {
      const stack = readLocalStack(file);
      return localStackAlive(stack) ? stack : undefined;
    } catch {
      return undefined;
    }
  }

  private syncSupabase(settings: { url: string; anonKey: string }): void {
    const current = this.supabase?.settings;
    if (current && current.url === settings.url && current.anonKey === settings.anonKey) return;
    this.supabaseListener?.dispose();
    this.supabase?.dispose();
    this.supabase = undefined;
    if (settings.url === '' || settings.anonKey === '') return;
    try {
      this.supabase = new SupabaseAuth(settings, this.secrets);
    } catch {
      // An invalid URL: the state's problem says to fix the settings.
      return;
    }
    this.supabaseListener = this.supabase.onDidChange((user) => {
      this.signedInUser = user;
      this.onSupabaseSession(user);
      void this.update();
    });
  }

  dispose(): void {
    this.supabaseListener?.dispose();
    this.supabase?.dispose();
    this.changes.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
