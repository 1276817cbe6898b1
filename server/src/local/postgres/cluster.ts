// A Postgres cluster from Debian's server binaries, in one of two modes:
// - temporary (tests): a fresh temp folder, no fsync, removed on stop, on process exit and — for
//   runs that were killed — by the next run;
// - persistent (the local stack): a kept folder (e.g. `.brightrun/postgres`) reused across runs,
//   with fsync and synchronous commits on, so killing the stack loses no committed data, and a
//   clean (`fast`) shutdown on stop.
// initdb and pg_ctl refuse root: as root they run as the `postgres` OS user, which owns the
// data folder. The server listens on a unix socket and on 127.0.0.1 (for Deno and other
// clients that cannot use the socket).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensurePostgresBinDir } from './binaries.ts';

const PREFIX = 'brightrun-pg-';
const OWNER_FILE = 'owner.pid';
/** Unix socket paths are limited to 107 bytes; `.s.PGSQL.NNNNN` adds 15. */
const MAX_SOCKET_DIR = 90;

export interface Cluster {
  /** The folder holding data/, the log and (usually) the socket. */
  dir: string;
  /** Folder of the unix socket (pass as `host` to clients). */
  socketDir: string;
  port: number;
  /** Superuser name; trust authentication on the socket and on 127.0.0.1. */
  user: string;
  logFile: string;
  /** True for a kept cluster (`dir` given), false for a temp one. */
  persistent: boolean;
  stop(): void;
}

interface OsUser {
  uid: number;
  gid: number;
}

function postgresOsUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) {
    throw new Error('running as root, but there is no `postgres` user to own the cluster');
  }
  return { uid, gid };
}

/** Runs a server binary, as `postgres` when we are root (initdb and pg_ctl refuse root). */
function run(
  osUser: OsUser | undefined,
  command: string,
  args: string[],
  options: SpawnSyncOptions = {},
) {
  const [file, argv] = osUser
    ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
    : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    const output = `${String(result.stdout ?? '')}${String(result.stderr ?? '')}`.trim();
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${output}`);
  }
  return result;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a port on 127.0.0.1 can be listened on right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Whether a process runs; a zombie (killed, not yet reaped by its parent) counts as gone. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function readOwner(dir: string): number {
  try {
    return Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
  } catch {
    return 0;
  }
}

/**
 * Removes temp clusters left by runs that died without cleaning up (killed by a signal, OOM):
 * their owner process is gone. A cluster whose owner still runs (a parallel test run) is left alone.
 */
export function removeStaleClusters(binDir: string): string[] {
  const osUser = postgresOsUser();
  const removed: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    // No owner file: a run that died between mkdtemp and writing it.
    const owner = readOwner(dir);
    if (owner > 0 && alive(owner)) continue;
    stopServer(osUser, binDir, join(dir, 'data'));
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

function stopServer(
  osUser: OsUser | undefined,
  binDir: string,
  dataDir: string,
  mode: 'immediate' | 'fast' = 'immediate',
): void {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
  const pgCtl = join(binDir, 'pg_ctl');
  const args = ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60'];
  spawnSync(osUser ? 'runuser' : pgCtl, osUser ? ['-u', 'postgres', '--', pgCtl, ...args] : args, {
    stdio: 'ignore',
  });
}

/** The pid of a live server on this data folder, if any (its first postmaster.pid line). */
export function runningServer(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Processes whose working folder is `dataDir`: a server and its backends all chdir there. */
function processesIn(dataDir: string): number[] {
  const real = realpathSync(dataDir);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`) === real) pids.push(Number(name));
    } catch {
      // Gone, a zombie, or not ours to read.
    }
  }
  return pids;
}

/**
 * After a server was killed (SIGKILL, OOM, power cut) its backends exit on their own and its
 * pid may linger as a zombie until init reaps it — and Postgres refuses to start while the pid
 * in postmaster.pid exists. Waits for the old processes to go; a lock file left by a zombie
 * (no process works in the folder any more) is then removed, as Postgres itself would once the
 * pid is gone. Crash recovery replays the WAL at the next start.
 */
async function clearDeadServer(dataDir: string, timeoutMs = 15_000): Promise<void> {
  const lock = join(dataDir, 'postmaster.pid');
  if (!existsSync(lock) || runningServer(dataDir) !== undefined) return;
  const deadline = Date.now() + timeoutMs;
  while (processesIn(dataDir).length > 0) {
    if (Date.now() > deadline) {
      throw new Error(`processes of a killed Postgres server still use ${dataDir}`);
    }
    // Other processes' exits cannot be awaited: look again shortly.
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  const pid = Number(readFileSync(lock, 'utf8').split('\n')[0]);
  if (pid > 0 && existsSync(`/proc/${pid}`)) rmSync(lock, { force: true });
}

/** Fails early, with the fix, when the `postgres` user cannot reach a kept folder. */
function checkReachable(osUser: OsUser | undefined, dir: string): void {
  if (!osUser) return;
  const probe = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir]);
  if (probe.status !== 0) {
    throw new Error(
      `The postgres OS user cannot reach ${dir}: every folder above it must be searchable by ` +
        'others (e.g. `chmod o+x` on them), or use a workspace under a world-searchable folder.',
    );
  }
}

