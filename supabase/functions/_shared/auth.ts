// Verifies the bearer token of a request. User routes need a user's access token (role
// `authenticated` with a `sub`); background functions need the service role key. Tokens are
// HS256 JWTs signed with BRIGHTRUN_JWT_SECRET (the local stack, and hosted projects on the
// legacy JWT secret), or — when no secret is configured — verified with the project's JWKS.
import {
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'npm:jose@6.2.18';
import type { UserClaims } from './db.ts';
import { optionalEnv, supabaseUrl } from './env.ts';

export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const encoder = new TextEncoder();

let jwks: { url: string; getKey: JWTVerifyGetKey } | undefined;

function verificationKey(): Uint8Array | JWTVerifyGetKey {
  const secret = optionalEnv('BRIGHTRUN_JWT_SECRET');
  if (secret !== undefined) return encoder.encode(secret);
  const url = `${supabaseUrl()}/auth/v1/.well-known/jwks.json`;
  if (jwks?.url !== url) jwks = { url, getKey: createRemoteJWKSet(new URL(url)) };
  return jwks.getKey;
}

/** The bearer token of the request, or undefined. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Verifies signature and expiry; throws AuthError(401) with a message a user can act on. */
export async function verifyJwt(token: string): Promise<JWTPayload> {
  const key = verificationKey();
  try {
    const { payload } = await (key instanceof Uint8Array
      ? jwtVerify(token, key, { algorithms: ['HS256'] })
      : jwtVerify(token, key, { algorithms: ['RS256', 'ES256', 'EdDSA', 'HS256'] }));
    return payload;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new AuthError(401, 'The access token has expired: sign in again');
    }
    if (error instanceof joseErrors.JOSEError) {
      throw new AuthError(401, 'Invalid access token: sign in again');
    }
    throw error;
  }
}

/** The caller of a user route: a signed-in user's verified claims. */
export async function requireUser(req: Request): Promise<UserClaims> {
  const token = bearerToken(req);
  if (token === undefined) {
    throw new AuthError(401, 'Missing Authorization header: send "Bearer <access token>"');
  }
  const claims = await verifyJwt(token);
  const aud = claims.aud;
  const audienceOk =
    aud === undefined ||
    aud === 'authenticated' ||
    (Array.isArray(aud) && aud.includes('authenticated'));
  if (claims.role !== 'authenticated' || !audienceOk) {
    throw new AuthError(401, "This route needs a signed-in user's access token, not an API key");
  }
  if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) {
    throw new AuthError(401, 'Invalid access token: no user id (sub)');
  }
  if (typeof claims.exp !== 'number') {
    throw new AuthError(401, 'Invalid access token: no expiry (exp)');
  }
  return claims as UserClaims;
}

/** Constant-time string comparison (both values are keys; lengths are not secret). */
function sameKey(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Background functions accept only the service role: the exact SUPABASE_SERVICE_ROLE_KEY (also
 * covers hosted `sb_secret_…` keys, which are not JWTs) or a valid JWT with role service_role.
 * 401 without a usable token, 403 with a valid token of another role.
 */
export async function requireServiceRole(req: Request): Promise<void> {
  const token = bearerToken(req);
  if (token === undefined) {
    throw new AuthError(401, 'Missing Authorization header: send "Bearer <service role key>"');
  }
  const serviceKey = optionalEnv('SUPABASE_SERVICE_ROLE_KEY');
  if (serviceKey !== undefined && sameKey(token, serviceKey)) return;
  const claims = await verifyJwt(token);
  if (claims.role !== 'service_role') {
    throw new AuthError(403, 'This function accepts only the service role key');
  }
}
