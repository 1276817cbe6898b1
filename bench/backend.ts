// The backend benchmark (issue 5, Acceptance): a real local stack (`brightrun local up` in a temp
// folder: Postgres, the functions under Deno, the file store, the scheduler and the local GPU
// cluster with the tiny trainer), measured from the outside the way the extension uses it.
//
//   1. pipeline   POST /jobs → completed for the 50-pair fixture and the tiny model, 3 times:
//                 queued→running, running→completed, completed→artifact ready, and the median
//   2. latency    p50/p95 of 100 sequential calls per route (after a warm-up) against the product's
//                 targets, with realistic row counts; each call is paired with a call to the
//                 gateway's own GET /health (no database), so a busy machine shows as a ratio
//   3. validation a ~100 MB dataset (bench/generate.mjs) uploaded to the signed URL and validated
//                 by validate-datasets: seconds, MB/s and the Deno gateway's peak memory (the
//                 generator's 5% invalid lines make it `failed`, after every line was read)
//   4. failures   test/functions/failure-paths.test.ts, counted as passing/total
//
// Run alone with `npm run bench:backend` (or `node --import tsx bench/backend.ts`); `npm run bench`
// runs it after the validation engine benchmark. Options: `--skip pipeline,latency,validation,
// failures` leaves sections out, `--calls N` sets the calls per route (default 100), `--keep`
// keeps the temp folder. Prints a table and writes bench/results/backend.json. The stack is
// stopped (`brightrun local down`) however the run ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres, { type Sql, type TransactionSql } from 'postgres';
import type { ApiSuccess, CreateDatasetResponse, CreateJobResponse } from '../common/api/types.ts';
import type { LocalInfo } from '../server/src/local/stack.ts';
import { ensureDataset } from './generate.mjs';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const ROOT = here('../');
const BIN = here('../bin/brightrun.mjs');
const DATA = here('./data/');
const RESULTS = here('./results/');
const PAIRS_50 = here('../test/fixtures/gpu/pairs-50.jsonl');

/** The tiny model with the balanced preset, as the pipeline tests submit it. */
const TINY_BALANCED = {
  preset_id: 'balanced',
  hyperparameters: { base_model: 'builtin/tiny-gpt', max_seq_length: 256 },
  gpu_config: { type: 'A100-80GB', count: 1 },
};

/** The product's latency targets (p95), by route class. */
const TARGETS_MS = { list: 200, detail: 100, create: 300, download: 500 } as const;
type RouteClass = keyof typeof TARGETS_MS;

/** ~100 MB of v4 lines (about 1.2 KB each). */
const VALIDATION_LINES = 83_000;
const E2E_RUNS = 3;
const SEED = { datasets: 50, jobs: 50, metricPoints: 500, notifications: 150 };

const { values: args } = parseArgs({
  options: {
    skip: { type: 'string', default: '' },
    calls: { type: 'string', default: '100' },
    keep: { type: 'boolean', default: false },
  },
});
const skip = new Set(args.skip.split(',').filter(Boolean));
const CALLS = Number(args.calls);

// Small helpers -------------------------------------------------------------------------------

const log = (message: string) => process.stderr.write(`bench backend: ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function load(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

/** Polls `check` every `intervalMs` until it returns a value, or throws after `timeoutMs`. */
async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// The stack ---------------------------------------------------------------------------------------

interface RunningStack {
  info: LocalInfo;
  dir: string;
  child: ChildProcess;
  output: () => string;
}

function runBin(argv: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function startStack(dir: string): Promise<RunningStack> {
  const child = spawn(
    process.execPath,
    [BIN, 'local', 'up', '--dir', dir, '--port', '0', '--db-port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`local up: no "ready" within 180 s:\n${output}`)),
      180_000,
    );
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (/^ready$/m.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local up exited with ${code}:\n${output}`));
    });
  });
  const info = JSON.parse(readFileSync(join(dir, '.brightrun', 'local.json'), 'utf8')) as LocalInfo;
  return { info, dir, child, output: () => output };
}

/** `brightrun local down`, then waits for `local up` to exit (SIGTERM, then SIGKILL, if it hangs). */
async function stopStack(stack: RunningStack): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (stack.child.exitCode !== null || stack.child.signalCode !== null) resolve();
    else stack.child.once('exit', () => resolve());
  });
  const down = await runBin(['local', 'down', '--dir', stack.dir], 60_000);
  if (down.code !== 0) log(`local down exited with ${down.code}: ${down.out.trim()}`);
  const inTime = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
  if (!inTime) {
    log('local up still running 30 s after local down: SIGTERM');
    stack.child.kill('SIGTERM');
    if (!(await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]))) {
      stack.child.kill('SIGKILL');
    }
  }
}

// The API, as the extension calls it ----------------------------------------------------------

