// The backend the api tests talk to: a temp Postgres with the migrations, the local GPU cluster
// (for /health), a local storage folder, and the functions under real Deno behind the local
// gateway (server/src/local/start-gateway.ts), with the environment of the backend runtime
// contract. Wake calls of background functions are recorded, not run, so the api is tested on
// its own. One stack per test file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalGpuCluster, type LocalGpuCluster } from '../../../gpu-worker/cluster/index.ts';
import { apiKey, newJwtSecret, signHs256, userToken } from '../../../server/src/local/keys.ts';
import { createUser, startTestDatabase, type TestDatabase } from '../../support/postgres/index.ts';
import { startGateway, type Gateway } from '../../../server/src/local/start-gateway.ts';
import { DENO, DENO_CONFIG, REPO_ROOT, ensureDenoDeps } from './deno.ts';

export interface LogLine {
  [field: string]: unknown;
}

/** The gateway's JSON log lines (request logs of the functions, wake events), followed live. */
export interface FunctionsServer {
  /** `http://127.0.0.1:<port>` (SUPABASE_URL). */
  url: string;
  logs: LogLine[];
  /** Resolves with the first line (already seen or still to come) that matches. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

function logFollower(): {
  logs: LogLine[];
  text: string[];
  onLine(line: string): void;
  waitForLog: FunctionsServer['waitForLog'];
} {
  const logs: LogLine[] = [];
  const text: string[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  return {
    logs,
    text,
    onLine(line: string) {
      text.push(line);
      if (text.length > 200) text.shift();
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof parsed !== 'object' || parsed === null) return;
      logs.push(parsed as LogLine);
      for (const waiter of [...waiters]) {
        if (waiter.match(parsed as LogLine)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(parsed as LogLine);
        }
      }
    },
    waitForLog(match, timeoutMs = 10_000) {
      const seen = logs.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise<LogLine>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(
            new Error(
              `No matching log line within ${timeoutMs} ms; last lines:\n${text.slice(-20).join('\n')}`,
            ),
          );
        }, timeoutMs);
        const waiter = {
          match,
          resolve: (l: LogLine) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        waiters.push(waiter);
      });
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
  ms: number;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  /** Raw body text (sent as is, e.g. broken JSON). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiStack {
  db: TestDatabase;
  functions: FunctionsServer;
  gpu: LocalGpuCluster;
  storageDir: string;
  secret: string;
  serviceKey: string;
  anonKey: string;
  env: Record<string, string>;
  /** `${functions.url}/functions/v1/api`. */
  apiUrl: string;
  newUser(email?: string): Promise<TestUser>;
  /** A user token signed with another secret (must be refused). */
  forgedToken(userId: string): string;
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: CallOptions,
  ): Promise<HttpResult<T>>;
  /** Runs one local file store operation under Deno (see local-store-cli.ts). */
  store(request: Record<string, unknown>): Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startApiStack(): Promise<ApiStack> {
  const db = await startTestDatabase();
  const storageDir = mkdtempSync(join(tmpdir(), 'brightrun-fn-storage-'));
  const secret = newJwtSecret();
  const gpuKey = `gpu-${newJwtSecret()}`;
  let gpu: LocalGpuCluster | undefined;
  let gateway: Gateway | undefined;
  try {
    gpu = await startLocalGpuCluster({
      port: 0,
      apiKey: gpuKey,
      workDir: join(storageDir, '.gpu'),
    });
    const env = {
      SUPABASE_DB_URL: db.url,
      SUPABASE_SERVICE_ROLE_KEY: apiKey('service_role', secret),
      SUPABASE_ANON_KEY: apiKey('anon', secret),
      BRIGHTRUN_JWT_SECRET: secret,
      BRIGHTRUN_STORAGE_DIR: join(storageDir, 'objects'),
      GPU_CLUSTER_API_URL: gpu.url,
      GPU_CLUSTER_API_KEY: gpuKey,
    };
    // The first run downloads the functions' npm packages: say so if that is what hangs.
    ensureDenoDeps(['api']);
    const follower = logFollower();
    gateway = await startGateway({
      env,
      onLog: (line) => follower.onLine(line),
      // Wakes are recorded (as the gateway's `wake` log lines), not run.
      onWake: () => {},
    });
    const fn: FunctionsServer = {
      url: gateway.url,
      logs: follower.logs,
      waitForLog: follower.waitForLog,
    };
    const gw = gateway;
    const apiUrl = `${fn.url}/functions/v1/api`;
    const fullEnv: Record<string, string> = {
      ...env,
      BRIGHTRUN_STORAGE: 'local',
      SUPABASE_URL: fn.url,
    };

    const call = async <T>(method: string, path: string, options: CallOptions = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
      const started = performance.now();
      const response = await fetch(`${apiUrl}${path}`, { method, headers, body });
      const text = await response.text();
      const ms = performance.now() - started;
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Left as text: the assertion that follows will say so.
      }
      return { status: response.status, body: parsed as T, headers: response.headers, ms };
    };

    return {
      db,
      functions: fn,
      gpu,
      storageDir,
      secret,
      serviceKey: env.SUPABASE_SERVICE_ROLE_KEY,
      anonKey: env.SUPABASE_ANON_KEY,
      env: fullEnv,
      apiUrl,
      async newUser(email?: string) {
        const id = await createUser(db.sql, email);
        const address = email ?? `${id}@example.test`;
        return { id, email: address, token: userToken(id, address, secret, 3600) };
      },
      forgedToken(userId: string) {
        const now = Math.floor(Date.now() / 1000);
        return signHs256(
          { sub: userId, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 3600 },
          `${secret}-not-it`,
        );
      },
      call,
      store(request: Record<string, unknown>) {
        const result = spawnSync(
          DENO,
          [
            'run',
            '-A',
            '--config',
            DENO_CONFIG,
            join(REPO_ROOT, 'test', 'functions', 'support', 'local-store-cli.ts'),
            JSON.stringify(request),
          ],
          {
            cwd: REPO_ROOT,
            encoding: 'utf8',
            timeout: 60_000,
            env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...fullEnv },
          },
        );
        const last = result.stdout.trim().split('\n').pop() ?? '';
        try {
          return JSON.parse(last) as Record<string, unknown>;
        } catch {
          throw new Error(
            `local-store-cli failed (${result.status}): ${result.stdout}${result.stderr}`,
          );
        }
      },
      async stop() {
        await gw.stop();
        // A test may have closed it already (the GPU-cluster-down check).
        await gpu?.close().catch(() => {});
        await db.stop();
        rmSync(storageDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await gateway?.stop();
    await gpu?.close();
    await db.stop();
    rmSync(storageDir, { recursive: true, force: true });
    throw error;
  }
}
