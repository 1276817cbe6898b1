// The SQL a BrightRun database is built from, in order: the local Supabase stand-ins, then
// every migration by its timestamped name (the order the Supabase CLI applies them).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from 'postgres';

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const STANDINS_FILE = join(root, 'supabase', 'local', 'supabase-standins.sql');
export const MIGRATIONS_DIR = join(root, 'supabase', 'migrations');

export interface SqlFile {
  name: string;
  text: string;
}

export function migrationFiles(): SqlFile[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((name) => /^\d{14}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(MIGRATIONS_DIR, name), 'utf8') }));
}

export function standinsFile(): SqlFile {
  return { name: 'supabase-standins.sql', text: readFileSync(STANDINS_FILE, 'utf8') };
}

/** Applies the stand-ins and all migrations, each file in its own transaction. */
export async function applySchema(sql: Sql): Promise<void> {
  for (const file of [standinsFile(), ...migrationFiles()]) {
    try {
      // Simple protocol: a file holds many statements (and DO blocks) and no parameters.
      await sql.begin((tx) => tx.unsafe(file.text).simple());
    } catch (error) {
      throw new Error(`${file.name}: ${(error as Error).message}`);
    }
  }
}
