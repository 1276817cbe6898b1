// Database access for the functions: one small pool on SUPABASE_DB_URL (a direct Postgres
// connection, provided to Edge Functions by Supabase and by the local stack), and the two ways
// a function may use it — as the calling user, so row level security applies, or as the
// service role for background work.
import postgres from 'npm:postgres@3.4.9';
import { numberSetting, requireEnv } from './env.ts';

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

/** The claims of a verified user JWT, as PostgREST hands them to Postgres. */
export interface UserClaims {
  sub: string;
  role: 'authenticated';
  email?: string;
  aud?: string | string[];
  exp?: number;
  [claim: string]: unknown;
}

let pool: Sql | undefined;

/** Numeric and bigint columns as JSON numbers: sizes, tokens and money all fit a double. */
const numberFromText = {
  to: 1700,
  from: [20, 1700],
  serialize: (value: unknown) => String(value),
  parse: (value: string) => Number(value),
};

/** The shared pool, created on first use. */
export function db(): Sql {
  if (pool) return pool;
  const url = requireEnv('SUPABASE_DB_URL');
  // Supavisor's transaction mode (port 6543) cannot keep prepared statements across requests.
  const pooled = /:6543(\/|$)/.test(url.replace(/\?.*$/, ''));
  pool = postgres(url, {
    max: numberSetting('BRIGHTRUN_DB_POOL_MAX', 4, 1, 100),
    idle_timeout: 30,
    connect_timeout: 10,
    prepare: !pooled,
    onnotice: () => {},
    types: { numberFromText },
    connection: { application_name: 'brightrun-functions' },
  });
  return pool;
}

/** Closes the pool (tests and graceful shutdown). */
export async function closeDb(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.end({ timeout: 2 });
}

/**
 * Runs `fn` in one transaction as the signed-in user: the JWT claims go to
 * `request.jwt.claims` (what auth.uid() reads) and the role becomes `authenticated`, exactly as
 * PostgREST does, so every policy and SECURITY DEFINER check sees the caller.
 */
export function withUser<T>(claims: UserClaims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inRole('authenticated', claims, fn);
}

/** Runs `fn` in one transaction as the service role (background work; bypasses RLS). */
export function withServiceRole<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inRole('service_role', { role: 'service_role' }, fn);
}

async function inRole<T>(
  role: 'authenticated' | 'service_role',
  claims: Record<string, unknown>,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const result = await db().begin(async (tx) => {
    // One round trip: set_config(…, true) is SET LOCAL; `role` is a bind parameter here only
    // because it is one of two literals above.
    await tx`
      select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
             set_config('role', ${role}, true),
             set_config('statement_timeout', ${role === 'authenticated' ? '15s' : '0'}, true)`;
    return fn(tx);
  });
  return result as T;
}

/** A Postgres error as postgres.js reports it (SQLSTATE in `code`). */
export interface DatabaseError extends Error {
  code: string;
  detail?: string;
  hint?: string;
  constraint_name?: string;
}

export function isDatabaseError(error: unknown): error is DatabaseError {
  // Connection failures carry codes too (ECONNREFUSED, CONNECTION_CLOSED): only errors the
  // server sent are PostgresError.
  return (
    error instanceof Error &&
    error.name === 'PostgresError' &&
    typeof (error as Partial<DatabaseError>).code === 'string'
  );
}
