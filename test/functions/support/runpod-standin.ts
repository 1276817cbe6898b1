// Starts gpu-worker/runpod-standin/server.py — a stand-in for a RunPod Serverless endpoint that
// runs the real RunPod handler (gpu-worker/runpod/handler.py) and the real trainer — for the
// RunPod pipeline tests. It answers RunPod's shapes, not the local cluster's: `/status` output is
// the handler's progress update while running and the list of yielded items once completed.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const SERVER = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'gpu-worker',
  'runpod-standin',
  'server.py',
);
const START_TIMEOUT_MS = 30_000;

export interface RunPodStandin {
  url: string;
  key: string;
  /** The kept working folder of a RunPod job (`output/` holds what the trainer wrote). */
  workDir(runpodId: string): string;
  /** GET with the endpoint's key; the parsed JSON answer. */
  get<T>(path: string): Promise<T>;
  /** Lines the stand-in (and the trainers it ran) wrote to stderr. */
  stderr(): string;
  close(): Promise<void>;
}

export async function startRunPodStandin(
  options: { workers?: number; env?: Record<string, string> } = {},
): Promise<RunPodStandin> {
  const key = `runpod-${randomBytes(16).toString('hex')}`;
  const keepDir = mkdtempSync(join(tmpdir(), 'brightrun-runpod-'));
  const child: ChildProcess = spawn(
    '/usr/bin/python3',
    [SERVER, '--port', '0', '--workers', String(options.workers ?? 1), '--keep-work', keepDir],
    {
      // Its own process group: closing it stops the trainers it started too.
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env, RUNPOD_STANDIN_KEY: key, PYTHONUNBUFFERED: '1' },
    },
  );
  let errors = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    errors = (errors + chunk).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the RunPod stand-in did not start in time:\n${errors}`)),
      START_TIMEOUT_MS,
    );
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`unexpected first line from the RunPod stand-in: ${line}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the RunPod stand-in exited (${code}):\n${errors}`));
    });
  });

  const close = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const force = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, 5000);
      await exited;
      clearTimeout(force);
    }
    rmSync(keepDir, { recursive: true, force: true });
  };

  return {
    url,
    key,
    workDir: (id) => join(keepDir, id),
    async get<T>(path: string): Promise<T> {
      const response = await fetch(`${url}${path}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      return (await response.json()) as T;
    },
    stderr: () => errors,
    close,
  };
}
