// Starts the local gateway (supabase/local/gateway.ts) under the repository's Deno with only the
// permissions it needs, waits for its `ready` line (never a sleep) and hands back its URL and a
// stop() that ends the whole process group. The local stack and the functions tests both use it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { denoTlsEnv } from './deno-tls-env.ts';
import { freePort } from './postgres/cluster.ts';
import { repoRoot } from './repo-root.ts';

/** The environment of the backend runtime contract (contracts.md), same names as hosted. */
export interface GatewayEnv {
  SUPABASE_DB_URL: string;
  SUPABASE_SERVICE_ROLE_KEY: string;
  SUPABASE_ANON_KEY: string;
  BRIGHTRUN_JWT_SECRET: string;
  BRIGHTRUN_STORAGE_DIR: string;
  GPU_CLUSTER_API_URL?: string;
  GPU_CLUSTER_API_KEY?: string;
}

export interface GatewayOptions {
  env: GatewayEnv;
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Extra environment for the functions (e.g. test knobs); never overrides `env`. */
  extraEnv?: Record<string, string>;
  /**
   * When given, a background function called with the service key by anyone but the scheduler
   * (the api's and the functions' wake calls) is not run by the gateway: it answers 202 and
   * reports the wake here, so the scheduler runs it — never two runs of one function at once.
   * Without it (tests of one function) every call runs the handler.
   */
  onWake?: (name: string) => void;
  /** Every line the gateway writes (JSON request logs on stdout, anything on stderr). */
  onLog?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Milliseconds to wait for `ready` (Deno may first fetch npm packages); default 300 s. */
  readyTimeoutMs?: number;
}

export interface Gateway {
  /** Base URL, e.g. http://127.0.0.1:54321 (SUPABASE_URL). */
  url: string;
  /** The header value that marks the scheduler's own invocations. */
  schedulerToken: string;
  /** Names of the functions whose handler was found. */
  functions: string[];
  pid: number;
  /** Resolves when the gateway process ends, for whatever reason (exit code or signal). */
  exited: Promise<string>;
  /** Ends the gateway's process group; resolves once it has exited. */
  stop(): Promise<void>;
}

export const SCHEDULER_HEADER = 'x-brightrun-scheduler';

export function denoBinary(): string {
  const bin = join(repoRoot(), 'node_modules', '.bin', 'deno');
  if (!existsSync(bin)) {
    throw new Error(`Deno not found at ${bin}: run \`npm install\` (deno is a dev dependency)`);
  }
  return bin;
}

/** Hosts of the URLs the functions call, for --allow-net. */
function netHosts(port: number, env: GatewayEnv): string[] {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  for (const raw of [env.SUPABASE_DB_URL, env.GPU_CLUSTER_API_URL]) {
    if (!raw) continue;
    try {
      const url = new URL(raw);
      const defaultPort = url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '';
      hosts.add(`${url.hostname}:${url.port || defaultPort || '5432'}`);
    } catch {
      // Not a URL: the functions will report it; no permission to add.
    }
  }
  return [...hosts];
}

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolveStop();
      return;
    }
    child.once('exit', () => resolveStop());
    const signal = (sig: NodeJS.Signals) => {
      try {
        // The gateway is the leader of its own group: end it and anything it started.
        process.kill(-(child.pid ?? 0), sig);
      } catch {
        // Already gone.
      }
    };
    signal('SIGTERM');
    const force = setTimeout(() => signal('SIGKILL'), 5000);
    force.unref();
    child.once('exit', () => clearTimeout(force));
  });
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const root = repoRoot();
  const port = options.port && options.port > 0 ? options.port : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const storageDir = resolve(options.env.BRIGHTRUN_STORAGE_DIR);
  mkdirSync(storageDir, { recursive: true });
  const schedulerToken = crypto.randomUUID();
  const functionsDir = join(root, 'supabase', 'functions');
  const config = join(functionsDir, 'deno.json');
  const denoDir = process.env.DENO_DIR ?? join(homedir(), '.cache', 'deno');

  const args = [
    'run',
    ...(existsSync(config) ? ['--config', config] : ['--no-config']),
    '--no-prompt',
    `--allow-net=${netHosts(port, options.env).join(',')}`,
    // The functions read the contract's variables; npm packages (postgres) read a few more.
    '--allow-env',
    // Sources and npm packages (repository and Deno's cache), and the file store.
    `--allow-read=${[root, storageDir, denoDir].join(',')}`,
    `--allow-write=${storageDir}`,
    // postgres.js asks the OS for its hostname and network interfaces.
    '--allow-sys=hostname,networkInterfaces,osRelease',
    join(root, 'supabase', 'local', 'gateway.ts'),
  ];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? homedir(),
    DENO_DIR: denoDir,
    NO_COLOR: '1',
    ...denoTlsEnv(),
    ...options.extraEnv,
    ...Object.fromEntries(
      Object.entries(options.env).filter((e): e is [string, string] => e[1] !== undefined),
    ),
    SUPABASE_URL: url,
    BRIGHTRUN_STORAGE: 'local',
    BRIGHTRUN_STORAGE_DIR: storageDir,
    BRIGHTRUN_GATEWAY_PORT: String(port),
    BRIGHTRUN_GATEWAY_WAKE: options.onWake ? 'stdout' : 'off',
    BRIGHTRUN_SCHEDULER_TOKEN: schedulerToken,
  };
  for (const name of [
    'NPM_CONFIG_REGISTRY',
    'npm_config_registry',
    'HTTPS_PROXY',
    'HTTP_PROXY',
    'NO_PROXY',
  ]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }

  const child = spawn(denoBinary(), args, {
    cwd: functionsDir,
    env,
    // stdin stays open as a lifeline: the gateway exits when it closes (this process died).
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group, so stop() (and Ctrl-C handling above us) reaches every child.
    detached: true,
  });
  const exited = new Promise<string>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit(signal ?? `exit code ${code}`)),
  );
  const onLog = options.onLog ?? (() => {});
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 40) stderrTail.shift();
    onLog(line, 'stderr');
  });

  let functions: string[] = [];
  const ready = new Promise<void>((resolveReady, rejectReady) => {
    const timer = setTimeout(
      () =>
        rejectReady(
          new Error(
            `the gateway did not print ready within ${options.readyTimeoutMs ?? 300_000} ms`,
          ),
        ),
      options.readyTimeoutMs ?? 300_000,
    );
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rejectReady(new Error(`the gateway exited (${code ?? signal}) before it was ready`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      rejectReady(error);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let event: { event?: string; function?: string; functions?: string[] } | undefined;
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        event = undefined;
      }
      if (event?.event === 'ready') {
        clearTimeout(timer);
        functions = event.functions ?? [];
        resolveReady();
      } else if (event?.event === 'wake' && event.function) {
        options.onWake?.(event.function);
      }
      onLog(line, 'stdout');
    });
  });
  try {
    await ready;
  } catch (error) {
    await stopGroup(child);
    const tail = stderrTail.join('\n');
    throw new Error(
      `${(error as Error).message}${tail ? `\n--- gateway stderr ---\n${tail}` : ''}`,
    );
  }
  return {
    url,
    schedulerToken,
    functions,
    pid: child.pid ?? 0,
    exited,
    stop: () => stopGroup(child),
  };
}
