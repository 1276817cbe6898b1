// A BrightRun database on a Postgres cluster of its own: the test tiers start a throwaway one,
// the local stack a kept one (`dir`), and both get connections, role helpers and cleanup.
import postgres, { type Sql } from 'postgres';
import { startCluster, type Cluster } from './cluster.ts';
import { applySchema, migrate, type MigrationRun } from './migrations.ts';

export { asAnon, asServiceRole, asUser, createUser, type Tx } from './sessions.ts';
export {
  applySchema,
  migrate,
  migrationFiles,
  standinsFile,
  type MigrationRun,
  type SqlFile,
} from './migrations.ts';
export { findPostgresBinDir, ensurePostgresBinDir } from './binaries.ts';
export {
  alive,
  freePort,
  removeStaleClusters,
  runningServer,
  startCluster,
  stopPersistentCluster,
  type Cluster,
  type ClusterOptions,
} from './cluster.ts';

export interface Database {
  cluster: Cluster;
  /** Name of the database holding the schema. */
  database: string;
  /** TCP URL (127.0.0.1) for clients that cannot use the unix socket, e.g. Deno. */
  url: string;
  /** A superuser pool on the unix socket; the role helpers switch roles per transaction. */
  sql: Sql;
  /** What `migrate` did (kept databases only). */
  migrations?: MigrationRun;
  /** Another pool, e.g. on a scratch database of the same cluster. */
  connect(database?: string, options?: { max?: number }): Sql;
  /** Creates an empty database in the cluster (no schema) and returns its name. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface DatabaseOptions {
  /**
   * Apply the stand-ins and migrations (default true). A temp database applies every file (they
   * are re-runnable); a kept one (`dir`) applies each migration once and records it.
   */
  schema?: boolean;
  database?: string;
  /** Keep the cluster in this folder across runs instead of a temp folder (local stack). */
  dir?: string;
  /** Preferred TCP port (kept clusters: a stable URL when the port is free). */
  port?: number;
}

export async function startDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const cluster = await startCluster({ dir: options.dir, port: options.port });
  const database = options.database ?? 'brightrun';
  const pools: Sql[] = [];
  const connect = (db = database, opts: { max?: number } = {}) => {
    const pool = postgres({
      host: cluster.socketDir,
      port: cluster.port,
      user: cluster.user,
      database: db,
      max: opts.max ?? 4,
      // Re-runnable migrations print notices ("already exists, skipping"): not output.
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
    let migrations: MigrationRun | undefined;
    if (options.schema !== false) {
      if (cluster.persistent) migrations = await migrate(sql);
      else await applySchema(sql);
    }
    return {
      cluster,
      database,
      url: `postgres://${cluster.user}@127.0.0.1:${cluster.port}/${database}`,
      sql,
      migrations,
      connect,
      createDatabase,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
