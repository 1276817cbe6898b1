// The SQL a BrightRun database is built from, in order: the local Supabase stand-ins, then
// every migration by its timestamped name (the order the Supabase CLI applies them).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { repoRoot } from '../repo-root.ts';

export const standinsPath = () => join(repoRoot(), 'supabase', 'local', 'supabase-standins.sql');
export const migrationsDir = () => join(repoRoot(), 'supabase', 'migrations');

export interface SqlFile {
  name: string;
  text: string;
}

export function migrationFiles(): SqlFile[] {
  const dir = migrationsDir();
  return readdirSync(dir)
    .filter((name) => /^\d{14}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

export function standinsFile(): SqlFile {
  return { name: 'supabase-standins.sql', text: readFileSync(standinsPath(), 'utf8') };
}

async function applyFile(sql: Sql, file: SqlFile, record?: string): Promise<void> {
  try {
    // Simple protocol: a file holds many statements (and DO blocks) and no parameters.
    await sql.begin(async (tx) => {
      await tx.unsafe(file.text).simple();
      if (record !== undefined) {
        await tx`
          insert into supabase_migrations.schema_migrations (version, name, sha256)
          values (${file.name.slice(0, 14)}, ${file.name}, ${record})
          on conflict (version) do update
            set name = excluded.name, sha256 = excluded.sha256, applied_at = now()`;
      }
    });
  } catch (error) {
    throw new Error(`${file.name}: ${(error as Error).message}`);
  }
}

/** Applies the stand-ins and all migrations, each file in its own transaction. */
export async function applySchema(sql: Sql): Promise<void> {
  for (const file of [standinsFile(), ...migrationFiles()]) await applyFile(sql, file);
}

export interface MigrationRun {
  applied: string[];
  skipped: string[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Brings a kept database up to date, as `supabase db push` does on a hosted project: each
 * migration runs once, recorded (version, name, sha256) in `supabase_migrations.schema_migrations`
 * in the same transaction, so a run killed half-way re-applies exactly the unfinished file. The
 * stand-ins are Supabase's own platform objects, re-runnable by design: applied every time. A
 * migration whose text changed after it was applied (a local edit) is applied again — our
 * migrations are written re-runnable — and recorded with its new checksum.
 */
export async function migrate(sql: Sql): Promise<MigrationRun> {
  await applyFile(sql, standinsFile());
  await sql
    .unsafe(
      `
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (
      version text primary key,
      name text not null,
      sha256 text not null,
      applied_at timestamptz not null default now()
    );`,
    )
    .simple();
  const rows = await sql<{ version: string; sha256: string }[]>`
    select version, sha256 from supabase_migrations.schema_migrations`;
  const done = new Map(rows.map((r) => [r.version, r.sha256]));
  const run: MigrationRun = { applied: [], skipped: [] };
  for (const file of migrationFiles()) {
    const hash = sha256(file.text);
    if (done.get(file.name.slice(0, 14)) === hash) {
      run.skipped.push(file.name);
      continue;
    }
    await applyFile(sql, file, hash);
    run.applied.push(file.name);
  }
  return run;
}
