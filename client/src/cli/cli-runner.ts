// Runs the bundled `brightrun` CLI (dist/server/cli.js, shipped in the .vsix) in a child Node
// process for the file commands (statistics, conversion): the same engine as the language
// server, streaming from disk, off the extension host's thread.
import { fork } from 'node:child_process';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  cliModule: string,
  args: string[],
  signal?: AbortSignal,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = fork(cliModule, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Under Electron (desktop VS Code) the extension host's executable is Electron itself.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      signal,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
