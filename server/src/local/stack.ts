// The local stack (architecture.md §7): everything the backend needs, on one machine, kept in
// `<workspace>/.brightrun/`:
//   postgres/   the database cluster (kept across runs; fsync on)
//   storage/    the local file store (buckets as folders)
//   gpu-cluster/ the local GPU cluster's per-job folders
//   logs/       JSON-lines logs: stack, gateway (functions and storage), scheduler, gpu-cluster
//   secrets.json the JWT secret, the anon and service role keys, the GPU cluster key (0600)
//   local.json  how to reach the running stack (the contract's shape), removed on stop
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';
import { startLocalGpuCluster, type LocalGpuCluster } from '../../../gpu-worker/cluster/index.ts';
import { apiKey, newJwtSecret, userToken } from './keys.ts';
import { openLogFile, type LogFile } from './log-file.ts';
import { startDatabase, type Database } from './postgres/index.ts';
import { alive } from './postgres/cluster.ts';
import { repoRoot } from './repo-root.ts';
import { BACKGROUND_FUNCTIONS, Scheduler } from './scheduler.ts';
import { startGateway, type Gateway } from './start-gateway.ts';

export const DEFAULT_EMAIL = 'local-user@brightrun.local';
export const DEFAULT_PORTS = { gateway: 54321, db: 54322 };

/** `.brightrun/local.json`, as the backend runtime contract says (plus the GPU cluster key). */
export interface LocalInfo {
  url: string;
  apiUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  userToken: string;
  userId: string;
  userEmail: string;
  dbUrl: string;
  gpuClusterUrl: string;
  gpuClusterApiKey: string;
  storageDir: string;
  logsDir: string;
  pid: number;
  gatewayPid: number;
  startedAt: string;
}

export interface Secrets {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  gpuClusterApiKey: string;
}

export interface StackPaths {
  root: string;
  postgres: string;
  storage: string;
  gpuCluster: string;
  logs: string;
  secrets: string;
  info: string;
}

export function stackPaths(workspace: string): StackPaths {
  const root = join(resolve(workspace), '.brightrun');
  return {
    root,
    postgres: join(root, 'postgres'),
    storage: join(root, 'storage'),
    gpuCluster: join(root, 'gpu-cluster'),
    logs: join(root, 'logs'),
    secrets: join(root, 'secrets.json'),
    info: join(root, 'local.json'),
  };
}

