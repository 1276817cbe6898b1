import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root and the real `brightrun` bin the tests run (built by esbuild first). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/brightrun.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `brightrun ARGS` as a child process and resolves when it exits. NODE_OPTIONS is cleared:
 * the test runner loads tsx through it, and the CLI must run as users run it, from the bundle.
 */
export function runCli(
  args: string[],
  options: { cwd?: string; nodeOptions?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    if (options.nodeOptions !== undefined) env.NODE_OPTIONS = options.nodeOptions;
    const child = spawn(process.execPath, ['--max-semi-space-size=1', BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    // 'close' (not 'exit') fires once both pipes are drained, so no output is lost.
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

/** A stack frame line: the CLI must never print one, whatever the input. */
export const STACK_FRAME = /^\s+at /m;

export interface JsonDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
  suggestion?: string;
  related?: { line: number; column: number; endLine: number; endColumn: number; message: string }[];
}

export interface JsonReport {
  file: string;
  shape: string | null;
  trainingReady: boolean;
  counts: { error: number; warning: number; info: number; hint: number; pairs: number };
  truncated: boolean;
  omitted: { error: number; warning: number; info: number; hint: number };
  diagnostics: JsonDiagnostic[];
  stats: Record<string, unknown>;
}

/** Parses `--format json` output: one object per line. */
export function parseReports(stdout: string): JsonReport[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as JsonReport);
}
