// The backend the pipeline tests drive: a temp Postgres with the migrations, the real local GPU
// cluster (tiny trainer, debug hooks on) behind a counting proxy, a local file store folder, and
// the background functions under real Deno in the local gateway (server/src/local/
// start-gateway.ts). The tests call the functions themselves, the way the scheduler does, and
// wait for database states with timeouts (never sleeps). One stack per test file.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startLocalGpuCluster, type LocalGpuCluster } from '../../../gpu-worker/cluster/index.ts';
import { apiKey, newJwtSecret } from '../../../server/src/local/keys.ts';
import {
  startGateway,
  type Gateway,
  type GatewayEnv,
} from '../../../server/src/local/start-gateway.ts';
import {
  asUser,
  createUser,
  startTestDatabase,
  type TestDatabase,
} from '../../support/postgres/index.ts';
import { startGpuClusterProxy, type GpuClusterProxy } from './gpu-cluster-proxy.ts';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

/** Knobs of the background functions for tests (production defaults are much longer). */
export const TEST_KNOBS: Record<string, string> = {
  BRIGHTRUN_TRAINER_DEBUG: '1',
  BRIGHTRUN_RETRY_BACKOFF_MS: '200',
  BRIGHTRUN_PROCESSOR_FOLLOW_MS: '1200',
  BRIGHTRUN_PROCESSOR_POLL_MS: '200',
};

export interface Invocation {
  status: number;
  body: { success?: boolean; data?: Record<string, unknown>; error?: string };
  ms: number;
}

export interface JobRow {
  id: string;
  status: string;
  current_stage: string;
  progress: number;
  current_step: number;
  total_steps: number | null;
  attempt: number;
  external_id: string | null;
  error_message: string | null;
  cancel_requested_at: Date | null;
  claimed_by: string | null;
  started_at: Date | null;
  completed_at: Date | null;
  actual_cost: number | null;
  running_cost: number | null;
  eta_seconds: number | null;
  next_attempt_at: Date;
  gpu_output: Record<string, unknown> | null;
}

export interface DatasetRow {
  id: string;
  status: string;
  training_ready: boolean;
  error_message: string | null;
  total_training_pairs: number | null;
  total_samples: number | null;
  total_conversations: number | null;
  total_tokens: number | null;
  tokens_estimated: boolean;
  avg_turns_per_conversation: number | null;
  avg_tokens_per_turn: number | null;
  token_stats: Record<string, unknown> | null;
  sample_data: unknown[] | null;
  detected_shape: string | null;
  validation_errors: {
    line: number;
    column: number;
    code: string;
    severity: string;
    message: string;
  }[];
  validation_cursor: Record<string, unknown> | null;
  validation_attempts: number;
}

export interface UploadOptions {
  name?: string;
  fileName?: string;
  /** Declared size/sha256 (default: the real ones). */
  declaredSize?: number;
  declaredSha256?: string;
}

export interface PipelineStack {
  db: TestDatabase;
  gpu: LocalGpuCluster;
  gpuWorkDir: string;
  proxy: GpuClusterProxy;
  gateway: Gateway;
  /** Root of the local file store (`<bucket>/<path>` files). */
  objectsDir: string;
  serviceKey: string;
  /** Background functions the gateway was asked to wake (by name, in order). */
  wakes: string[];
  gatewayEnv: GatewayEnv;
  invoke(name: string, via?: Gateway, key?: string | null): Promise<Invocation>;
  /** Starts another gateway process on the same database, store and cluster. */
  startGateway(extraEnv?: Record<string, string>): Promise<Gateway>;
  newUser(): Promise<string>;
  uploadDataset(
    userId: string,
    bytes: Uint8Array | string,
    options?: UploadOptions,
  ): Promise<string>;
  dataset(id: string): Promise<DatasetRow>;
  /** Invokes validate-datasets until the dataset leaves `validating`; returns the runs made. */
  validate(datasetId: string, timeoutMs?: number): Promise<{ row: DatasetRow; runs: number }>;
  /** A ready dataset of the 50-pair fixture for `userId`. */
  readyDataset(userId: string): Promise<string>;
  createJob(
    userId: string,
    datasetId: string,
    config?: Record<string, unknown>,
    debug?: Record<string, number>,
  ): Promise<string>;
  job(id: string): Promise<JobRow>;
  /** Invokes process-training-jobs until `done(job)` holds. */
  processUntil(
    jobId: string,
    done: (job: JobRow) => boolean,
    options?: { timeoutMs?: number; via?: Gateway; what?: string },
  ): Promise<{ job: JobRow; runs: number }>;
  objectFile(bucket: string, path: string): string;
  stop(): Promise<void>;
}