export interface ClusterOptions {
  /**
   * A folder to keep the cluster in across runs (the local stack's data folder). Without it the
   * cluster lives in a fresh temp folder and is deleted on stop.
   */
  dir?: string;
  /** TCP port on 127.0.0.1; taken when free, else (and by default) any free port. */
  port?: number;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const binDir = ensurePostgresBinDir();
  removeStaleClusters(binDir);
  const osUser = postgresOsUser();
  const persistent = options.dir !== undefined;

  const dir = persistent ? resolve(options.dir ?? '') : mkdtempSync(join(tmpdir(), PREFIX));
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  if (!fresh) {
    const server = runningServer(dataDir);
    const owner = readOwner(dir);
    if (server !== undefined && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new Error(`${dataDir} is in use by process ${owner} (a running local stack?)`);
    }
    // A server whose owner died (the stack was killed): committed data is on disk already
    // (fsync, synchronous commits); stop it cleanly and start our own.
    if (server !== undefined) stopServer(osUser, binDir, dataDir, 'fast');
    else await clearDeadServer(dataDir);
  }
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (osUser) {
    chownSync(dir, osUser.uid, osUser.gid);
    chownSync(dataDir, osUser.uid, osUser.gid);
    if (persistent) checkReachable(osUser, dataDir);
  }
  // A deep workspace would overflow the socket path: put the socket in a short temp folder.
  let socketDir = dir;
  let ownSocketDir = false;
  if (dir.length > MAX_SOCKET_DIR) {
    socketDir = mkdtempSync(join(tmpdir(), 'brightrun-sock-'));
    ownSocketDir = true;
    if (osUser) chownSync(socketDir, osUser.uid, osUser.gid);
  }

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    stopServer(osUser, binDir, dataDir, persistent ? 'fast' : 'immediate');
    if (!persistent) rmSync(dir, { recursive: true, force: true });
    else if (readOwner(dir) === process.pid) rmSync(join(dir, OWNER_FILE), { force: true });
    if (ownSocketDir) rmSync(socketDir, { recursive: true, force: true });
  };
  // Also on an uncaught failure that ends the process before the caller's cleanup runs.
  process.on('exit', stop);

  try {
    if (fresh) {
      run(osUser, join(binDir, 'initdb'), [
        '-D',
        dataDir,
        // A temp cluster is thrown away; a kept one must be on disk before we use it.
        ...(persistent ? [] : ['--no-sync']),
        '--auth=trust',
        '--username=postgres',
        '--encoding=UTF8',
        '--locale=C',
      ]);
      // Our settings live in their own file, rewritten at every start (the port may change);
      // pg_ctl's -o would pass them through a shell.
      appendFileSync(join(dataDir, 'postgresql.conf'), "\ninclude_if_exists = 'brightrun.conf'\n");
    }
    const port =
      options.port !== undefined && options.port > 0 && (await portFree(options.port))
        ? options.port
        : await freePort();
    const settings = [
      '# Written by server/src/local/postgres/cluster.ts at every start.',
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${socketDir}'`,
      // A temp cluster's data is thrown away, so durability is traded for speed. A kept
      // cluster keeps Postgres's defaults: a commit returns once its WAL is on disk.
      ...(persistent
        ? ['fsync = on', 'full_page_writes = on', 'synchronous_commit = on']
        : ['fsync = off', 'full_page_writes = off', 'synchronous_commit = off']),
      'max_connections = 60',
      "timezone = 'UTC'",
      '',
    ];
    writeFileSync(join(dataDir, 'brightrun.conf'), settings.join('\n'));
    if (osUser) chownSync(join(dataDir, 'brightrun.conf'), osUser.uid, osUser.gid);
    run(osUser, join(binDir, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', dataDir, '-l', logFile], {
      // pg_ctl's child keeps the pipes open; the log file has its output.
      stdio: 'ignore',
    });
    return { dir, socketDir, port, user: 'postgres', logFile, persistent, stop };
  } catch (error) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
    stop();
    throw new Error(`${(error as Error).message}${log ? `\n--- postgres.log ---\n${log}` : ''}`);
  }
}

/** Stops a kept cluster's server from another process (`brightrun local down` fallback). */
export function stopPersistentCluster(dir: string): boolean {
  const dataDir = join(resolve(dir), 'data');
  if (runningServer(dataDir) === undefined) return false;
  const binDir = ensurePostgresBinDir();
  stopServer(postgresOsUser(), binDir, dataDir, 'fast');
  return true;
}