/** The stack's secrets, generated on the first run and kept (so tokens stay valid). */
export function loadOrCreateSecrets(paths: StackPaths): Secrets {
  if (existsSync(paths.secrets)) {
    return JSON.parse(readFileSync(paths.secrets, 'utf8')) as Secrets;
  }
  const jwtSecret = newJwtSecret();
  const secrets: Secrets = {
    jwtSecret,
    anonKey: apiKey('anon', jwtSecret),
    serviceRoleKey: apiKey('service_role', jwtSecret),
    gpuClusterApiKey: randomBytes(24).toString('base64url'),
  };
  mkdirSync(paths.root, { recursive: true });
  writeFileSync(paths.secrets, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

export function readLocalInfo(paths: StackPaths): LocalInfo | undefined {
  try {
    return JSON.parse(readFileSync(paths.info, 'utf8')) as LocalInfo;
  } catch {
    return undefined;
  }
}

/** The user with this email (auth.users), created when missing, as GoTrue's sign-up would. */
export async function ensureUser(sql: Sql, email: string): Promise<string> {
  const [found] = await sql<{ id: string }[]>`
    select id from auth.users where lower(email) = lower(${email}) order by created_at limit 1`;
  if (found) return found.id;
  const [created] = await sql<{ id: string }[]>`
    insert into auth.users (id, aud, role, email, email_confirmed_at, raw_app_meta_data,
                            raw_user_meta_data)
    values (gen_random_uuid(), 'authenticated', 'authenticated', ${email}, now(),
            '{"provider":"local","providers":["local"]}'::jsonb, '{}'::jsonb)
    returning id`;
  return created.id;
}

export interface StackOptions {
  /** The workspace; `.brightrun/` is made inside it. */
  workspace: string;
  /** Gateway port (default 54321; 0 = any free port; a busy preferred port falls back too). */
  port?: number;
  /** Postgres port (default 54322; 0 = any free port). */
  dbPort?: number;
  /** GPU cluster port (default any free port). */
  gpuPort?: number;
  /** Scheduler interval (default 2000 ms). */
  intervalMs?: number;
  /** Human-readable progress (the CLI prints it on stderr). */
  progress?: (message: string) => void;
}

export interface Stack {
  info: LocalInfo;
  paths: StackPaths;
  scheduler: Scheduler;
  /** Stops everything, in reverse order; safe to call twice. */
  stop(reason?: string): Promise<void>;
  /** Resolves with the reason when a part died on its own (the stack has then stopped). */
  failed: Promise<string>;
}

async function portFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const started = performance.now();
  const progress = options.progress ?? (() => {});
  const paths = stackPaths(options.workspace);
  mkdirSync(paths.logs, { recursive: true });
  const running = readLocalInfo(paths);
  if (running && running.pid !== process.pid && alive(running.pid)) {
    throw new Error(
      `A local stack already runs for this workspace (pid ${running.pid}, ${running.url}); ` +
        'stop it with `brightrun local down`.',
    );
  }
  rmSync(paths.info, { force: true });

  const logs: LogFile[] = [];
  const open = (name: string) => {
    const file = openLogFile(paths.logs, name);
    logs.push(file);
    return file;
  };
  const stackLog = open('stack');
  const gatewayLog = open('gateway');
  const schedulerLog = open('scheduler');
  const gpuLog = open('gpu-cluster');
  const step = (event: string, fields: Record<string, unknown> = {}) => {
    stackLog.write({
      event,
      elapsed_ms: Math.round(performance.now() - started),
      ...fields,
    });
  };
  step('starting', { workspace: resolve(options.workspace), pid: process.pid });

  let database: Database | undefined;
  let gpu: LocalGpuCluster | undefined;
  let gateway: Gateway | undefined;
  let scheduler: Scheduler | undefined;
  let stopped: Promise<void> | undefined;

  const stop = (reason = 'stop'): Promise<void> => {
    stopped ??= (async () => {
      step('stopping', { reason });
      rmSync(paths.info, { force: true });
      // Order: no new runs, then the functions, then the trainers, then the database.
      await scheduler?.stop().catch(() => {});
      await gateway?.stop().catch(() => {});
      await gpu?.close().catch(() => {});
      await database?.stop().catch(() => {});
      step('stopped', { reason });
      await Promise.all(logs.map((l) => l.close()));
    })();
    return stopped;
  };

  try {
    const secrets = loadOrCreateSecrets(paths);

    progress('starting Postgres');
    database = await startDatabase({
      dir: paths.postgres,
      port: options.dbPort ?? DEFAULT_PORTS.db,
    });
    step('postgres_ready', {
      port: database.cluster.port,
      migrations_applied: database.migrations?.applied ?? [],
      log: database.cluster.logFile,
    });
    const userEmail = DEFAULT_EMAIL;
    const userId = await ensureUser(database.sql, userEmail);

    progress('starting the GPU cluster');
    gpu = await startLocalGpuCluster({
      port: options.gpuPort ?? 0,
      apiKey: secrets.gpuClusterApiKey,
      workDir: paths.gpuCluster,
      workerDir: join(repoRoot(), 'gpu-worker'),
      log: (line) => gpuLog.writeLine(line, { component: 'gpu-cluster' }),
    });
    step('gpu_cluster_ready', { url: gpu.url });

    progress('starting the functions gateway');
    const preferred = options.port ?? DEFAULT_PORTS.gateway;
    const port = preferred > 0 && (await portFree(preferred)) ? preferred : 0;
    const pendingWakes: string[] = [];
    gateway = await startGateway({
      port,
      env: {
        SUPABASE_DB_URL: database.url,
        SUPABASE_SERVICE_ROLE_KEY: secrets.serviceRoleKey,
        SUPABASE_ANON_KEY: secrets.anonKey,
        BRIGHTRUN_JWT_SECRET: secrets.jwtSecret,
        BRIGHTRUN_STORAGE_DIR: paths.storage,
        GPU_CLUSTER_API_URL: gpu.url,
        GPU_CLUSTER_API_KEY: secrets.gpuClusterApiKey,
      },
      onWake: (name) => {
        if (scheduler) scheduler.wake(name);
        else pendingWakes.push(name);
      },
      onLog: (line, stream) => gatewayLog.writeLine(line, stream === 'stderr' ? { stream } : {}),
    });
    step('gateway_ready', { url: gateway.url, functions: gateway.functions, pid: gateway.pid });

    const present = BACKGROUND_FUNCTIONS.filter((name) => gateway?.functions.includes(name));
    scheduler = new Scheduler({
      gatewayUrl: gateway.url,
      serviceRoleKey: secrets.serviceRoleKey,
      schedulerToken: gateway.schedulerToken,
      functions: present,
      intervalMs: options.intervalMs,
      log: (entry) => schedulerLog.write(entry),
    });
    scheduler.start();
    for (const name of pendingWakes) scheduler.wake(name);
    step('scheduler_started', {
      functions: present,
      missing: BACKGROUND_FUNCTIONS.filter((name) => !present.includes(name)),
    });

    const info: LocalInfo = {
      url: gateway.url,
      apiUrl: `${gateway.url}/functions/v1/api`,
      anonKey: secrets.anonKey,
      serviceRoleKey: secrets.serviceRoleKey,
      userToken: userToken(userId, userEmail, secrets.jwtSecret),
      userId,
      userEmail,
      dbUrl: database.url,
      gpuClusterUrl: gpu.url,
      gpuClusterApiKey: secrets.gpuClusterApiKey,
      storageDir: paths.storage,
      logsDir: paths.logs,
      pid: process.pid,
      gatewayPid: gateway.pid,
      startedAt: new Date().toISOString(),
    };
    // A gateway that dies on its own leaves nothing to talk to: stop the rest and say so.
    let stopping = false;
    const failed = gateway.exited.then(async (how) => {
      if (stopping) return new Promise<string>(() => {});
      step('gateway_exited', { how });
      await stop(`the gateway exited (${how})`);
      return `the functions gateway exited (${how}); see ${gatewayLog.path}`;
    });
    const stopAll = (reason?: string) => {
      stopping = true;
      return stop(reason);
    };
    writeFileSync(paths.info, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    step('ready', { url: info.url, ms: Math.round(performance.now() - started) });
    return { info, paths, scheduler, stop: stopAll, failed };
  } catch (error) {
    step('failed', { error: (error as Error).message });
    await stop('failed to start');
    throw error;
  }
}
