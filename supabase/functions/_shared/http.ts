// HTTP plumbing shared by every function: JSON envelopes, CORS, the function's own path, body
// parsing, and the one place where an error becomes a status code and a message a user can act
// on. No stack trace or SQL text ever reaches a response: unexpected errors answer 500 with the
// request id, and the log line (log.ts) carries the detail.
import type { ValidationIssue } from '../../../common/api/types.ts';
import { VALIDATION_ERROR } from '../../../common/api/types.ts';
import { AuthError } from './auth.ts';
import { isDatabaseError } from './db.ts';
import { ConfigError } from './env.ts';

export type { ValidationIssue };

/** Webviews (vscode-webview://…) and the extension send bearer tokens, never cookies. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers':
    'authorization, x-client-info, apikey, content-type, x-request-id',
  'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
  'access-control-expose-headers': 'x-request-id',
  'access-control-max-age': '86400',
};

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** 400 `{error: 'Validation error', details: [{field, message}]}`. */
export class ValidationError extends HttpError {
  override name = 'ValidationError';
  constructor(readonly issues: ValidationIssue[]) {
    super(400, VALIDATION_ERROR, issues);
  }
}

export function json(status: number, body: unknown, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  for (const [name, value] of Object.entries(CORS_HEADERS)) h.set(name, value);
  h.set('content-type', 'application/json; charset=utf-8');
  h.set('cache-control', 'no-store');
  return new Response(JSON.stringify(body), { status, headers: h });
}

export function ok<T>(data: T, status = 200): Response {
  return json(status, { success: true, data });
}

export function errorBody(error: string, details?: unknown): { error: string; details?: unknown } {
  return details === undefined ? { error } : { error, details };
}

export function preflight(): Response {
  return new Response(null, { status: 204, headers: CORS_HEADERS });
}

/**
 * The path below the function's name: Supabase's Edge Runtime passes `/<name>/…`, the local
 * gateway and direct callers `/functions/v1/<name>/…`. Returns `/` for the function's root and
 * undefined for a path that does not belong to the function.
 */
export function functionPath(url: URL, name: string): string | undefined {
  for (const prefix of [`/functions/v1/${name}`, `/${name}`]) {
    if (url.pathname === prefix) return '/';
    if (url.pathname.startsWith(`${prefix}/`)) {
      const rest = url.pathname.slice(prefix.length).replace(/\/+$/, '');
      return rest === '' ? '/' : rest;
    }
  }
  return undefined;
}

const MAX_JSON_BODY = 1_000_000;

/** The JSON body, or undefined when there is none. Bad JSON is a 400. */
export async function readJson(req: Request): Promise<unknown> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > MAX_JSON_BODY) {
    await req.body?.cancel();
    throw new HttpError(413, `The request body is larger than ${MAX_JSON_BODY} bytes`);
  }
  const text = await req.text();
  if (text.length > MAX_JSON_BODY) {
    throw new HttpError(413, `The request body is larger than ${MAX_JSON_BODY} bytes`);
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError([{ field: '', message: 'The request body must be valid JSON' }]);
  }
}

export interface MappedError {
  status: number;
  body: { error: string; details?: unknown };
  /** Whether the failure is ours (logged with its stack). */
  internal: boolean;
}

/**
 * Maps any thrown value to a status and a body. SQLSTATEs of the write functions
 * (supabase/migrations/…_write_functions.sql): 28000 → 401, 22023 → 400 with the field from
 * DETAIL, P0002 → 404, 55000 → 409.
 */
export function mapError(error: unknown, requestId: string): MappedError {
  if (error instanceof HttpError) {
    return { status: error.status, body: errorBody(error.message, error.details), internal: false };
  }
  if (error instanceof AuthError) {
    return { status: error.status, body: errorBody(error.message), internal: false };
  }
  if (isDatabaseError(error)) {
    const message = error.message;
    const field = error.detail ?? '';
    switch (error.code) {
      case '28000':
        return { status: 401, body: errorBody(message), internal: false };
      case '22023':
        // A readiness problem is not a typo in a field: say it as the error itself.
        if (/^Dataset not ready/.test(message)) {
          return {
            status: 400,
            body: errorBody(message, [{ field: field || 'dataset_id', message }]),
            internal: false,
          };
        }
        return {
          status: 400,
          body: errorBody(VALIDATION_ERROR, [{ field, message }]),
          internal: false,
        };
      case 'P0002':
        return { status: 404, body: errorBody(message), internal: false };
      case '55000':
        return { status: 409, body: errorBody(message), internal: false };
      case '23505':
        return {
          status: 409,
          body: errorBody('Conflict: the row already exists'),
          internal: false,
        };
      case '23502':
      case '23514':
      case '22001':
      case '22003':
      case '22P02':
        // A value got past our own checks but not the table's: still the caller's input.
        return {
          status: 400,
          body: errorBody(VALIDATION_ERROR, [
            { field: error.constraint_name ?? '', message: 'A value is out of the allowed range' },
          ]),
          internal: false,
        };
      case '42501':
        return { status: 403, body: errorBody(message), internal: false };
      case '57014':
      case '40001':
      case '40P01':
      case '53300':
        return {
          status: 503,
          body: errorBody('The database is busy: try again in a moment', { request_id: requestId }),
          internal: true,
        };
    }
    return {
      status: 500,
      body: errorBody('Internal error', { request_id: requestId }),
      internal: true,
    };
  }
  if (error instanceof ConfigError) {
    return {
      status: 500,
      body: errorBody(`Server misconfigured: ${error.message}`, { request_id: requestId }),
      internal: true,
    };
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(ECONN|ETIMEDOUT|CONNECT_TIMEOUT|CONNECTION_)/.test(code)) {
    return {
      status: 503,
      body: errorBody('The database is unreachable: try again in a moment', {
        request_id: requestId,
      }),
      internal: true,
    };
  }
  return {
    status: 500,
    body: errorBody('Internal error', { request_id: requestId }),
    internal: true,
  };
}
