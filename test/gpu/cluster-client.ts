import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  GpuJobStatus,
  RunRequest,
  StatusResponse,
} from '../../common/gpu-cluster/contract.ts';
import { isTerminalStatus } from '../../common/gpu-cluster/contract.ts';
import type { LocalGpuCluster } from '../../gpu-worker/cluster/index.ts';
import { startLocalGpuCluster } from '../../gpu-worker/cluster/index.ts';

export const API_KEY = 'test-gpu-cluster-key';
export const PAIRS_20 = pathToFileURL(
  join(import.meta.dirname, '../fixtures/gpu/pairs-20.jsonl'),
).href;

/** Small and quick on the tiny model: about 24 steps, a few seconds on one CPU thread. */
export const TINY_HYPERPARAMETERS = {
  base_model: 'builtin/tiny-gpt',
  learning_rate: 0.0005,
  batch_size: 2,
  epochs: 3,
  lora_rank: 8,
  lora_alpha: 16,
  lora_dropout: 0.05,
  warmup_ratio: 0.1,
  max_seq_length: 128,
  gradient_accumulation_steps: 1,
  validation_split: 0.2,
};

export interface TestCluster {
  cluster: LocalGpuCluster;
  workDir: string;
  request(method: string, path: string, body?: unknown, key?: string): Promise<Response>;
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  run(input: Partial<RunRequest['input']>, policy?: RunRequest['policy']): Promise<string>;
  waitFor(
    id: string,
    done: (s: StatusResponse) => boolean,
    timeoutMs?: number,
  ): Promise<StatusResponse>;
  waitForEnd(id: string, timeoutMs?: number): Promise<StatusResponse>;
  close(): Promise<void>;
}

const POLL_MS = 100;

export async function startTestCluster(concurrency: number): Promise<TestCluster> {
  const workDir = mkdtempSync(join(tmpdir(), 'brightrun-gpu-'));
  const cluster = await startLocalGpuCluster({
    port: 0,
    apiKey: API_KEY,
    concurrency,
    workDir,
    debugHooks: true,
    killGraceMs: 5000,
  });
  const request = (method: string, path: string, body?: unknown, key = API_KEY) =>
    fetch(`${cluster.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await request(method, path, body);
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const waitFor = async (
    id: string,
    done: (s: StatusResponse) => boolean,
    timeoutMs = 60_000,
  ): Promise<StatusResponse> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await json<StatusResponse>('GET', `/status/${id}`);
      if (done(status)) return status;
      if (Date.now() > deadline) {
        throw new Error(`job ${id} still ${status.status} after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  return {
    cluster,
    workDir,
    request,
    json,
    async run(input, policy) {
      const body: RunRequest = {
        input: {
          job_id: 'job-under-test',
          dataset_url: PAIRS_20,
          hyperparameters: TINY_HYPERPARAMETERS,
          gpu_config: { type: 'A100-80GB', count: 1 },
          ...input,
        },
        ...(policy ? { policy } : {}),
      };
      const res = await json<{ id: string; status: GpuJobStatus }>('POST', '/run', body);
      return res.id;
    },
    waitFor,
    waitForEnd: (id, timeoutMs) => waitFor(id, (s) => isTerminalStatus(s.status), timeoutMs),
    async close() {
      await cluster.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
