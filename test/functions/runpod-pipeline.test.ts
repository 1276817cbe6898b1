// The production path through RunPod Serverless, end to end with real parts: process-training-jobs
// and create-model-artifacts under real Deno and real Postgres, the local file store's signed
// upload URLs served by the gateway, and the REAL RunPod handler (gpu-worker/runpod/handler.py,
// running the real trainer) behind a stand-in that answers RunPod's documented shapes
// (gpu-worker/runpod-standin/server.py): the aggregated `/status` output list, progress updates
// without metrics, errors as strings. Nothing here is served at `/files/…`: the worker uploads.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userToken } from '../../server/src/local/keys.ts';
import { startGateway, type Gateway } from '../../server/src/local/start-gateway.ts';
import { asUser } from '../support/postgres/index.ts';
import {
  startPipelineStack,
  TEST_KNOBS,
  TINY_BALANCED,
  type PipelineStack,
} from './support/pipeline-stack.ts';
import { startRunPodStandin, type RunPodStandin } from './support/runpod-standin.ts';

const HOUR_MS = 3_600_000;
const NAN_MESSAGE = 'Training diverged (NaN loss): lower the learning rate';
const EXPECTED_FILES = [
  'adapter_config.json',
  'adapter_model.safetensors',
  'checkpoints/epoch-1/adapter_model.safetensors',
  'checkpoints/epoch-2/adapter_model.safetensors',
  'checkpoints/epoch-3/adapter_model.safetensors',
  'checkpoints/epoch-4/adapter_model.safetensors',
  'checkpoints/epoch-5/adapter_model.safetensors',
  'training_log.jsonl',
];

interface RunBody {
  input: {
    job_id: string;
    upload_urls?: Record<string, string>;
    upload_urls_refresh?: { url: string; token: string };
  };
  policy?: { executionTimeout?: number; ttl?: number };
}

interface RawStatus {
  id: string;
  status: string;
  output?: unknown;
  error?: string;
}

