// A BrightRun database on a throwaway Postgres cluster: the test tiers and the local stack
// start one with `startTestDatabase()` and get connections, role helpers and cleanup.
import postgres, { type Sql } from 'postgres';
import { startCluster, type Cluster } from './cluster.ts';
import { applySchema } from './migrations.ts';

export { asAnon, asServiceRole, asUser, createUser, type Tx } from './sessions.ts';
export { applySchema, migrationFiles, standinsFile } from './migrations.ts';
export { findPostgresBinDir, ensurePostgresBinDir } from './binaries.ts';

export interface TestDatabase {
  cluster: Cluster;
  /** Name of the database holding the schema. */
  database: string;
  /** TCP URL (127.0.0.1) for clients that cannot use the unix socket, e.g. Deno. */
  url: string;
  /** A superuser pool on the unix socket; the role helpers switch roles per transaction. */
  sql: Sql;
  /** Another pool, e.g. on a scratch database of the same cluster. */
  connect(database?: string, options?: { max?: number }): Sql;
  /** Creates an empty database in the cluster (no schema) and returns its name. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Apply the stand-ins and migrations (default true; they are re-runnable). */
  schema?: boolean;
  database?: string;
  /** Keep the cluster in this folder across runs instead of a temp folder (local stack). */
  dir?: string;
}

export async function startTestDatabase(options: StartOptions = {}): Promise<TestDatabase> {
  const cluster = await startCluster({ dir: options.dir });
  const database = options.database ?? 'brightrun';
  const pools: Sql[] = [];
  const connect = (db = database, opts: { max?: number } = {}) => {
    const pool = postgres({
      host: cluster.socketDir,
      port: cluster.port,
      user: cluster.user,
      database: db,
      max: opts.max ?? 4,
      // Re-runnable migrations print notices ("already exists, skipping"): not test output.
      onnotice: () => {},
    });
    pools.push(pool);
    return pool;
  };
  const stop = async () => {
    await Promise.allSettled(pools.map((p) => p.end({ timeout: 1 })));
    cluster.stop();
  };

  try {
    const admin = connect('postgres', { max: 1 });
    const createDatabase = async (name: string) => {
      await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`);
      return name;
    };
    const [existing] = await admin`select 1 as found from pg_database where datname = ${database}`;
    if (!existing) await createDatabase(database);
    const sql = connect(database);
    if (options.schema !== false) await applySchema(sql);
    return {
      cluster,
      database,
      url: `postgres://${cluster.user}@127.0.0.1:${cluster.port}/${database}`,
      sql,
      connect,
      createDatabase,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
