// Sign-in and session handling of the Supabase backend. GoTrue (Supabase Auth) cannot run here
// (no Docker), so its HTTP API is played by a small in-process stand-in handed to supabase-js
// as its fetch; everything else — supabase-js's real auth client, the session storage in the
// secret store, refresh and sign-out — is the real code.
import assert from 'node:assert/strict';
import {
  SESSION_STORAGE_KEY,
  SupabaseAuth,
  type SecretStore,
} from '../../../client/src/backend/supabase-auth.ts';

const URL_BASE = 'https://project.supabase.example';
const USER = { id: '11111111-2222-4333-8444-555555555555', email: 'ada@example.com' };

/** VS Code's SecretStorage, in memory. */
class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(key));
  }
  store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.values.delete(key);
    return Promise.resolve();
  }
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function session(n: number, expiresIn = 3600) {
  const exp = Math.floor(Date.now() / 1000) + expiresIn;
  const access = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: USER.id, email: USER.email, role: 'authenticated', aud: 'authenticated', exp, n })}.sig`;
  return {
    access_token: access,
    token_type: 'bearer',
    expires_in: expiresIn,
    expires_at: exp,
    refresh_token: `refresh-${n}`,
    user: {
      id: USER.id,
      email: USER.email,
      aud: 'authenticated',
      role: 'authenticated',
      app_metadata: {},
      user_metadata: {},
      created_at: '2026-01-01T00:00:00Z',
    },
  };
}

/** The GoTrue routes supabase-js calls, recording each call. */
function goTrue(options: { down?: boolean } = {}) {
  const calls: { path: string; body: Record<string, unknown> }[] = [];
  let issued = 0;
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (options.down) throw new TypeError('fetch failed');
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body =
      typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    const path = `${url.pathname}${url.search}`;
    calls.push({ path, body });
    await Promise.resolve();
    if (path === '/auth/v1/token?grant_type=password') {
      if (body.password !== 'correct horse') {
        return json(400, {
          code: 400,
          error_code: 'invalid_credentials',
          msg: 'Invalid login credentials',
        });
      }
      return json(200, session(++issued));
    }
    if (path === '/auth/v1/token?grant_type=refresh_token') return json(200, session(++issued));
    if (path === '/auth/v1/otp') return json(200, {});
    if (path === '/auth/v1/verify') {
      return body.token === '123456'
        ? json(200, session(++issued))
        : json(403, {
            code: 403,
            error_code: 'otp_expired',
            msg: 'Token has expired or is invalid',
          });
    }
    if (path.startsWith('/auth/v1/logout')) return new Response(null, { status: 204 });
    return json(404, { msg: `no route ${path}` });
  };
  return { calls, fetchImpl: fetchImpl as typeof fetch };
}

describe('client: Supabase sign-in and session handling', () => {
  const auths: SupabaseAuth[] = [];
  const make = (secrets: SecretStore, fetchImpl: typeof fetch) => {
    const auth = new SupabaseAuth({ url: URL_BASE, anonKey: 'anon' }, secrets, fetchImpl);
    auths.push(auth);
    return auth;
  };
  afterEach(() => {
    for (const a of auths.splice(0)) a.dispose();
  });

  it('signs in with email and password and keeps the session only in the secret store', async () => {
    const secrets = new MemorySecrets();
    const server = goTrue();
    const auth = make(secrets, server.fetchImpl);
    const user = await auth.signInWithPassword(USER.email, 'correct horse');
    assert.equal(user.email, USER.email);
    assert.equal(user.id, USER.id);
    const keys = [...secrets.values.keys()];
    assert.deepEqual(keys, [`brightrun.supabase:${URL_BASE}:${SESSION_STORAGE_KEY}`]);
    assert.ok(secrets.values.get(keys[0])?.includes(user.accessToken));
    assert.equal((await auth.currentUser())?.accessToken, user.accessToken);
    // A new client over the same secret store (a window reload) finds the session.
    const reloaded = make(secrets, server.fetchImpl);
    assert.equal((await reloaded.currentUser())?.email, USER.email);
  });

  it('says so when the password is wrong', async () => {
    const auth = make(new MemorySecrets(), goTrue().fetchImpl);
    await assert.rejects(auth.signInWithPassword(USER.email, 'wrong'), /Wrong email or password/);
    assert.equal(await auth.currentUser(), undefined);
  });

  it('signs in with an emailed one-time code without creating accounts', async () => {
    const server = goTrue();
    const auth = make(new MemorySecrets(), server.fetchImpl);
    await auth.sendCode(USER.email);
    const otp = server.calls.find((c) => c.path === '/auth/v1/otp');
    assert.equal(otp?.body.email, USER.email);
    assert.equal(otp?.body.create_user, false);
    await assert.rejects(auth.verifyCode(USER.email, '000000'), /wrong or has expired/);
    const user = await auth.verifyCode(USER.email, '123456');
    assert.equal(user.email, USER.email);
  });

  it('refreshes an expired session before handing out its token', async () => {
    const secrets = new MemorySecrets();
    const server = goTrue();
    const expired = session(100, -60);
    await secrets.store(
      `brightrun.supabase:${URL_BASE}:${SESSION_STORAGE_KEY}`,
      JSON.stringify(expired),
    );
    const auth = make(secrets, server.fetchImpl);
    const user = await auth.currentUser();
    assert.ok(user);
    assert.notEqual(user.accessToken, expired.access_token);
    const refresh = server.calls.find((c) => c.path === '/auth/v1/token?grant_type=refresh_token');
    assert.equal(refresh?.body.refresh_token, 'refresh-100');
    const stored = JSON.parse(
      secrets.values.get(`brightrun.supabase:${URL_BASE}:${SESSION_STORAGE_KEY}`) ?? '{}',
    ) as { access_token?: string };
    assert.equal(stored.access_token, user.accessToken);
  });

  it('Sign Out clears the stored session, even when the server cannot be reached', async () => {
    const secrets = new MemorySecrets();
    const auth = make(secrets, goTrue().fetchImpl);
    await auth.signInWithPassword(USER.email, 'correct horse');
    const offline = make(secrets, goTrue({ down: true }).fetchImpl);
    const seen: unknown[] = [];
    offline.onDidChange((u) => seen.push(u));
    // supabase-js logs every network failure with console.error (the extension host's log);
    // keep it out of the test output, and check that it was that failure.
    const logged: unknown[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => logged.push(...args);
    try {
      await offline.signOut();
    } finally {
      console.error = consoleError;
    }
    assert.match(String(logged[0]), /fetch failed/);
    assert.equal(secrets.values.size, 0);
    assert.equal(await offline.currentUser(), undefined);
    assert.ok(seen.includes(undefined), 'listeners hear the sign-out');
  });
});