interface Call<T> {
  status: number;
  body: T;
  ms: number;
}

function apiClient(info: LocalInfo) {
  const headers = {
    authorization: `Bearer ${info.userToken}`,
    'content-type': 'application/json',
  };
  return async function call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Call<T>> {
    const started = performance.now();
    const response = await fetch(`${info.apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed as T, ms };
  };
}
type Api = ReturnType<typeof apiClient>;

function expect<T>(what: string, result: Call<T>, status: number): T {
  if (result.status !== status) {
    throw new Error(`${what}: ${result.status} ${JSON.stringify(result.body).slice(0, 500)}`);
  }
  return result.body;
}

/** POST /datasets → PUT to the signed URL → POST /datasets/:id/complete; returns timings. */
async function uploadDataset(api: Api, name: string, bytes: Buffer) {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const created = expect(
    'POST /datasets',
    await api<ApiSuccess<CreateDatasetResponse>>('POST', '/datasets', {
      name,
      file_name: `${name.replace(/[^\w.-]+/g, '-')}.jsonl`,
      file_size: bytes.length,
      sha256,
    }),
    201,
  ).data;
  const uploadStarted = performance.now();
  const uploaded = await fetch(created.upload.url, {
    method: created.upload.method,
    headers: created.upload.headers,
    // A view of the same memory (no copy of a 100 MB buffer).
    body: new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length),
  });
  const uploadText = await uploaded.text();
  if (!uploaded.ok) throw new Error(`upload: ${uploaded.status} ${uploadText.slice(0, 300)}`);
  const uploadMs = performance.now() - uploadStarted;
  return { id: created.dataset.id, uploadMs };
}

async function completeUpload(api: Api, id: string): Promise<void> {
  expect('POST /datasets/:id/complete', await api('POST', `/datasets/${id}/complete`), 200);
}

async function datasetState(sql: Sql, id: string) {
  const [row] = await sql<
    {
      status: string;
      error_message: string | null;
      total_training_pairs: number | null;
      validation_attempts: number;
      tokens_estimated: boolean;
      total_tokens: number | null;
      errors: number;
      uploaded_at: Date | null;
      validated_at: Date | null;
    }[]
  >`
    select status, error_message, total_training_pairs, validation_attempts, tokens_estimated,
           total_tokens::float8 as total_tokens, uploaded_at,
           validated_at, jsonb_array_length(validation_errors) as errors
      from public.datasets where id = ${id}`;
  return row;
}

// 1. POST /jobs → completed -------------------------------------------------------------------

interface PipelineRun {
  run: number;
  jobId: string;
  status: string;
  error: string | null;
  /** Client-observed: from sending POST /jobs to seeing `completed` (polled every 100 ms). */
  postToCompletedS: number | null;
  /** From the database's timestamps (created_at, started_at, completed_at, artifact ready). */
  queuedToRunningS: number | null;
  runningToCompletedS: number | null;
  completedToArtifactS: number | null;
  /** Client-observed: POST /jobs to the artifact's `ready`. */
  postToArtifactS: number | null;
  metricPoints: number;
  load: string;
}

async function pipeline(api: Api, sql: Sql) {
  log('pipeline: uploading the 50-pair fixture');
  const fixture = readFileSync(PAIRS_50);
  const { id: datasetId } = await uploadDataset(api, 'bench pairs-50', fixture);
  await completeUpload(api, datasetId);
  const ready = await waitFor(
    'the 50-pair dataset to be validated',
    async () => {
      const row = await datasetState(sql, datasetId);
      return row.status === 'validating' ? undefined : row;
    },
    120_000,
  );
  if (ready.status !== 'ready') {
    throw new Error(`the 50-pair fixture did not validate: ${ready.error_message}`);
  }

  const runs: PipelineRun[] = [];
  for (let run = 1; run <= E2E_RUNS; run++) {
    log(`pipeline: run ${run}/${E2E_RUNS}`);
    const posted = performance.now();
    const created = expect(
      'POST /jobs',
      await api<ApiSuccess<CreateJobResponse>>('POST', '/jobs', {
        dataset_id: datasetId,
        name: `bench pipeline ${run}`,
        ...TINY_BALANCED,
      }),
      201,
    ).data;
    const jobId = created.job.id;
    let completedAt: number | null = null;
    const final = await waitFor(
      `job ${jobId} to finish and its artifact to be ready`,
      async () => {
        const [row] = await sql<
          {
            status: string;
            error_message: string | null;
            created_at: Date;
            started_at: Date | null;
            completed_at: Date | null;
            artifact_status: string | null;
            artifact_ready_at: Date | null;
            points: number;
          }[]
        >`
          select j.status, j.error_message, j.created_at, j.started_at, j.completed_at,
                 a.status as artifact_status, a.updated_at as artifact_ready_at,
                 (select count(*)::int from public.metrics_points m where m.job_id = j.id) as points
            from public.training_jobs j
            left join public.model_artifacts a on a.job_id = j.id
           where j.id = ${jobId}`;
        if (row.status === 'completed' && completedAt === null) completedAt = performance.now();
        if (row.status === 'failed' || row.status === 'cancelled') return row;
        if (row.artifact_status === 'ready' || row.artifact_status === 'failed') return row;
        return undefined;
      },
      300_000,
    );
    const artifactSeen = performance.now();
    const seconds = (a: Date | null, b: Date | null) =>
      a && b ? round((b.getTime() - a.getTime()) / 1000, 2) : null;
    runs.push({
      run,
      jobId,
      status: final.status,
      error: final.error_message,
      postToCompletedS: completedAt === null ? null : round((completedAt - posted) / 1000, 2),
      queuedToRunningS: seconds(final.created_at, final.started_at),
      runningToCompletedS: seconds(final.started_at, final.completed_at),
      completedToArtifactS:
        final.artifact_status === 'ready'
          ? seconds(final.completed_at, final.artifact_ready_at)
          : null,
      postToArtifactS:
        final.artifact_status === 'ready' ? round((artifactSeen - posted) / 1000, 2) : null,
      metricPoints: final.points,
      load: load(),
    });
  }
  const med = (key: keyof PipelineRun) => {
    const values = runs.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
    return values.length === runs.length ? round(median(values), 2) : null;
  };
  return {
    datasetId,
    runs,
    median: {
      postToCompletedS: med('postToCompletedS'),
      queuedToRunningS: med('queuedToRunningS'),
      runningToCompletedS: med('runningToCompletedS'),
      completedToArtifactS: med('completedToArtifactS'),
      postToArtifactS: med('postToArtifactS'),
    },
    targetS: 60,
    pass: runs.every((r) => r.postToCompletedS !== null && r.postToCompletedS < 60),
  };
}

// 2. API latency ------------------------------------------------------------------------------

/** Columns of a table that an insert may set (no identity or generated columns). */
async function insertableColumns(sql: Sql | TransactionSql, table: string): Promise<string[]> {
  const rows = await sql<{ column_name: string }[]>`
    select column_name from information_schema.columns
     where table_schema = 'public' and table_name = ${table}
       and is_identity = 'NO' and is_generated = 'NEVER'
     order by ordinal_position`;
  return rows.map((r) => r.column_name);
}

/**
 * Copies the row `id` of `table` `times` times with some columns replaced by SQL expressions
 * over `src` (the row, with `g` the copy's number and `new_id` a fresh uuid); returns the new ids.
 */
async function cloneRows(
  sql: Sql | TransactionSql,
  table: string,
  id: string,
  times: number,
  overrides: Record<string, string>,
): Promise<string[]> {
  const columns = await insertableColumns(sql, table);
  const select = columns.map((c) => overrides[c] ?? `src."${c}"`).join(', ');
  const rows = await sql.unsafe<{ id: string }[]>(
    `with src as (
       select t.*, g, gen_random_uuid() as new_id
         from public."${table}" t, generate_series(1, ${times}) g
        where t.id = $1)
     insert into public."${table}" (${columns.map((c) => `"${c}"`).join(', ')})
     select ${select} from src
     returning id`,
    [id],
  );
  return rows.map((r) => r.id);
}

interface Seeded {
  datasetId: string;
  jobId: string;
  modelId: string | null;
  counts: Record<string, number>;
}

/**
 * Realistic row counts for the latency runs: copies of the real rows the pipeline wrote (so the
 * statistics, configs and file lists look like the product's own), in one transaction so the
 * background functions never see a completed job without its artifact.
 */
async function seed(sql: Sql, userId: string, real: { datasetId: string; jobId: string | null }) {
  const fallbackJob = real.jobId;
  return await sql.begin(async (tx): Promise<Seeded> => {
    const datasets = await cloneRows(tx, 'datasets', real.datasetId, SEED.datasets, {
      id: 'src.new_id',
      name: `'bench dataset ' || src.g`,
      storage_path: `src.user_id::text || '/' || src.new_id::text || '/' || src.file_name`,
      created_at: `now() - src.g * interval '1 hour'`,
      validation_claimed_by: 'null',
      validation_lease_expires_at: 'null',
    });
    let jobs: string[] = [];
    let models: string[] = [];
    if (fallbackJob !== null) {
      jobs = await cloneRows(tx, 'training_jobs', fallbackJob, SEED.jobs, {
        id: 'src.new_id',
        name: `'bench job ' || src.g`,
        external_id: 'null',
        claimed_by: 'null',
        lease_expires_at: 'null',
        created_at: `now() - src.g * interval '1 hour'`,
      });
      // A 7B run of a few thousand pairs logs a few hundred steps; a validation loss every 25.
      await tx`
        insert into public.metrics_points (job_id, user_id, epoch, step, training_loss,
                                           validation_loss, learning_rate, gradient_norm,
                                           throughput, gpu_utilization)
        select j.id, ${userId}, round(s / ${SEED.metricPoints / 3}::numeric, 3), s,
               2.5 * exp(-s / 200.0) + 0.4 + random() * 0.05,
               case when s % 25 = 0 then 2.5 * exp(-s / 200.0) + 0.5 end,
               0.0002 * least(1, s / 30.0), 0.5 + random(), 1400 + random() * 200,
               80 + random() * 15
          from unnest(${tx.array(jobs)}::uuid[]) as j(id), generate_series(1, ${SEED.metricPoints}) s`;
      const [artifact] = await tx<{ id: string }[]>`
        select id from public.model_artifacts where job_id = ${fallbackJob} and status = 'ready'`;
      if (artifact) {
        for (const [i, jobId] of jobs.entries()) {
          const [model] = await cloneRows(tx, 'model_artifacts', artifact.id, 1, {
            id: 'src.new_id',
            job_id: `'${jobId}'::uuid`,
            name: `'bench model ${i + 1}'`,
            storage_path: `src.user_id::text || '/' || src.new_id::text || '/'`,
            created_at: `now() - ${i + 1} * interval '1 hour'`,
          });
          models.push(model);
          await tx`
            insert into public.checkpoints (user_id, job_id, artifact_id, epoch, step,
                                            training_loss, validation_loss, storage_path,
                                            file_size)
            select user_id, ${jobId}, ${model}, epoch, step, training_loss, validation_loss,
                   storage_path, file_size
              from public.checkpoints where job_id = ${fallbackJob}`;
        }
      } else {
        models = [];
      }
    }
    await tx`
      insert into public.notifications (user_id, type, priority, title, message, metadata, read,
                                        read_at, created_at)
      select ${userId}, (array['job_completed', 'artifact_ready', 'dataset_validated'])[s % 3 + 1],
             'normal', 'Bench notification ' || s, 'Something finished (' || s || ')',
             jsonb_build_object('job_id', gen_random_uuid()), s % 4 <> 0,
             case when s % 4 <> 0 then now() - s * interval '5 minutes' end,
             now() - s * interval '10 minutes'
        from generate_series(1, ${SEED.notifications}) s`;
    const counts: Record<string, number> = {};
    for (const table of [
      'datasets',
      'training_jobs',
      'metrics_points',
      'model_artifacts',
      'checkpoints',
      'notifications',
    ]) {
      const [row] = await tx.unsafe<{ n: number }[]>(
        `select count(*)::int as n from public."${table}" where user_id = $1`,
        [userId],
      );
      counts[table] = row.n;
    }
    return {
      datasetId: datasets[0],
      jobId: jobs[0] ?? fallbackJob ?? '',
      modelId: models[0] ?? null,
      counts,
    };
  });
}

/**
 * POST /jobs creates real queued jobs; 100 of them would each train on the local GPU cluster and
 * load the machine during the measurement. A trigger in this throwaway database parks the jobs
 * the latency run creates (names starting `bench-park`) far in the future, so the processor
 * never claims them; the insert path (validation, estimate, notification) is unchanged.
 */
async function parkLatencyJobs(sql: Sql): Promise<void> {
  await sql.unsafe(`
    create schema if not exists bench;
    create or replace function bench.park_job() returns trigger language plpgsql as $$
    begin
      new.next_attempt_at := 'infinity';
      return new;
    end $$;
    drop trigger if exists bench_park on public.training_jobs;
    create trigger bench_park before insert on public.training_jobs for each row
      when (new.name like 'bench-park%') execute function bench.park_job();`);
}

interface RouteResult {
  route: string;
  class: RouteClass | 'baseline';
  targetMs: number | null;
  calls: number;
  p50: number;
  p95: number;
  max: number;
  /** p50 of the gateway's GET /health calls made in between (one before each call). */
  baselineP50: number;
  /** p50 / baseline p50 and p95 / baseline p95. */
  ratioP50: number;
  ratioP95: number;
  pass: boolean | null;
  statuses: Record<string, number>;
  note?: string;
}

async function latency(api: Api, sql: Sql, info: LocalInfo, seeded: Seeded) {
  const gatewayHealth = async () => {
    const started = performance.now();
    const response = await fetch(`${info.url}/health`);
    await response.arrayBuffer();
    return performance.now() - started;
  };
  const selectOne = async () => {
    const started = performance.now();
    await sql`select 1`;
    return performance.now() - started;
  };

  const baseline = async (name: string, once: () => Promise<number>): Promise<RouteResult> => {
    for (let i = 0; i < 10; i++) await once();
    const samples: number[] = [];
    for (let i = 0; i < CALLS; i++) samples.push(await once());
    const p50 = percentile(samples, 50);
    const p95 = percentile(samples, 95);
    return {
      route: name,
      class: 'baseline',
      targetMs: null,
      calls: CALLS,
      p50: round(p50, 2),
      p95: round(p95, 2),
      max: round(Math.max(...samples), 2),
      baselineP50: round(p50, 2),
      ratioP50: 1,
      ratioP95: 1,
      pass: null,
      statuses: {},
    };
  };

  let created = 0;
  const routes: {
    route: string;
    class: RouteClass;
    call: () => Promise<Call<unknown>>;
    ok: number;
    note?: string;
  }[] = [
    // The side bar's own page sizes (client/src/views/backend-data.ts).
    {
      route: 'GET /datasets',
      class: 'list',
      ok: 200,
      call: () => api('GET', '/datasets?limit=100'),
    },
    { route: 'GET /jobs', class: 'list', ok: 200, call: () => api('GET', '/jobs?limit=100') },
    { route: 'GET /models', class: 'list', ok: 200, call: () => api('GET', '/models?limit=100') },
    {
      route: 'GET /notifications',
      class: 'list',
      ok: 200,
      call: () => api('GET', '/notifications?limit=50'),
    },
    {
      route: 'GET /datasets/:id',
      class: 'detail',
      ok: 200,
      call: () => api('GET', `/datasets/${seeded.datasetId}`),
    },
    {
      route: 'GET /jobs/:id',
      class: 'detail',
      ok: 200,
      note: `${SEED.metricPoints} points, 200 returned`,
      call: () => api('GET', `/jobs/${seeded.jobId}`),
    },
    {
      route: 'GET /jobs/:id/metrics',
      class: 'detail',
      ok: 200,
      note: `all ${SEED.metricPoints} points`,
      call: () => api('GET', `/jobs/${seeded.jobId}/metrics`),
    },
  ];
  if (seeded.modelId !== null) {
    const modelId = seeded.modelId;
    routes.push({
      route: 'GET /models/:id',
      class: 'detail',
      ok: 200,
      call: () => api('GET', `/models/${modelId}`),
    });
  }
  routes.push(
    {
      route: 'POST /datasets',
      class: 'create',
      ok: 201,
      call: () =>
        api('POST', '/datasets', {
          name: `bench create ${++created}`,
          file_name: 'bench.jsonl',
          file_size: 1_000_000,
          sha256: randomBytes(32).toString('hex'),
        }),
    },
    {
      route: 'POST /jobs/estimate',
      class: 'create',
      ok: 200,
      call: () => api('POST', '/jobs/estimate', { dataset_id: seeded.datasetId, ...TINY_BALANCED }),
    },
    {
      route: 'POST /jobs',
      class: 'create',
      ok: 201,
      note: 'jobs parked, not trained',
      call: () =>
        api('POST', '/jobs', {
          dataset_id: seeded.datasetId,
          name: `bench-park ${++created}`,
          ...TINY_BALANCED,
        }),
    },
  );
  if (seeded.modelId !== null) {
    const modelId = seeded.modelId;
    routes.push({
      route: 'POST /models/:id/download',
      class: 'download',
      ok: 200,
      note: 'every file of the model',
      call: () => api('POST', `/models/${modelId}/download`, {}),
    });
  }

  await parkLatencyJobs(sql);
  const results: RouteResult[] = [];
  log('latency: baselines');
  results.push(await baseline('gateway GET /health (no DB)', gatewayHealth));
  results.push(await baseline('Postgres select 1 (from Node)', selectOne));
  for (const r of routes) {
    log(`latency: ${r.route}`);
    for (let i = 0; i < 5; i++) await r.call();
    const samples: number[] = [];
    const base: number[] = [];
    const statuses: Record<string, number> = {};
    for (let i = 0; i < CALLS; i++) {
      base.push(await gatewayHealth());
      const result = await r.call();
      statuses[result.status] = (statuses[result.status] ?? 0) + 1;
      samples.push(result.ms);
    }
    const p50 = percentile(samples, 50);
    const p95 = percentile(samples, 95);
    const allOk = statuses[r.ok] === CALLS;
    results.push({
      route: r.route,
      class: r.class,
      targetMs: TARGETS_MS[r.class],
      calls: CALLS,
      p50: round(p50, 1),
      p95: round(p95, 1),
      max: round(Math.max(...samples), 1),
      baselineP50: round(percentile(base, 50), 2),
      ratioP50: round(p50 / percentile(base, 50), 1),
      ratioP95: round(p95 / percentile(base, 95), 1),
      pass: allOk && p95 < TARGETS_MS[r.class],
      statuses,
      note: allOk ? r.note : `unexpected statuses ${JSON.stringify(statuses)}`,
    });
  }
  results.push(await baseline('gateway GET /health (no DB), again', gatewayHealth));
  const [parked] = await sql<{ queued: number; submitted: number }[]>`
    select count(*) filter (where status = 'queued')::int as queued,
           count(*) filter (where external_id is not null)::int as submitted
      from public.training_jobs where name like 'bench-park%'`;
  return { routes: results, parkedJobs: parked, load: load() };
}

// 3. Validation of ~100 MB -------------------------------------------------------------------

function procStatus(pid: number): { rssKb: number; hwmKb: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** The Deno process behind `pid` (itself, or the first deno among its descendants). */
function denoPid(pid: number): number {
  const exe = (p: number) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    if (exe(p) === 'deno') return p;
    try {
      const children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      if (children) queue.push(...children.split(/\s+/).map(Number));
    } catch {
      // Gone or not readable: nothing below it.
    }
  }
  return pid;
}

async function validation(api: Api, sql: Sql, info: LocalInfo) {
  mkdirSync(DATA, { recursive: true });
  const file = `${DATA}v4-${VALIDATION_LINES / 1000}k.jsonl`;
  log(`validation: preparing ${file}`);
  const { bytes } = ensureDataset(file, VALIDATION_LINES);
  const content = readFileSync(file);
  const pid = denoPid(info.gatewayPid);
  const { id, uploadMs } = await uploadDataset(api, 'bench 100 MB', content);

  // Reset the gateway's peak RSS (VmHWM) so the figure is validation's own, then sample RSS.
  let hwmReset = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    hwmReset = true;
  } catch {
    hwmReset = false;
  }
  const before = procStatus(pid);
  let sampledPeakKb = before?.rssKb ?? 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const s = procStatus(pid);
      if (s) sampledPeakKb = Math.max(sampledPeakKb, s.rssKb);
      await sleep(50);
    }
  })();

  log(`validation: ${(bytes / 1e6).toFixed(1)} MB uploaded; completing`);
  const started = performance.now();
  const loadBefore = load();
  await completeUpload(api, id);
  const row = await waitFor(
    'the 100 MB dataset to leave validating',
    async () => {
      const r = await datasetState(sql, id);
      return r.status === 'validating' ? undefined : r;
    },
    600_000,
  );
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await sampler;
  const after = procStatus(pid);
  const peakKb = Math.max(sampledPeakKb, hwmReset ? (after?.hwmKb ?? 0) : 0);
  const dbSeconds =
    row.uploaded_at && row.validated_at
      ? (row.validated_at.getTime() - row.uploaded_at.getTime()) / 1000
      : null;
  return {
    bytes,
    lines: VALIDATION_LINES,
    uploadS: round(uploadMs / 1000, 2),
    seconds: round(seconds, 2),
    dbSeconds: dbSeconds === null ? null : round(dbSeconds, 2),
    mbPerS: round(bytes / 1e6 / seconds, 1),
    status: row.status,
    errorMessage: row.error_message,
    validationErrorsStored: row.errors,
    trainingPairs: row.total_training_pairs,
    totalTokens: row.total_tokens,
    tokensEstimated: row.tokens_estimated,
    runs: row.validation_attempts,
    gateway: {
      pid,
      rssBeforeMb: before ? round(before.rssKb / 1024) : null,
      peakRssMb: round(peakKb / 1024),
      /** What validating added to the gateway's resident memory. */
      peakIncreaseMb: before ? round((peakKb - before.rssKb) / 1024) : null,
      hwmAfterMb: after ? round(after.hwmKb / 1024) : null,
      hwmReset,
    },
    targetS: 10,
    pass: seconds < 10,
    loadBefore,
    loadAfter: load(),
  };
}

// 4. Failure-path tests ------------------------------------------------------------------------

async function failureTests() {
  const output = join(mkdtempSync(join(tmpdir(), 'brightrun-bench-mocha-')), 'report.json');
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      'npx',
      [
        'mocha',
        '--extension',
        'ts',
        '--timeout',
        '180000',
        'test/functions/failure-paths.test.ts',
        '--reporter',
        'json',
        '--reporter-option',
        `output=${output}`,
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, NODE_OPTIONS: '--import tsx' },
      },
    );
    child.on('close', resolve);
  });
  if (!existsSync(output)) throw new Error(`mocha wrote no report (exit ${code})`);
  const report = JSON.parse(readFileSync(output, 'utf8')) as {
    stats: { tests: number; passes: number; failures: number; pending: number };
    failures: { fullTitle: string; err: { message?: string } }[];
  };
  rmSync(join(output, '..'), { recursive: true, force: true });
  return {
    passed: report.stats.passes,
    total: report.stats.tests,
    failed: report.failures.map((f) => `${f.fullTitle}: ${f.err.message ?? ''}`.slice(0, 300)),
    pending: report.stats.pending,
    exitCode: code,
    seconds: round((performance.now() - started) / 1000, 1),
    load: load(),
  };
}

// The run --------------------------------------------------------------------------------------

type Section<T> = { ok: true; result: T } | { ok: false; error: string };

async function section<T>(name: string, run: () => Promise<T>): Promise<Section<T> | undefined> {
  if (skip.has(name)) return undefined;
  try {
    return { ok: true, result: await run() };
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`${name} failed: ${message}`);
    return { ok: false, error: message };
  }
}

const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism(),
  loadStart: load(),
};

const dir = mkdtempSync(join(tmpdir(), 'brightrun-bench-backend-'));
// The postgres OS user must reach the cluster folder inside it (mkdtemp makes it 0700).
chmodSync(dir, 0o755);
let stack: RunningStack | undefined;
let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= (async () => {
    if (stack) {
      log('stopping the stack (local down)');
      await stopStack(stack);
    }
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  })();
  return stopping;
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void stop().finally(() => process.exit(130));
  });
}

let pipelineResult: Section<Awaited<ReturnType<typeof pipeline>>> | undefined;
let latencyResult:
  | Section<Awaited<ReturnType<typeof latency>> & { seeded: Record<string, number> }>
  | undefined;
let validationResult: Section<Awaited<ReturnType<typeof validation>>> | undefined;

const needsStack = ['pipeline', 'latency', 'validation'].some((s) => !skip.has(s));
try {
  if (needsStack) {
    log(`starting the local stack in ${dir}`);
    const started = performance.now();
    stack = await startStack(dir);
    report.stackStartS = round((performance.now() - started) / 1000, 1);
    const { info } = stack;
    const sql = postgres(info.dbUrl, { max: 2, onnotice: () => {} });
    const api = apiClient(info);
    try {
      pipelineResult = await section('pipeline', () => pipeline(api, sql));
      latencyResult = await section('latency', async () => {
        const real =
          pipelineResult?.ok === true
            ? {
                datasetId: pipelineResult.result.datasetId,
                jobId:
                  pipelineResult.result.runs.find((r) => r.status === 'completed')?.jobId ?? null,
              }
            : await (async () => {
                // Without the pipeline section: a validated fixture dataset, no real job.
                const { id } = await uploadDataset(api, 'bench pairs-50', readFileSync(PAIRS_50));
                await completeUpload(api, id);
                await waitFor(
                  'the fixture dataset',
                  async () =>
                    (await datasetState(sql, id)).status === 'validating' ? undefined : true,
                  120_000,
                );
                return { datasetId: id, jobId: null };
              })();
        log('latency: seeding rows');
        const seeded = await seed(sql, info.userId, real);
        return { seeded: seeded.counts, ...(await latency(api, sql, info, seeded)) };
      });
      validationResult = await section('validation', () => validation(api, sql, info));
    } finally {
      await sql.end({ timeout: 5 });
    }
  }
} catch (error) {
  // The stack did not start (or a section threw past its own handler): say so in the report.
  report.stackError = error instanceof Error ? error.message : String(error);
  log(`the stack failed: ${report.stackError as string}`);
} finally {
  await stop();
}
// The failure-path tests start their own stacks: run them once ours is down.
const failureResult = await section('failures', failureTests);

Object.assign(report, {
  pipeline: pipelineResult,
  latency: latencyResult,
  validation: validationResult,
  failurePaths: failureResult,
  loadEnd: load(),
});

// The table ------------------------------------------------------------------------------------

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
const s = (n: number | null | undefined, unit = ' s') => (n == null ? '—' : `${n}${unit}`);
const verdict = (pass: boolean | null | undefined) =>
  pass === true ? 'PASS' : pass === false ? 'FAIL' : '';

console.log(
  `\nBrightRun backend benchmark — ${report.cores as number} cores, ${report.cpu as string}`,
);
console.log(`load average (1/5/15 min): start ${report.loadStart as string}, end ${load()}\n`);
if (report.stackStartS !== undefined) {
  console.log(`local stack: \`brightrun local up\` ready in ${report.stackStartS as number} s\n`);
}
if (report.stackError !== undefined) console.log(`stack: ERROR ${report.stackError as string}\n`);

if (pipelineResult?.ok === false)
  console.log(`1. pipeline: ERROR ${pipelineResult.error.split('\n')[0]}\n`);
if (pipelineResult?.ok) {
  const p = pipelineResult.result;
  console.log('1. POST /jobs → completed, 50 pairs, builtin/tiny-gpt (aim < 60 s)');
  table(
    [
      'run',
      'status',
      'POST→completed',
      'queued→running',
      'running→completed',
      'completed→artifact',
      'POST→artifact',
      'points',
      'load',
    ],
    [
      ...p.runs.map((r) => [
        String(r.run),
        r.status,
        s(r.postToCompletedS),
        s(r.queuedToRunningS),
        s(r.runningToCompletedS),
        s(r.completedToArtifactS),
        s(r.postToArtifactS),
        String(r.metricPoints),
        r.load,
      ]),
      [
        'median',
        verdict(p.pass),
        s(p.median.postToCompletedS),
        s(p.median.queuedToRunningS),
        s(p.median.runningToCompletedS),
        s(p.median.completedToArtifactS),
        s(p.median.postToArtifactS),
        '',
        '',
      ],
    ],
  );
  for (const r of p.runs.filter((x) => x.error)) console.log(`  run ${r.run}: ${r.error}`);
  console.log('');
}

if (latencyResult?.ok === false)
  console.log(`2. latency: ERROR ${latencyResult.error.split('\n')[0]}\n`);
if (latencyResult?.ok) {
  const l = latencyResult.result;
  console.log(
    `2. API latency, ${CALLS} sequential calls per route after a warm-up (rows: ${Object.entries(
      l.seeded,
    )
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')})`,
  );
  table(
    [
      'route',
      'class',
      'target p95',
      'p50',
      'p95',
      'max',
      'health p50',
      'p50/health',
      'verdict',
      'note',
    ],
    l.routes.map((r) => [
      r.route,
      r.class,
      r.targetMs === null ? '' : `< ${r.targetMs} ms`,
      `${r.p50} ms`,
      `${r.p95} ms`,
      `${r.max} ms`,
      r.class === 'baseline' ? '' : `${r.baselineP50} ms`,
      r.class === 'baseline' ? '' : `${r.ratioP50}x`,
      verdict(r.pass),
      r.note ?? '',
    ]),
  );
  console.log(
    `  health = the gateway's own GET /health (no database), called before each measured call;` +
      ` POST /jobs: ${l.parkedJobs.queued} jobs created, ${l.parkedJobs.submitted} submitted. load ${l.load}\n`,
  );
}

if (validationResult?.ok === false)
  console.log(`3. validation: ERROR ${validationResult.error.split('\n')[0]}\n`);
if (validationResult?.ok) {
  const v = validationResult.result;
  console.log(`3. validate-datasets on ${(v.bytes / 1e6).toFixed(1)} MB (aim < 10 s)`);
  table(
    [
      'MB',
      'upload',
      'complete→done',
      'db uploaded→validated',
      'MB/s',
      'runs',
      'status',
      'peak RSS (Deno gateway)',
      'RSS before',
      'increase',
      'verdict',
    ],
    [
      [
        (v.bytes / 1e6).toFixed(1),
        s(v.uploadS),
        s(v.seconds),
        s(v.dbSeconds),
        String(v.mbPerS),
        String(v.runs),
        `${v.status} (${v.trainingPairs ?? 0} pairs, ${v.validationErrorsStored} errors kept)`,
        `${v.gateway.peakRssMb} MB`,
        `${v.gateway.rssBeforeMb} MB`,
        `+${v.gateway.peakIncreaseMb} MB`,
        verdict(v.pass),
      ],
    ],
  );
  console.log(
    `  ${v.tokensEstimated ? 'estimated' : 'exact'} token counts (${v.totalTokens ?? 0} tokens);` +
      ` peak RSS = the Deno gateway's VmHWM${v.gateway.hwmReset ? ' (reset before the upload completed)' : ''}` +
      ` and RSS sampled every 50 ms; load before ${v.loadBefore}, after ${v.loadAfter}\n`,
  );
}

if (failureResult?.ok === false)
  console.log(`4. failure paths: ERROR ${failureResult.error.split('\n')[0]}\n`);
if (failureResult?.ok) {
  const f = failureResult.result;
  console.log(
    `4. failure-path tests (test/functions/failure-paths.test.ts): ${f.passed}/${f.total} passing` +
      ` (${f.seconds} s, load ${f.load})`,
  );
  for (const failed of f.failed) console.log(`  failed: ${failed}`);
  console.log('');
}

mkdirSync(RESULTS, { recursive: true });
writeFileSync(`${RESULTS}backend.json`, `${JSON.stringify(report, null, 2)}\n`);
console.log('written: bench/results/backend.json');
const anyError =
  report.stackError !== undefined ||
  [pipelineResult, latencyResult, validationResult, failureResult].some((r) => r?.ok === false);
process.exitCode = anyError ? 1 : 0;
// A library may keep a handle open; the work is done.
setTimeout(() => process.exit(process.exitCode), 1000).unref();
