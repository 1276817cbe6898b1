// Runs `npm start` the way a user does in a terminal, in a temporary folder so it never clashes
// with a developer's own stack: the command comes from the README (so the tests break when the
// README's steps change), run by a shell in a process group of its own, as a terminal's
// foreground job; Ctrl-C is SIGINT to that whole group. Afterwards it finds anything left running.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** The environment of a user's shell: no tsx loader from mocha's NODE_OPTIONS. */
export const userEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS'),
);

/** The shell commands of the first ```sh block after the README heading that starts with `heading`. */
export function readmeCommands(heading: string): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const at = readme
    .split('\n')
    .findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '').startsWith(heading));
  if (at < 0) throw new Error(`README.md has no heading "${heading}"`);
  const after = readme.split('\n').slice(at + 1);
  const open = after.findIndex((line) => line.trim() === '```sh');
  const close = after.findIndex((line, i) => i > open && line.trim() === '```');
  if (open < 0 || close < 0) throw new Error(`no \`\`\`sh block under "${heading}" in README.md`);
  return after
    .slice(open + 1, close)
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

/**
 * A fresh folder for `--dir`. The Postgres OS user must be able to reach the cluster inside it,
 * so it is world-searchable (mkdtemp makes it 0700).
 */
export function tempWorkspace(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

export interface Started {
  child: ChildProcess;
  /** Every line printed so far, both streams. */
  lines: string[];
  /** The exit code, or the signal that ended the shell (a terminal's Ctrl-C ends it too). */
  exited: Promise<number | string | null>;
  /** Resolves with the first line matching `pattern`; rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
}

export function startInShell(command: string, cwd = root): Started {
  const child = spawn('sh', ['-c', command], {
    cwd,
    env: userEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onLine = (line: string): void => {
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  // 'close': the shell has exited and so has every process that still held its output (npm
  // may return on Ctrl-C before the script it ran has finished stopping things).
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('close', (code, signal) => resolve(code ?? signal)),
  );
  const waitForLine = (pattern: RegExp, timeoutMs: number): Promise<string> => {
    const seen = lines.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no line matching ${pattern} within ${timeoutMs / 1000} s:\n${lines.join('\n')}`,
            ),
          ),
        timeoutMs,
      );
      waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void exited.then((code) =>
        reject(
          new Error(
            `\`${command}\` exited ${code} before printing ${pattern}:\n${lines.join('\n')}`,
          ),
        ),
      );
    });
  };
  return { child, lines, exited, waitForLine };
}

/** Ctrl-C in the terminal: SIGINT to the whole foreground process group. */
export function pressCtrlC(started: Started): void {
  process.kill(-started.child.pid!, 'SIGINT');
}

/**
 * Cleanup after a failed test: Ctrl-C (so the stack shuts its database down), and SIGKILL to
 * whatever is left of the group after a minute.
 */
export async function stopStarted(started: Started): Promise<void> {
  let done = false;
  void started.exited.then(() => (done = true));
  try {
    process.kill(-started.child.pid!, 'SIGINT');
  } catch {
    return;
  }
  const timer = new Promise<void>((resolve) => setTimeout(resolve, 60_000).unref());
  await Promise.race([started.exited, timer]);
  if (!done) {
    try {
      process.kill(-started.child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

interface ProcessInfo {
  pid: number;
  pgid: number;
  command: string;
  cwd: string;
}

function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${name}/cwd`);
      } catch {
        // Another user's process (postgres): its command line still names the folder.
      }
      found.push({ pid: Number(name), pgid: Number(fields[2]), command, cwd });
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

/** Processes still running from the started group or working in (or naming) `folder`. */
export function leftovers(started: Started, folder: string): string[] {
  return processes()
    .filter(
      (p) =>
        p.pid !== process.pid &&
        (p.pgid === started.child.pid || p.command.includes(folder) || p.cwd.startsWith(folder)),
    )
    .map((p) => `${p.pid} ${p.command.slice(0, 160)}`);
}

/** True when something accepts connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs a command to completion; resolves with its exit code and output. */
export function run(
  command: string,
  args: string[],
  cwd = root,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { cwd, env: userEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
