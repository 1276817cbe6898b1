// Sign-in to a hosted Supabase project with @supabase/supabase-js auth: email + password or an
// emailed one-time code. The session lives only in the secret store handed in (VS Code's
// SecretStorage in the extension) and supabase-js refreshes it before it expires. Pure of
// `vscode`, so it can be exercised under Node.
import { createClient, type Session } from '@supabase/supabase-js';
import WebSocket from 'ws';

/** The slice of VS Code's SecretStorage this needs. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

export interface SupabaseSettings {
  url: string;
  anonKey: string;
}

export interface SignedInUser {
  id: string;
  email: string;
  accessToken: string;
  expiresAt: number | undefined;
}

const KEY_PREFIX = 'brightrun.supabase:';
/** supabase-js's storage key for the session (fixed, so Sign Out can always clear it). */
export const SESSION_STORAGE_KEY = 'brightrun-session';

/** supabase-js's storage interface over the secret store, namespaced per project URL. */
export function secretStorageAdapter(secrets: SecretStore, projectUrl: string) {
  const key = (name: string): string => `${KEY_PREFIX}${projectUrl}:${name}`;
  return {
    getItem: async (name: string): Promise<string | null> => (await secrets.get(key(name))) ?? null,
    setItem: async (name: string, value: string): Promise<void> => {
      await secrets.store(key(name), value);
    },
    removeItem: async (name: string): Promise<void> => {
      await secrets.delete(key(name));
    },
  };
}

export class SupabaseAuth {
  private readonly client: ReturnType<typeof createClient>;
  private readonly listeners = new Set<(user: SignedInUser | undefined) => void>();
  private readonly subscription: { unsubscribe(): void };

  private readonly storage: ReturnType<typeof secretStorageAdapter>;

  constructor(
    readonly settings: SupabaseSettings,
    secrets: SecretStore,
    /** For tests: the HTTP client supabase-js uses (default: the global fetch). */
    fetchImpl?: typeof fetch,
  ) {
    this.storage = secretStorageAdapter(secrets, settings.url);
    this.client = createClient(settings.url, settings.anonKey, {
      ...(fetchImpl ? { global: { fetch: fetchImpl } } : {}),
      auth: {
        storage: this.storage,
        storageKey: SESSION_STORAGE_KEY,
        persistSession: true,
        autoRefreshToken: true,
        detectSessionInUrl: false,
      },
      // On Node 20 supabase-js needs a WebSocket implementation or createClient throws.
      realtime: { transport: WebSocket as never },
    });
    const { data } = this.client.auth.onAuthStateChange((_event, session) => {
      const user = toUser(session);
      for (const listener of this.listeners) listener(user);
    });
    this.subscription = data.subscription;
  }

  onDidChange(listener: (user: SignedInUser | undefined) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async signInWithPassword(email: string, password: string): Promise<SignedInUser> {
    const { data, error } = await this.client.auth.signInWithPassword({ email, password });
    if (error) throw new Error(authMessage(error.message, 'password'));
    return required(toUser(data.session));
  }

  /** Emails a one-time code to an existing user. */
  async sendCode(email: string): Promise<void> {
    const { error } = await this.client.auth.signInWithOtp({
      email,
      options: { shouldCreateUser: false },
    });
    if (error) throw new Error(authMessage(error.message, 'code'));
  }

  async verifyCode(email: string, code: string): Promise<SignedInUser> {
    const { data, error } = await this.client.auth.verifyOtp({ email, token: code, type: 'email' });
    if (error) throw new Error(authMessage(error.message, 'code'));
    return required(toUser(data.session));
  }

  /** The stored session, refreshed first when it has expired; undefined when signed out. */
  async currentUser(): Promise<SignedInUser | undefined> {
    const { data, error } = await this.client.auth.getSession();
    if (error) return undefined;
    return toUser(data.session);
  }

  /** Forces a refresh (after a 401); true when a fresh token is now stored. */
  async refresh(): Promise<boolean> {
    const { data, error } = await this.client.auth.refreshSession();
    return !error && data.session !== null;
  }

  /** Signs out on the server when reachable; the stored session is cleared either way. */
  async signOut(): Promise<void> {
    const { error } = await this.client.auth.signOut({ scope: 'local' });
    if (error) {
      // supabase-js keeps the session when the server cannot be told; the user asked to sign
      // out of this editor, so forget it here regardless.
      for (const suffix of ['', '-user', '-code-verifier']) {
        await this.storage.removeItem(`${SESSION_STORAGE_KEY}${suffix}`);
      }
      const listeners = [...this.listeners];
      for (const listener of listeners) listener(undefined);
    }
  }

  dispose(): void {
    this.subscription.unsubscribe();
    void this.client.auth.stopAutoRefresh();
    this.listeners.clear();
  }
}

function toUser(session: Session | null): SignedInUser | undefined {
  if (!session) return undefined;
  return {
    id: session.user.id,
    email: session.user.email ?? session.user.id,
    accessToken: session.access_token,
    expiresAt: session.expires_at,
  };
}

function required(user: SignedInUser | undefined): SignedInUser {
  if (!user) throw new Error('Supabase returned no session. Try signing in again.');
  return user;
}

function authMessage(message: string, method: 'password' | 'code'): string {
  if (/invalid login credentials/i.test(message)) {
    return 'Wrong email or password. Try again, or sign in with an emailed code.';
  }
  if (/expired|invalid/i.test(message) && method === 'code') {
    return 'The code is wrong or has expired. Ask for a new code and try again.';
  }
  if (/not confirmed/i.test(message)) {
    return 'Confirm your email address first (see the email Supabase sent), then sign in.';
  }
  if (/fetch failed|network/i.test(message)) {
    return `Cannot reach Supabase (${message}). Check brightrun.supabase.url and your connection.`;
  }
  return `Sign-in failed: ${message}`;
}
