// Deno unit tests of _shared/auth.ts (run by test/functions/api-deno-unit.test.ts): HS256 with
// the project's secret, and JWKS (asymmetric keys, as hosted projects on the new signing keys)
// when no secret is configured.
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, SignJWT } from 'npm:jose@6.2.18';
import { AuthError, requireServiceRole, requireUser } from '../auth.ts';

const USER = '5b0c3f4e-8a55-4a4e-9d55-0d7b3c1e2f10';
const SECRET = 'a-test-secret-that-is-long-enough-1234567890';
const now = () => Math.floor(Date.now() / 1000);

function request(token?: string): Request {
  return new Request('http://x/api/health', {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

async function hs256(payload: Record<string, unknown>, secret = SECRET): Promise<string> {
  return await new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

async function rejects(promise: Promise<unknown>, status: number, message: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AuthError, String(error));
    assert.equal(error.status, status);
    assert.match(error.message, message);
    return true;
  });
}

function withEnv(vars: Record<string, string | undefined>, fn: () => Promise<void>) {
  return async () => {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
    try {
      await fn();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) Deno.env.delete(k);
        else Deno.env.set(k, v);
      }
    }
  };
}

const user = { sub: USER, role: 'authenticated', aud: 'authenticated' };

Deno.test(
  'HS256: a user token verifies; wrong secret, expiry, API keys and missing claims do not',
  withEnv({ BRIGHTRUN_JWT_SECRET: SECRET }, async () => {
    const claims = await requireUser(request(await hs256({ ...user, exp: now() + 60 })));
    assert.equal(claims.sub, USER);
    await rejects(requireUser(request()), 401, /Missing Authorization/);
    await rejects(
      requireUser(request(await hs256({ ...user, exp: now() + 60 }, `${SECRET}x`))),
      401,
      /Invalid access token/,
    );
    await rejects(requireUser(request(await hs256({ ...user, exp: now() - 1 }))), 401, /expired/);
    await rejects(
      requireUser(request(await hs256({ role: 'service_role', exp: now() + 60 }))),
      401,
      /signed-in user/,
    );
    await rejects(
      requireUser(request(await hs256({ ...user, aud: 'other', exp: now() + 60 }))),
      401,
      /signed-in user/,
    );
    await rejects(
      requireUser(request(await hs256({ ...user, sub: 'not-a-uuid', exp: now() + 60 }))),
      401,
      /no user id/,
    );
  }),
);

Deno.test(
  'service role: the exact key or a service_role JWT; a user token is a 403',
  withEnv(
    { BRIGHTRUN_JWT_SECRET: SECRET, SUPABASE_SERVICE_ROLE_KEY: 'sb_secret_opaque' },
    async () => {
      await requireServiceRole(request('sb_secret_opaque'));
      await requireServiceRole(request(await hs256({ role: 'service_role', exp: now() + 60 })));
      await rejects(requireServiceRole(request()), 401, /service role key/);
      await rejects(requireServiceRole(request('sb_secret_other')), 401, /Invalid/);
      await rejects(
        requireServiceRole(request(await hs256({ ...user, exp: now() + 60 }))),
        403,
        /only the service role key/,
      );
    },
  ),
);

Deno.test('JWKS: without a secret, tokens verify against the project JWKS', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
  let fetched = 0;
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, (req) => {
    if (new URL(req.url).pathname === '/auth/v1/.well-known/jwks.json') {
      fetched++;
      return Response.json({ keys: [jwk] });
    }
    return new Response('not found', { status: 404 });
  });
  try {
    await withEnv(
      { BRIGHTRUN_JWT_SECRET: undefined, SUPABASE_URL: `http://127.0.0.1:${server.addr.port}` },
      async () => {
        const es256 = (payload: Record<string, unknown>, key = privateKey) =>
          new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'key-1' }).sign(key);
        const claims = await requireUser(request(await es256({ ...user, exp: now() + 60 })));
        assert.equal(claims.sub, USER);
        assert.ok(fetched >= 1);
        const other = await generateKeyPair('ES256');
        await rejects(
          requireUser(request(await es256({ ...user, exp: now() + 60 }, other.privateKey))),
          401,
          /Invalid access token/,
        );
        // An HS256 token cannot pass: there is no shared secret to check it with.
        await rejects(
          requireUser(request(await hs256({ ...user, exp: now() + 60 }))),
          401,
          /Invalid access token/,
        );
      },
    )();
  } finally {
    await server.shutdown();
  }
});