interface ArtifactRow {
  id: string;
  status: string;
  error_message: string | null;
  storage_path: string;
  files: Record<string, { path: string; size: number; sha256: string }>;
  total_size: number;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('the RunPod path (real handler behind a RunPod Serverless stand-in)', function () {
  let stack: PipelineStack;
  let standin: RunPodStandin;
  let gateway: Gateway;
  let user: string;
  let datasetId: string;
  /** The functions' JSON log lines, for the worker's calls to worker-upload-urls. */
  const functionLogs: Record<string, unknown>[] = [];

  before(async function () {
    this.timeout(180_000);
    stack = await startPipelineStack();
    // Debug hooks on the worker side, as the local cluster's --debug-hooks: the NaN test uses one.
    standin = await startRunPodStandin({ env: { BRIGHTRUN_TRAINER_DEBUG: '1' } });
    // A gateway of its own on the same database and file store, whose GPU cluster is RunPod.
    gateway = await startGateway({
      env: {
        ...stack.gatewayEnv,
        GPU_CLUSTER_API_URL: standin.url,
        GPU_CLUSTER_API_KEY: standin.key,
      },
      // Hosted Storage signs upload URLs for two hours whatever is asked; here they last one
      // second, so every job outlives the URLs it was submitted with, as a long hosted job does,
      // and its worker must fetch fresh ones from worker-upload-urls to deliver its files.
      extraEnv: { ...TEST_KNOBS, BRIGHTRUN_STORAGE_UPLOAD_URL_MAX_SECONDS: '1' },
      onWake: () => undefined,
      onLog: (line) => {
        if (process.env.BRIGHTRUN_TEST_LOGS === '1') console.error(line);
        if (line.startsWith('{')) functionLogs.push(JSON.parse(line) as Record<string, unknown>);
      },
    });
    user = await stack.newUser();
    datasetId = await stack.readyDataset(user);
  });

  after(async function () {
    this.timeout(60_000);
    await gateway?.stop();
    await standin?.close();
    await stack?.stop();
  });

  const artifactOf = async (jobId: string) => {
    const [row] = await stack.db.sql<ArtifactRow[]>`
      select id, status, error_message, storage_path, files, total_size
        from public.model_artifacts where job_id = ${jobId}`;
    return row;
  };

  const runToEnd = async (jobId: string) =>
    (
      await stack.processUntil(
        jobId,
        (j) => ['completed', 'failed', 'cancelled'].includes(j.status),
        {
          via: gateway,
          timeoutMs: 150_000,
          what: 'finished',
        },
      )
    ).job;

  describe('a job from queued to a downloadable adapter', function () {
    let jobId: string;
    let externalId: string;
    let artifact: ArtifactRow;

    it('is submitted with upload URLs for every file and an execution policy', async function () {
      this.timeout(60_000);
      jobId = await stack.createJob(user, datasetId);
      const { job } = await stack.processUntil(jobId, (j) => j.external_id !== null, {
        via: gateway,
        what: 'submitted',
      });
      externalId = job.external_id!;
      const body = await standin.get<RunBody>(`/_standin/requests/${externalId}`);
      assert.equal(body.input.job_id, jobId);
      const urls = body.input.upload_urls ?? {};
      assert.deepEqual(Object.keys(urls).sort(), EXPECTED_FILES);
      const folder = new RegExp(
        `^${gateway.url}/storage/v1/object/upload/sign/lora-models/${user}/[0-9a-f-]{36}/attempt-1/`,
      );
      for (const [name, url] of Object.entries(urls)) {
        assert.match(url, folder, name);
        assert.ok(url.includes(`/attempt-1/${name}?token=`), url);
      }
      // And where to trade the job's worker token for fresh URLs before uploading.
      assert.equal(
        body.input.upload_urls_refresh?.url,
        `${gateway.url}/functions/v1/worker-upload-urls`,
      );
      assert.match(body.input.upload_urls_refresh?.token ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
      // Twice the estimate plus an hour, at least an hour; the lifetime adds a day of queueing.
      const [{ hours }] = await stack.db.sql<{ hours: string }[]>`
        select estimated_duration_hours as hours from public.training_jobs where id = ${jobId}`;
      const timeout = Math.max(HOUR_MS, Math.ceil((2 * Number(hours) + 1) * HOUR_MS));
      assert.equal(body.policy?.executionTimeout, timeout);
      assert.equal(body.policy?.ttl, timeout + 24 * HOUR_MS);
    });

    it('runs with metric points and completes although RunPod answers with a list', async function () {
      this.timeout(180_000);
      const running = await stack.processUntil(
        jobId,
        (j) => (j.status === 'running' && j.current_step > 0) || j.status === 'completed',
        { via: gateway, timeoutMs: 120_000, what: 'running' },
      );
      assert.notEqual(running.job.status, 'failed', running.job.error_message ?? '');
      const job = await runToEnd(jobId);
      assert.equal(job.status, 'completed', job.error_message ?? '');
      assert.equal(Number(job.progress), 100);
      assert.equal(job.current_stage, 'completed');
      assert.equal(job.attempt, 1);

      // What RunPod's /status really answered: the aggregated list of yielded items.
      const raw = await standin.get<RawStatus>(`/status/${externalId}`);
      assert.equal(raw.status, 'COMPLETED');
      assert.ok(Array.isArray(raw.output), 'the stand-in answers the aggregated list');
      const items = raw.output as Record<string, unknown>[];
      const final = items.at(-1)!;
      const points = items.slice(0, -1) as { step: number; training_loss: number }[];
      assert.equal(final.stage, 'completed');
      assert.ok(points.length > 0 && points.every((p) => typeof p.step === 'number'));

      const stored = await stack.db.sql<{ step: number; training_loss: number }[]>`
        select step, training_loss from public.metrics_points where job_id = ${jobId} order by step`;
      assert.deepEqual(
        stored.map((p) => [p.step, p.training_loss]),
        points.map((p) => [p.step, p.training_loss]),
      );
      assert.equal(job.current_step, points.at(-1)!.step);
      assert.equal(job.total_steps, points.at(-1)!.step);

      // The worker names each upload by its storage key: no host, no signature.
      const reported = final.model_files as Record<string, string>;
      assert.deepEqual(Object.keys(reported).sort(), EXPECTED_FILES);
      for (const [name, key] of Object.entries(reported)) {
        assert.match(key, new RegExp(`^lora-models/${user}/[0-9a-f-]{36}/attempt-1/${name}$`));
      }
    });

    it('the worker uploaded with fresh URLs: those it was submitted with had expired', async function () {
      const body = await standin.get<RunBody>(`/_standin/requests/${externalId}`);
      const refreshed = functionLogs.filter(
        (l) => l.function === 'worker-upload-urls' && l.job_id === jobId,
      );
      assert.deepEqual(
        refreshed.map((l) => [l.status, l.attempt, l.user_id]),
        [[200, 1, user]],
        JSON.stringify(refreshed),
      );
      const original = body.input.upload_urls!['training_log.jsonl'];
      const refused = await fetch(original, { method: 'PUT', body: 'late' });
      assert.equal(refused.status, 400, await refused.text());
    });

    it('worker-upload-urls refuses a finished job, a forged token and no token', async function () {
      const body = await standin.get<RunBody>(`/_standin/requests/${externalId}`);
      const { url, token } = body.input.upload_urls_refresh!;
      const ask = (authorization?: string) =>
        fetch(url, {
          method: 'POST',
          headers: authorization === undefined ? {} : { authorization },
          body: '{}',
        });
      const finished = await ask(`Bearer ${token}`);
      assert.equal(finished.status, 409);
      assert.match(((await finished.json()) as { error: string }).error, /no longer counts/);
      const [head, claims, signature] = token.split('.');
      const forged = `${head}.${claims}.${signature.slice(0, -2)}AA`;
      assert.equal((await ask(`Bearer ${forged}`)).status, 401);
      const user401 = await ask(
        `Bearer ${userToken(user, `${user}@local`, stack.gatewayEnv.BRIGHTRUN_JWT_SECRET)}`,
      );
      assert.equal(user401.status, 401);
      assert.equal((await ask()).status, 401);
    });

    it('create-model-artifacts verifies the uploads in place, byte for byte', async function () {
      this.timeout(60_000);
      const result = await stack.invoke('create-model-artifacts', gateway);
      assert.equal(result.status, 200, JSON.stringify(result.body));
      assert.deepEqual(result.body.data?.created, [jobId], JSON.stringify(result.body));
      artifact = await artifactOf(jobId);
      assert.equal(artifact.status, 'ready', artifact.error_message ?? '');
      assert.equal(artifact.storage_path, `${user}/${artifact.id}/`);
      assert.deepEqual(Object.keys(artifact.files).sort(), EXPECTED_FILES);
      const written = join(standin.workDir(externalId), 'output');
      let total = 0;
      for (const [name, file] of Object.entries(artifact.files)) {
        assert.equal(file.path, `${user}/${artifact.id}/attempt-1/${name}`);
        const stored = readFileSync(stack.objectFile('lora-models', file.path));
        const original = readFileSync(join(written, ...name.split('/')));
        assert.ok(stored.equals(original), `${name} differs from what the trainer wrote`);
        assert.equal(file.size, original.length);
        assert.equal(file.sha256, sha256(original));
        // Verified where the worker put it, not copied.
        assert.ok(!existsSync(stack.objectFile('lora-models', `${user}/${artifact.id}/${name}`)));
        total += file.size;
      }
      assert.equal(Number(artifact.total_size), total);

      const checkpoints = await stack.db.sql<
        { epoch: number; step: number; storage_path: string }[]
      >`
        select epoch, step, storage_path from public.checkpoints where job_id = ${jobId}
         order by epoch`;
      assert.deepEqual(
        checkpoints.map((c) => c.epoch),
        [1, 2, 3, 4, 5],
      );
      assert.ok(checkpoints.every((c) => c.step > 0 && c.storage_path.includes('/attempt-1/')));
      const types = await stack.db.sql<{ type: string }[]>`
        select type from public.notifications where metadata ->> 'job_id' = ${jobId}
         order by created_at`;
      assert.deepEqual(
        types.map((t) => t.type),
        ['job_queued', 'job_started', 'job_completed', 'artifact_ready'],
      );
    });

    it('the files download through the api with the bytes the trainer wrote', async function () {
      this.timeout(30_000);
      const token = userToken(user, `${user}@local`, stack.gatewayEnv.BRIGHTRUN_JWT_SECRET);
      const response = await fetch(
        `${gateway.url}/functions/v1/api/models/${artifact.id}/download`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        },
      );
      const body = (await response.json()) as {
        data: { files: { name: string; url: string; sha256: string | null }[] };
      };
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.deepEqual(body.data.files.map((f) => f.name).sort(), EXPECTED_FILES);
      const written = join(standin.workDir(externalId), 'output');
      for (const file of body.data.files) {
        const bytes = Buffer.from(await (await fetch(file.url)).arrayBuffer());
        assert.ok(bytes.equals(readFileSync(join(written, ...file.name.split('/')))), file.name);
        assert.equal(file.sha256, sha256(bytes));
      }
    });
  });

  it('an upload that differs from what the trainer wrote fails the artifact', async function () {
    this.timeout(180_000);
    // Three epochs this time: three checkpoint upload URLs.
    const jobId = await stack.createJob(user, datasetId, {
      ...TINY_BALANCED,
      preset_id: 'conservative',
    });
    const job = await runToEnd(jobId);
    assert.equal(job.status, 'completed', job.error_message ?? '');
    const body = await standin.get<RunBody>(`/_standin/requests/${job.external_id}`);
    assert.equal(Object.keys(body.input.upload_urls ?? {}).length, 3 + 3);
    const [{ key }] = await stack.db.sql<{ key: string }[]>`
      select gpu_output -> 'model_files' ->> 'adapter_config.json' as key
        from public.training_jobs where id = ${jobId}`;
    const path = key.replace(/^lora-models\//, '');
    writeFileSync(stack.objectFile('lora-models', path), '{"tampered": true}\n');
    const result = await stack.invoke('create-model-artifacts', gateway);
    assert.deepEqual(result.body.data?.failed, [jobId], JSON.stringify(result.body));
    const artifact = await artifactOf(jobId);
    assert.equal(artifact.status, 'failed');
    assert.match(
      artifact.error_message ?? '',
      /adapter_config\.json does not match what the trainer wrote/,
    );
  });

  it('a NaN loss on RunPod fails the job at once: the error code survives RunPod', async function () {
    this.timeout(180_000);
    const jobId = await stack.createJob(user, datasetId, undefined, { inject_nan_at_step: 3 });
    const job = await runToEnd(jobId);
    assert.equal(job.status, 'failed');
    assert.equal(job.error_message, NAN_MESSAGE);
    assert.equal(job.attempt, 1, 'a NaN run must not be retried');
    // RunPod kept only the message; the code rode on it.
    const raw = await standin.get<RawStatus>(`/status/${job.external_id}`);
    assert.equal(raw.status, 'FAILED');
    assert.equal(raw.output, undefined);
    assert.match(raw.error ?? '', /\[error_code=nan_loss\]$/);
  });

  it('cancel while running: RunPod stops the handler and the job ends cancelled', async function () {
    this.timeout(180_000);
    const jobId = await stack.createJob(user, datasetId, undefined, { step_delay_ms: 300 });
    const { job } = await stack.processUntil(
      jobId,
      (j) => (j.status === 'running' && j.current_step > 0) || j.status === 'failed',
      { via: gateway, timeoutMs: 120_000, what: 'running' },
    );
    assert.equal(job.status, 'running', job.error_message ?? '');
    await asUser(stack.db.sql, user, (tx) => tx`select public.request_job_cancel(${jobId})`);
    const ended = await runToEnd(jobId);
    assert.equal(ended.status, 'cancelled', ended.error_message ?? '');
    const raw = await standin.get<RawStatus>(`/status/${ended.external_id}`);
    assert.equal(raw.status, 'CANCELLED');
  });
});
