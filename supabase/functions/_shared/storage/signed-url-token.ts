// Tokens of signed Storage URLs, shaped like Supabase Storage's: an HS256 JWT (signed with
// BRIGHTRUN_JWT_SECRET) whose payload names the object as `<bucket>/<path>` and expires.
// The local file store signs them; the local HTTP server that serves the URLs verifies them.
//
//   upload    PUT|POST ${SUPABASE_URL}/storage/v1/object/upload/sign/<bucket>/<path>?token=<jwt>
//   download  GET      ${SUPABASE_URL}/storage/v1/object/sign/<bucket>/<path>?token=<jwt>
import { errors as joseErrors, jwtVerify, SignJWT } from 'npm:jose@6.2.18';
import { checkObjectPath } from './object-path.ts';

export interface StorageTokenClaims {
  /** `<bucket>/<path>`. */
  url: string;
  iat: number;
  exp: number;
  /** Uploads only: whether an existing object may be replaced. */
  upsert?: boolean;
}

export type SignedUrlKind = 'upload' | 'download';

export class StorageTokenError extends Error {
  override name = 'StorageTokenError';
  constructor(
    /** `expired`, `invalid` (bad signature or shape) or `mismatch` (token for another object). */
    readonly reason: 'expired' | 'invalid' | 'mismatch',
    message: string,
  ) {
    super(message);
  }
}

const encoder = new TextEncoder();

function key(secret: string): Uint8Array {
  if (secret.length < 16) throw new Error('The storage signing secret is too short');
  return encoder.encode(secret);
}

/** Encodes each segment of an object path for a URL (slashes stay). */
export function encodeObjectPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export async function signStorageToken(
  secret: string,
  bucket: string,
  path: string,
  expiresInSeconds: number,
  options: { upsert?: boolean } = {},
): Promise<string> {
  checkObjectPath(bucket, path);
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1) {
    throw new Error('expiresInSeconds must be a positive integer');
  }
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { url: `${bucket}/${path}` };
  if (options.upsert !== undefined) payload.upsert = options.upsert;
  return await new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(key(secret));
}

/**
 * Verifies a token for the object `<bucket>/<path>` (the path as it appears in the URL, already
 * percent-decoded). Throws StorageTokenError.
 */
export async function verifyStorageToken(
  secret: string,
  token: string,
  bucket: string,
  path: string,
): Promise<StorageTokenClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new StorageTokenError('expired', 'The signed URL has expired');
    }
    throw new StorageTokenError('invalid', 'The signed URL token is invalid');
  }
  if (typeof payload.url !== 'string' || typeof payload.exp !== 'number') {
    throw new StorageTokenError('invalid', 'The signed URL token is invalid');
  }
  if (payload.url !== `${bucket}/${path}`) {
    throw new StorageTokenError('mismatch', 'The signed URL token is for another object');
  }
  return {
    url: payload.url,
    iat: typeof payload.iat === 'number' ? payload.iat : 0,
    exp: payload.exp,
    ...(typeof payload.upsert === 'boolean' ? { upsert: payload.upsert } : {}),
  };
}

export function signedUrl(
  baseUrl: string,
  kind: SignedUrlKind,
  bucket: string,
  path: string,
  token: string,
): string {
  const route = kind === 'upload' ? 'object/upload/sign' : 'object/sign';
  const base = baseUrl.replace(/\/+$/, '');
  return `${base}/storage/v1/${route}/${encodeURIComponent(bucket)}/${encodeObjectPath(path)}?token=${encodeURIComponent(token)}`;
}

/**
 * Parses the path of a signed URL request (`/storage/v1/object/sign/<bucket>/<path>` or
 * `/storage/v1/object/upload/sign/<bucket>/<path>`), percent-decoding each segment. Undefined for
 * any other path or an unsafe object path.
 */
export function parseSignedUrlPath(
  pathname: string,
): { kind: SignedUrlKind; bucket: string; path: string } | undefined {
  const match = /^\/storage\/v1\/object\/(upload\/sign|sign)\/([^/]+)\/(.+)$/.exec(pathname);
  if (!match) return undefined;
  try {
    const bucket = decodeURIComponent(match[2]);
    const path = match[3].split('/').map(decodeURIComponent).join('/');
    checkObjectPath(bucket, path);
    return { kind: match[1] === 'sign' ? 'download' : 'upload', bucket, path };
  } catch {
    return undefined;
  }
}
