// `brightrun local …`: start, stop and inspect the local stack, and add local users. Thin: it
// parses arguments and calls stack.ts; what the stack is lives there.
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { UsageError } from '../cli/errors.ts';
import type { Output } from '../cli/output.ts';
import { userToken } from './keys.ts';
import { alive, stopPersistentCluster } from './postgres/cluster.ts';
import {
  ensureUser,
  loadOrCreateSecrets,
  readLocalInfo,
  stackPaths,
  startStack,
  type LocalInfo,
  type StackPaths,
} from './stack.ts';

export const LOCAL_HELP = `Usage: brightrun local <command> [options]

Runs BrightRun's backend on this machine: Postgres (data kept in .brightrun/postgres), the Edge
Functions and the file store behind one gateway, a scheduler for the background functions and
the local GPU cluster. Everything lives in <dir>/.brightrun/ (logs in .brightrun/logs/).

Commands:
  up                 start the stack in the foreground; prints "ready" once it serves and writes
                     .brightrun/local.json (url, apiUrl, keys, userToken, dbUrl, ...);
                     Ctrl-C (or \`brightrun local down\`) stops everything
  down               stop a running stack (waits until everything has exited)
  status             say whether the stack runs, and where (exit 1 when it does not)
  user add EMAIL     create a local user (or find it) and print its access token

Options:
  --dir DIR          the workspace holding .brightrun/ (default: the current folder)
  --port N           gateway port for up (default 54321; 0 = any free port)
  --db-port N        Postgres port for up (default 54322; 0 = any free port)
  --json             status: print local.json's contents (without keys) as JSON
  -h, --help         this help
`;

