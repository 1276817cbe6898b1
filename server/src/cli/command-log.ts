// One JSON line per CLI run in `.brightrun/logs/cli.log` (issue 8, observability), so a
// workspace keeps a record of what was validated or converted, how long it took and how it
// ended, next to the local stack's logs. Only when the run happens inside a workspace that
// already has `.brightrun/` (the current folder or one above it, or `--dir`): the CLI never
// creates that folder just to log. Logging is best effort: a failure to write is swallowed,
// because a read-only or full disk must never change a command's outcome.
import { appendFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface CommandLogEntry {
  command: string;
  /** The arguments that name existing files, resolved (inputs, and outputs once written). */
  files: string[];
  duration_ms: number;
  /** `ok` (exit 0), `findings` (1), `usage` (2: usage or I/O failure), or `exit_<n>`. */
  outcome: string;
  exit_code: number;
}

/** The `.brightrun/` folder of the workspace the CLI runs in, if there is one. */
export function workspaceBrightrunDir(argv: string[], cwd: string): string | undefined {
  const dirFlag = argv.indexOf('--dir');
  if (dirFlag >= 0 && argv[dirFlag + 1] !== undefined) {
    const candidate = join(resolve(cwd, argv[dirFlag + 1]), '.brightrun');
    return existsSync(candidate) ? candidate : undefined;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, '.brightrun');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function outcomeOf(exitCode: number): string {
  return (
    ({ 0: 'ok', 1: 'findings', 2: 'usage' } as Record<number, string>)[exitCode] ??
    `exit_${exitCode}`
  );
}

/**
 * Appends the run's line. `argv` is the whole command line after `brightrun`; the first
 * element names the command. Never throws.
 */
export function logCommand(
  argv: string[],
  exitCode: number,
  durationMs: number,
  cwd = process.cwd(),
): void {
  try {
    if (process.env.BRIGHTRUN_CLI_LOG === '0') return;
    const brightrun = workspaceBrightrunDir(argv, cwd);
    if (brightrun === undefined) return;
    const [command = '', ...rest] = argv;
    const entry: CommandLogEntry = {
      command: rest[0] !== undefined && command === 'local' ? `local ${rest[0]}` : command,
      files: rest
        .filter((arg) => !arg.startsWith('-'))
        .map((arg) => resolve(cwd, arg))
        .filter(isFile),
      duration_ms: Math.round(durationMs),
      outcome: outcomeOf(exitCode),
      exit_code: exitCode,
    };
    const logs = join(brightrun, 'logs');
    mkdirSync(logs, { recursive: true });
    const line = JSON.stringify({ ts: new Date().toISOString(), ...entry, cwd, pid: process.pid });
    appendFileSync(join(logs, 'cli.log'), `${line}\n`);
  } catch {
    // Best effort, as said above.
  }
}