/** Tiny-model settings that keep the balanced preset (only non-preset fields change). */
export const TINY_BALANCED = {
  preset_id: 'balanced',
  hyperparameters: { base_model: 'builtin/tiny-gpt', max_seq_length: 256 },
  gpu_config: { type: 'A100-80GB', count: 1 },
};

export async function startPipelineStack(
  options: { knobs?: Record<string, string>; gpuConcurrency?: number } = {},
): Promise<PipelineStack> {
  const db = await startTestDatabase();
  const root = mkdtempSync(join(tmpdir(), 'brightrun-pipeline-'));
  const objectsDir = join(root, 'objects');
  const gpuWorkDir = join(root, 'gpu');
  const secret = newJwtSecret();
  const gpuKey = `gpu-${newJwtSecret()}`;
  const serviceKey = apiKey('service_role', secret);
  const gateways: Gateway[] = [];
  let gpu: LocalGpuCluster | undefined;
  let proxy: GpuClusterProxy | undefined;
  const wakes: string[] = [];

  const cleanup = async () => {
    await Promise.allSettled(gateways.map((g) => g.stop()));
    await proxy?.close();
    await gpu?.close();
    await db.stop();
    rmSync(root, { recursive: true, force: true });
  };

  try {
    gpu = await startLocalGpuCluster({
      port: 0,
      apiKey: gpuKey,
      workDir: gpuWorkDir,
      concurrency: options.gpuConcurrency ?? 2,
      debugHooks: true,
      killGraceMs: 5000,
    });
    proxy = await startGpuClusterProxy(gpu.url);
    const gatewayEnv: GatewayEnv = {
      SUPABASE_DB_URL: db.url,
      SUPABASE_SERVICE_ROLE_KEY: serviceKey,
      SUPABASE_ANON_KEY: apiKey('anon', secret),
      BRIGHTRUN_JWT_SECRET: secret,
      BRIGHTRUN_STORAGE_DIR: objectsDir,
      GPU_CLUSTER_API_URL: proxy.url,
      GPU_CLUSTER_API_KEY: gpuKey,
    };
    const knobs = { ...TEST_KNOBS, ...options.knobs };
    const launch = async (extra: Record<string, string> = {}) => {
      const gateway = await startGateway({
        env: gatewayEnv,
        extraEnv: { ...knobs, ...extra },
        // Wakes are recorded, not run: the tests invoke every function themselves.
        onWake: (name) => wakes.push(name),
        // BRIGHTRUN_TEST_LOGS=1 shows what the functions log (one JSON line per event).
        onLog: process.env.BRIGHTRUN_TEST_LOGS === '1' ? (line) => console.error(line) : undefined,
      });
      gateways.push(gateway);
      return gateway;
    };
    const gateway = await launch();
    const sql = db.sql;

    const invoke = async (name: string, via = gateway, key: string | null = serviceKey) => {
      const started = performance.now();
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        // The scheduler's mark: the gateway runs the handler instead of reporting a wake.
        'x-brightrun-scheduler': via.schedulerToken,
      };
      if (key !== null) headers.authorization = `Bearer ${key}`;
      const response = await fetch(`${via.url}/functions/v1/${name}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ source: 'test' }),
      });
      const text = await response.text();
      let body: Invocation['body'];
      try {
        body = JSON.parse(text) as Invocation['body'];
      } catch {
        body = { error: text };
      }
      return { status: response.status, body, ms: performance.now() - started };
    };

    const dataset = async (id: string) => {
      const [row] = await sql<DatasetRow[]>`select * from public.datasets where id = ${id}`;
      return row;
    };
    const job = async (id: string) => {
      const [row] = await sql<JobRow[]>`select * from public.training_jobs where id = ${id}`;
      return row;
    };
    const objectFile = (bucket: string, path: string) =>
      join(objectsDir, bucket, ...path.split('/'));

    const uploadDataset = async (
      userId: string,
      content: Uint8Array | string,
      upload: UploadOptions = {},
    ) => {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      const sha = createHash('sha256').update(bytes).digest('hex');
      const created = await asUser(
        sql,
        userId,
        (tx) => tx<{ id: string; storage_path: string }[]>`
          select id, storage_path from public.create_dataset(
            ${upload.name ?? 'test dataset'}, ${upload.fileName ?? 'data.jsonl'},
            ${upload.declaredSize ?? bytes.length}, ${upload.declaredSha256 ?? sha})`,
      );
      const { id, storage_path: path } = created[0];
      // What the local file store does on an upload: the file, then the storage.objects row.
      const file = objectFile('lora-datasets', path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, bytes);
      await sql`
        insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
        values ('lora-datasets', ${path}, ${userId}, ${userId},
                ${sql.json({ size: bytes.length, mimetype: 'application/jsonl' })})`;
      await asUser(sql, userId, (tx) => tx`select public.complete_dataset_upload(${id})`);
      return id;
    };

    const validate = async (datasetId: string, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      let runs = 0;
      for (;;) {
        const result = await invoke('validate-datasets');
        if (result.status !== 200) {
          throw new Error(
            `validate-datasets answered ${result.status}: ${JSON.stringify(result.body)}`,
          );
        }
        runs++;
        const row = await dataset(datasetId);
        if (row.status !== 'validating') return { row, runs };
        if (Date.now() > deadline) {
          throw new Error(`dataset ${datasetId} still validating after ${runs} runs`);
        }
      }
    };

    const createJob = async (
      userId: string,
      datasetId: string,
      config: Record<string, unknown> = TINY_BALANCED,
      debug?: Record<string, number>,
    ) => {
      const [row] = await asUser(
        sql,
        userId,
        (tx) => tx<{ id: string }[]>`
          select id from public.create_training_job(${datasetId}, ${tx.json(config as never)})`,
      );
      if (debug !== undefined) {
        // Failure injection rides on the job's config; the processor forwards it to the trainer
        // only with BRIGHTRUN_TRAINER_DEBUG=1, and the cluster only with its debug hooks on.
        await sql`
          update public.training_jobs set config = config || ${sql.json({ debug })}
           where id = ${row.id}`;
      }
      return row.id;
    };

    const processUntil: PipelineStack['processUntil'] = async (jobId, done, opts = {}) => {
      const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
      let runs = 0;
      for (;;) {
        const before = await job(jobId);
        if (done(before)) return { job: before, runs };
        if (Date.now() > deadline) {
          throw new Error(
            `job ${jobId} never became ${opts.what ?? 'the expected state'} (${runs} runs): ${JSON.stringify(
              { status: before.status, stage: before.current_stage, error: before.error_message },
            )}`,
          );
        }
        const result = await invoke('process-training-jobs', opts.via ?? gateway);
        if (result.status !== 200) {
          throw new Error(
            `process-training-jobs answered ${result.status}: ${JSON.stringify(result.body)}`,
          );
        }
        runs++;
      }
    };

    let fixtureDataset: Buffer | undefined;
    const readyDataset = async (userId: string) => {
      const { readFileSync } = await import('node:fs');
      fixtureDataset ??= readFileSync(join(FIXTURES, 'gpu', 'pairs-50.jsonl'));
      const id = await uploadDataset(userId, fixtureDataset, { name: 'pairs-50' });
      const { row } = await validate(id);
      if (row.status !== 'ready')
        throw new Error(`fixture dataset not ready: ${row.error_message}`);
      return id;
    };

    return {
      db,
      gpu,
      gpuWorkDir,
      proxy,
      gateway,
      objectsDir,
      serviceKey,
      wakes,
      gatewayEnv,
      invoke,
      startGateway: launch,
      newUser: () => createUser(sql),
      uploadDataset,
      dataset,
      validate,
      readyDataset,
      createJob,
      job,
      processUntil,
      objectFile,
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Writes `text` as a file (for fixtures made in a test). */
export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