const OPTIONS = {
  dir: { type: 'string' },
  port: { type: 'string' },
  'db-port': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function portOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--${name} must be a port number (0 for any free port)`);
  }
  return port;
}

export async function runLocal(argv: string[], output: Output): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    output.out(LOCAL_HELP);
    return values.help ? 0 : 2;
  }
  const paths = stackPaths(values.dir ?? process.cwd());
  const [command, ...rest] = positionals;
  switch (command) {
    case 'up':
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      return up(paths, values, output);
    case 'down':
      return down(paths, output);
    case 'status':
      return status(paths, values.json === true, output);
    case 'user':
      if (rest[0] !== 'add' || rest.length !== 2) {
        throw new UsageError('usage: brightrun local user add EMAIL');
      }
      return userAdd(paths, rest[1], output);
    default:
      throw new UsageError(`unknown local command "${command}" (up, down, status, user add)`);
  }
}

async function up(
  paths: StackPaths,
  values: { dir?: string; port?: string; 'db-port'?: string },
  output: Output,
): Promise<number> {
  const started = performance.now();
  const port = portOption(values.port, 'port');
  const dbPort = portOption(values['db-port'], 'db-port');
  // Listen before starting anything: a signal sent while the stack starts, or the moment
  // `ready` is read, must stop it cleanly, not kill this process by default with the pieces it
  // started left running (registering the first listener takes long enough to lose that race).
  // A second Ctrl-C, while starting or stopping, ends at once; the pieces stop themselves (stdin
  // lifeline, pg_ctl's own shutdown on the terminal's SIGINT). Under `npm start` one Ctrl-C
  // arrives twice, as the terminal's SIGINT and as the SIGTERM `npm start` passes on, in either
  // order: only a second SIGINT counts as a second Ctrl-C.
  let received: NodeJS.Signals | undefined;
  let interrupts = 0;
  let onSignal: (name: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolveSignal) => (onSignal = resolveSignal));
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(name, () => {
      if (name === 'SIGINT' && ++interrupts > 1) process.exit(130);
      received ??= name;
      onSignal(name);
    });
  }
  let stack;
  try {
    stack = await startStack({
      workspace: values.dir ?? process.cwd(),
      port,
      dbPort,
      progress: (message) => output.err(`brightrun local: ${message}\n`),
    });
  } catch (error) {
    // Everything started so far has been stopped; the logs have the details.
    output.err(`brightrun local: could not start: ${(error as Error).message}\n`);
    output.err(`brightrun local: logs in ${paths.logs}\n`);
    return 1;
  }
  if (received === undefined) printReady(stack.info, paths, started, output);

  const signal = await Promise.race([signalled, stack.failed]);
  if (!['SIGINT', 'SIGTERM', 'SIGHUP'].includes(signal)) {
    output.err(`brightrun local: stopped: ${signal}\n`);
    setTimeout(() => process.exit(1), 2000).unref();
    return 1;
  }
  output.err(`brightrun local: stopping (${signal})\n`);
  await stack.stop(signal);
  output.err('brightrun local: stopped\n');
  // Everything is closed; should a library keep a handle open, do not hang on it.
  setTimeout(() => process.exit(0), 2000).unref();
  return 0;
}

/** The stack's addresses for a person, then `ready` for a program waiting on stdout. */
function printReady(info: LocalInfo, paths: StackPaths, started: number, output: Output): void {
  output.err(
    [
      `BrightRun local stack (${Math.round(performance.now() - started)} ms)`,
      `  gateway      ${info.url}`,
      `  api          ${info.apiUrl}`,
      `  database     ${info.dbUrl}`,
      `  gpu cluster  ${info.gpuClusterUrl}`,
      `  user         ${info.userEmail}`,
      `  settings     ${paths.info}`,
      `  logs         ${paths.logs}/*.log`,
      'Stop with Ctrl-C or `brightrun local down`.',
      '',
    ].join('\n'),
  );
  output.out('ready\n');
}

function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolveExit) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      if (!alive(pid)) resolveExit(true);
      else if (Date.now() > deadline) resolveExit(false);
      // Another process's exit cannot be awaited from Node: poll /proc.
      else setTimeout(check, 100);
    };
    check();
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

async function down(paths: StackPaths, output: Output): Promise<number> {
  const info = readLocalInfo(paths);
  let stoppedSomething = false;
  if (info && alive(info.pid)) {
    process.kill(info.pid, 'SIGTERM');
    stoppedSomething = true;
    if (!(await waitForExit(info.pid, 60_000))) {
      output.err(`brightrun local: the stack (pid ${info.pid}) did not stop; killing it\n`);
      process.kill(info.pid, 'SIGKILL');
      await waitForExit(info.pid, 5000);
    }
  }
  // Whatever a killed stack left behind: the gateway's group and the database server.
  if (info && info.gatewayPid > 0 && alive(info.gatewayPid)) {
    killGroup(info.gatewayPid, 'SIGTERM');
    if (!(await waitForExit(info.gatewayPid, 5000))) killGroup(info.gatewayPid, 'SIGKILL');
    stoppedSomething = true;
  }
  if (stopPersistentCluster(paths.postgres)) stoppedSomething = true;
  rmSync(paths.info, { force: true });
  output.out(stoppedSomething ? 'stopped\n' : 'not running\n');
  return 0;
}

async function status(paths: StackPaths, asJson: boolean, output: Output): Promise<number> {
  const info = readLocalInfo(paths);
  const running = info !== undefined && alive(info.pid);
  let gateway = false;
  if (running) {
    try {
      gateway = (await fetch(`${info.url}/health`, { signal: AbortSignal.timeout(3000) })).ok;
    } catch {
      gateway = false;
    }
  }
  if (asJson) {
    const visible: Partial<LocalInfo> = { ...info };
    delete visible.anonKey;
    delete visible.serviceRoleKey;
    delete visible.userToken;
    delete visible.gpuClusterApiKey;
    output.out(`${JSON.stringify({ running, gateway, ...visible })}\n`);
  } else if (running) {
    output.out(
      `running (pid ${info.pid}) at ${info.url}, gateway ${gateway ? 'answering' : 'NOT answering'}, ` +
        `database ${info.dbUrl}, logs in ${info.logsDir}\n`,
    );
  } else {
    output.out('not running\n');
  }
  return running && gateway ? 0 : 1;
}

async function userAdd(paths: StackPaths, email: string, output: Output): Promise<number> {
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new UsageError(`"${email}" is not an email address`);
  const info = readLocalInfo(paths);
  if (!info || !alive(info.pid)) {
    output.err(
      'brightrun local: the local stack is not running; start it with `brightrun local up`\n',
    );
    return 1;
  }
  const secrets = loadOrCreateSecrets(paths);
  const sql = postgres(info.dbUrl, { max: 1, onnotice: () => {} });
  try {
    const userId = await ensureUser(sql, email);
    output.out(`${userToken(userId, email, secrets.jwtSecret)}\n`);
    output.err(`brightrun local: user ${email} (${userId})\n`);
  } finally {
    await sql.end({ timeout: 2 });
  }
  return 0;
}
