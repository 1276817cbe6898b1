// Deno unit tests of _shared/worker-token.ts: a worker's token names one job attempt, expires,
// and is neither made nor accepted with the keys of user tokens.
import assert from 'node:assert/strict';
import { SignJWT } from 'npm:jose@6.2.18';
import { AuthError } from '../auth.ts';
import { signWorkerToken, verifyWorkerToken } from '../worker-token.ts';

const JOB = '0f1e2d3c-4b5a-4697-8877-665544332211';
const SERVICE_KEY = 'a-service-role-key-for-the-worker-token-tests';
const JWT_SECRET = 'the-project-jwt-secret-used-for-user-tokens-000';
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

async function rejects(promise: Promise<unknown>, message: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AuthError, String(error));
    assert.equal(error.status, 401);
    assert.match(error.message, message);
    return true;
  });
}

function withServiceKey(key: string | undefined, fn: () => Promise<void>) {
  return async () => {
    const saved = Deno.env.get('SUPABASE_SERVICE_ROLE_KEY');
    if (key === undefined) Deno.env.delete('SUPABASE_SERVICE_ROLE_KEY');
    else Deno.env.set('SUPABASE_SERVICE_ROLE_KEY', key);
    try {
      await fn();
    } finally {
      if (saved === undefined) Deno.env.delete('SUPABASE_SERVICE_ROLE_KEY');
      else Deno.env.set('SUPABASE_SERVICE_ROLE_KEY', saved);
    }
  };
}

Deno.test(
  'a worker token round-trips its job and attempt',
  withServiceKey(SERVICE_KEY, async () => {
    const token = await signWorkerToken({ jobId: JOB, attempt: 2 }, inAnHour());
    assert.deepEqual(await verifyWorkerToken(token), { jobId: JOB, attempt: 2 });
  }),
);

Deno.test(
  'an expired worker token is refused and says so',
  withServiceKey(SERVICE_KEY, async () => {
    const token = await signWorkerToken({ jobId: JOB, attempt: 1 }, Date.now() / 1000 - 5);
    await rejects(verifyWorkerToken(token), /expired/);
  }),
);

Deno.test(
  'a token signed before the service role key changed is refused',
  withServiceKey(SERVICE_KEY, async () => {
    const token = await signWorkerToken({ jobId: JOB, attempt: 1 }, inAnHour());
    Deno.env.set('SUPABASE_SERVICE_ROLE_KEY', `${SERVICE_KEY}-rotated`);
    await rejects(verifyWorkerToken(token), /Invalid worker token/);
  }),
);

Deno.test(
  'a tampered worker token is refused',
  withServiceKey(SERVICE_KEY, async () => {
    const token = await signWorkerToken({ jobId: JOB, attempt: 1 }, inAnHour());
    const [head, body, signature] = token.split('.');
    const claims = JSON.parse(new TextDecoder().decode(decodeBase64Url(body)));
    const forged = encodeBase64Url(JSON.stringify({ ...claims, attempt: 3 }));
    await rejects(verifyWorkerToken(`${head}.${forged}.${signature}`), /Invalid worker token/);
  }),
);

Deno.test(
  "a user's access token, even with a job id, is not a worker token",
  withServiceKey(SERVICE_KEY, async () => {
    const userToken = await new SignJWT({ role: 'authenticated', job_id: JOB, attempt: 1 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience('authenticated')
      .setExpirationTime(inAnHour())
      .sign(new TextEncoder().encode(JWT_SECRET));
    await rejects(verifyWorkerToken(userToken), /Invalid worker token/);
    // Signed with the service role key itself (not the derived key) and the right audience.
    const raw = await new SignJWT({ job_id: JOB, attempt: 1 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience('brightrun-worker-upload-urls')
      .setExpirationTime(inAnHour())
      .sign(new TextEncoder().encode(SERVICE_KEY));
    await rejects(verifyWorkerToken(raw), /Invalid worker token/);
  }),
);

function decodeBase64Url(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) =>
    c.charCodeAt(0),
  );
}

function encodeBase64Url(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
