import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { JobRunner } from './job-runner.ts';
import { createRouter } from './server.ts';

export interface LocalGpuClusterOptions {
  /** 0 picks a free port. */
  port: number;
  apiKey: string;
  /** Trainers running at once (default 1: one machine, one "GPU"). */
  concurrency?: number;
  /** Per-job folders (spec and output files) go here. */
  workDir: string;
  host?: string;
  /** Folder holding the `trainer` package; defaults to this repository's gpu-worker/. */
  workerDir?: string;
  /** Python with torch (default /usr/bin/python3, or BRIGHTRUN_PYTHON). */
  python?: string;
  /** Per-job execution timeout (ms) unless a request's policy sets one; default 2 hours. */
  timeoutMs?: number;
  killGraceMs?: number;
  /** Lets trainers honour `input.debug` failure injection (tests and the local stack only). */
  debugHooks?: boolean;
  log?: (line: string) => void;
}

export interface LocalGpuCluster {
  url: string;
  close(): Promise<void>;
}

const DEFAULT_WORKER_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Starts the GPU cluster of architecture.md §5 on this machine: the same contract as RunPod
 * Serverless, running the real trainer as one subprocess per job.
 */
export async function startLocalGpuCluster(
  options: LocalGpuClusterOptions,
): Promise<LocalGpuCluster> {
  if (options.apiKey === '') throw new Error('The local GPU cluster needs a non-empty apiKey');
  mkdirSync(options.workDir, { recursive: true });
  const runner = new JobRunner({
    concurrency: Math.max(1, options.concurrency ?? 1),
    workDir: options.workDir,
    workerDir: options.workerDir ?? process.env.BRIGHTRUN_GPU_WORKER_DIR ?? DEFAULT_WORKER_DIR,
    python: options.python ?? process.env.BRIGHTRUN_PYTHON ?? '/usr/bin/python3',
    timeoutMs: options.timeoutMs ?? 2 * 60 * 60 * 1000,
    killGraceMs: options.killGraceMs ?? 10_000,
    debugHooks: options.debugHooks ?? false,
    log: options.log ?? (() => {}),
  });
  let url = '';
  const handle = createRouter({ apiKey: options.apiKey, runner, baseUrl: () => url });
  const server = createServer((req, res) => void handle(req, res));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  url = `http://${host}:${address.port}`;
  return {
    url,
    async close() {
      await runner.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
