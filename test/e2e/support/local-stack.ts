// The local stack for the end-to-end journey, started the way a user starts it:
// `brightrun local up --dir <workspace>` (waits for its "ready" line) and stopped with
// `brightrun local down --dir <workspace>`. It writes `<workspace>/.brightrun/local.json`, which
// the extension finds as its Local backend and which the test reads to check results via the API.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalInfo } from '../../../server/src/local/stack.ts';
import { withTimeout } from '../../extension/support/code-server.ts';

const cli = fileURLToPath(new URL('../../../bin/brightrun.mjs', import.meta.url));

export interface LocalStack {
  readonly info: LocalInfo;
  /** Everything `local up` printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** The environment for our child processes: the test runner's tsx loader must not leak. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

function runCli(args: string[], timeoutMs: number): Promise<string> {
  const child = spawn(process.execPath, [cli, ...args], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`brightrun ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
  return withTimeout(done, timeoutMs, `brightrun ${args.join(' ')} did not finish`).catch(
    (error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
}

export async function startLocalStack(workspace: string): Promise<LocalStack> {
  // Any free ports: the machine may run another stack (or another helper's tests).
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, 'local', 'up', '--dir', workspace, '--port', '0', '--db-port', '0'],
    { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/^ready$/m.test(output)) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    void exited.then((code) => reject(new Error(`brightrun local up exited ${code}:\n${output}`)));
  });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      await runCli(['local', 'down', '--dir', workspace], 90_000);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
    }
  };

  try {
    await withTimeout(ready, 180_000, 'brightrun local up did not print "ready"');
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  const info = JSON.parse(
    readFileSync(join(workspace, '.brightrun', 'local.json'), 'utf8'),
  ) as LocalInfo;
  return { info, output: () => output, stop };
}

/** A call to the running stack's `api` function as the local user, as the extension makes it. */
export async function callApi<T>(
  info: LocalInfo,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${info.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${info.userToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
  return (JSON.parse(text) as { data: T }).data;
}
