// The local stack's keys: HS256 JWTs signed with its own secret, shaped like a Supabase
// project's (anon key, service role key, user access tokens), so the functions verify them
// with the same code path as hosted tokens signed with a project's legacy JWT secret.
import { createHmac, randomBytes } from 'node:crypto';

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

export function signHs256(payload: Record<string, unknown>, secret: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(payload));
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

/** A new secret: 48 random bytes, as text (Supabase secrets are at least 32 characters). */
export function newJwtSecret(): string {
  return randomBytes(48).toString('base64url');
}

const TEN_YEARS = 10 * 365 * 24 * 3600;
const now = () => Math.floor(Date.now() / 1000);

/** Long-lived API keys, as Supabase issues them (`iss: supabase`, ten years). */
export function apiKey(role: 'anon' | 'service_role', secret: string): string {
  return signHs256(
    { iss: 'supabase', ref: 'local', role, iat: now(), exp: now() + TEN_YEARS },
    secret,
  );
}

/**
 * A signed-in user's access token. Local users have no password sign-in (no GoTrue here), so
 * the token is long-lived (one year); `local user add` prints a fresh one whenever asked.
 */
export function userToken(
  userId: string,
  email: string,
  secret: string,
  ttlSeconds = 365 * 24 * 3600,
): string {
  return signHs256(
    {
      iss: 'brightrun-local',
      sub: userId,
      aud: 'authenticated',
      role: 'authenticated',
      email,
      iat: now(),
      exp: now() + ttlSeconds,
    },
    secret,
  );
}
