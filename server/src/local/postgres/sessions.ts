// Runs SQL the way the API and PostgREST do: one transaction with `SET LOCAL ROLE` and the JWT
// claims in `request.jwt.claims`, so auth.uid() and row level security see the caller.
import { randomUUID } from 'node:crypto';
import type { Sql, TransactionSql } from 'postgres';

export type Tx = TransactionSql;

async function asRole<T>(
  sql: Sql,
  role: 'anon' | 'authenticated' | 'service_role',
  claims: Record<string, unknown>,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const result = await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    // The role name cannot be a bind parameter; it is one of three literals above.
    await tx.unsafe(`set local role ${role}`);
    return fn(tx);
  });
  return result as T;
}

/** As a signed-in user (role `authenticated`, `sub` = the user's id). */
export function asUser<T>(sql: Sql, userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return asRole(
    sql,
    'authenticated',
    { sub: userId, role: 'authenticated', aud: 'authenticated' },
    fn,
  );
}

/** As a caller with only the anon key. */
export function asAnon<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return asRole(sql, 'anon', { role: 'anon' }, fn);
}

/** As the background functions (service role key; bypasses RLS). */
export function asServiceRole<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return asRole(sql, 'service_role', { role: 'service_role' }, fn);
}

/** Creates a user in auth.users (what GoTrue does on sign-up) and returns its id. */
export async function createUser(sql: Sql, email?: string): Promise<string> {
  const id = randomUUID();
  await sql`
    insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
    values (${id}, 'authenticated', 'authenticated', ${email ?? `${id}@example.test`},
            '{}'::jsonb, '{}'::jsonb)`;
  return id;
}
