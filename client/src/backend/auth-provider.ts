// BrightRun's Supabase sign-in as a VS Code authentication provider, so the session shows in the
// Accounts menu and other code can ask `vscode.authentication.getSession('brightrun', [])`.
import * as vscode from 'vscode';
import type { SignedInUser, SupabaseAuth } from './supabase-auth.ts';

export const AUTH_PROVIDER_ID = 'brightrun';
export const AUTH_PROVIDER_LABEL = 'BrightRun (Supabase)';

export class BrightRunAuthProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly changes =
    new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changes.event;
  private last: vscode.AuthenticationSession | undefined;

  constructor(
    private readonly auth: () => SupabaseAuth | undefined,
    /** Runs the interactive sign-in (input boxes); resolves with the user or undefined. */
    private readonly interactiveSignIn: () => Promise<SignedInUser | undefined>,
  ) {}

  async getSessions(): Promise<vscode.AuthenticationSession[]> {
    const user = await this.auth()?.currentUser();
    const session = user ? toSession(user) : undefined;
    this.last = session;
    return session ? [session] : [];
  }

  async createSession(): Promise<vscode.AuthenticationSession> {
    const user = await this.interactiveSignIn();
    if (!user) throw new Error('Sign-in was cancelled.');
    return toSession(user);
  }

  async removeSession(): Promise<void> {
    await this.auth()?.signOut();
  }

  /** Called when the Supabase session changes (sign-in, refresh, sign-out). */
  notify(user: SignedInUser | undefined): void {
    const next = user ? toSession(user) : undefined;
    const previous = this.last;
    this.last = next;
    if (previous && !next) this.changes.fire({ added: [], removed: [previous], changed: [] });
    else if (!previous && next) this.changes.fire({ added: [next], removed: [], changed: [] });
    else if (previous && next) this.changes.fire({ added: [], removed: [], changed: [next] });
  }

  dispose(): void {
    this.changes.dispose();
  }
}

function toSession(user: SignedInUser): vscode.AuthenticationSession {
  return {
    id: user.id,
    accessToken: user.accessToken,
    account: { id: user.id, label: user.email },
    scopes: [],
  };
}
