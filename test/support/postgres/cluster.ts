// A throwaway Postgres cluster in a temp folder: initdb as the `postgres` user (initdb refuses
// root), no fsync, a unix socket in the folder plus a free TCP port on 127.0.0.1 (for Deno and
// other clients that cannot use the socket). Everything is removed on stop, on process exit,
// and — for runs that were killed — by the next run.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePostgresBinDir } from './binaries.ts';

const PREFIX = 'brightrun-pg-';
const OWNER_FILE = 'owner.pid';

export interface Cluster {
  /** The temp folder holding data/, the socket and the log. */
  dir: string;
  /** Folder of the unix socket (pass as `host` to clients). */
  socketDir: string;
  port: number;
  /** Superuser name; trust authentication on the socket and on 127.0.0.1. */
  user: string;
  logFile: string;
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

function freePort(): Promise<number> {
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

/** Whether a process runs; a zombie (killed, not yet reaped by its parent) counts as gone. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Removes clusters left by runs that died without cleaning up (killed by a signal, OOM): their
 * owner process is gone. A cluster whose owner still runs (a parallel test run) is left alone.
 */
export function removeStaleClusters(binDir: string): string[] {
  const osUser = postgresOsUser();
  const removed: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let owner = 0;
    try {
      owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
    } catch {
      // No owner file: a run that died between mkdtemp and writing it.
    }
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
  const args = ['stop', '-D', dataDir, '-m', mode, '-w'];
  spawnSync(osUser ? 'runuser' : pgCtl, osUser ? ['-u', 'postgres', '--', pgCtl, ...args] : args, {
    stdio: 'ignore',
  });
}

/** The pid of a live server on this data folder, if any (its first postmaster.pid line). */
function runningServer(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface ClusterOptions {
  /**
   * A folder to keep the cluster in across runs (the local stack's data folder). Without it the
   * cluster lives in a fresh temp folder and is deleted on stop.
   */
  dir?: string;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const binDir = ensurePostgresBinDir();
  removeStaleClusters(binDir);
  const osUser = postgresOsUser();
  const persistent = options.dir !== undefined;

  const dir = options.dir ?? mkdtempSync(join(tmpdir(), PREFIX));
  mkdirSync(dir, { recursive: true });
  if (!persistent) writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  if (!fresh && runningServer(dataDir) !== undefined) {
    throw new Error(`a Postgres server is already running on ${dataDir}`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (osUser) {
    chownSync(dir, osUser.uid, osUser.gid);
    chownSync(dataDir, osUser.uid, osUser.gid);
  }

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    stopServer(osUser, binDir, dataDir, persistent ? 'fast' : 'immediate');
    if (!persistent) rmSync(dir, { recursive: true, force: true });
  };
  // Also on an uncaught failure that ends the process before the test hooks run.
  process.on('exit', stop);

  try {
    if (fresh) {
      run(osUser, join(binDir, 'initdb'), [
        '-D',
        dataDir,
        '--no-sync',
        '--auth=trust',
        '--username=postgres',
        '--encoding=UTF8',
        '--locale=C',
      ]);
      // Our settings live in their own file, rewritten at every start (the port changes);
      // pg_ctl's -o would pass them through a shell.
      appendFileSync(join(dataDir, 'postgresql.conf'), "\ninclude_if_exists = 'brightrun.conf'\n");
    }
    const port = await freePort();
    const settings = [
      '# Written by test/support/postgres/cluster.ts at every start.',
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      // A temp cluster's data is thrown away, so durability is traded for speed; a kept
      // cluster only gives up waiting for commits to reach the disk.
      ...(persistent ? [] : ['fsync = off', 'full_page_writes = off']),
      'synchronous_commit = off',
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
    return { dir, socketDir: dir, port, user: 'postgres', logFile, stop };
  } catch (error) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
    stop();
    throw new Error(`${(error as Error).message}${log ? `\n--- postgres.log ---\n${log}` : ''}`);
  }
}
