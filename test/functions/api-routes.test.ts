// The api function over real HTTP (real Deno, real Postgres, local storage): every route's
// happy path and response shape, input validation, and the wake of background functions.
import assert from 'node:assert/strict';
import type {
  CostDashboard,
  CreateDatasetResponse,
  CreateJobResponse,
  DatasetResponse,
  DownloadResponse,
  EstimateResponse,
  HealthReport,
  JobDetailResponse,
  JobMetricsResponse,
  ListDatasetsResponse,
  ListJobsResponse,
  ListModelsResponse,
  ListNotificationsResponse,
  ModelDetailResponse,
  NotificationResponse,
  ReadAllResponse,
} from '../../common/api/types.ts';
import { estimateJobCost } from '../../common/training/cost-model.ts';
import { startApiStack, type ApiStack, type TestUser } from './support/api-stack.ts';
import { finishJob, readyDataset, sha256, uploadDataset, SAMPLE_JSONL } from './support/seed.ts';

interface Ok<T> {
  success: true;
  data: T;
}
interface Err {
  error: string;
  details?: { field: string; message: string }[];
}

describe('api function: routes over HTTP', function () {
  let stack: ApiStack;
  let alice: TestUser;

  before(async function () {
    this.timeout(240_000);
    stack = await startApiStack();
    alice = await stack.newUser('alice@example.test');
  });

  after(async function () {
    this.timeout(30_000);
    await stack?.stop();
  });

  describe('GET /health', function () {
    it('reports database, storage and GPU cluster reachable', async function () {
      const res = await stack.call<Ok<HealthReport>>('GET', '/health', { token: alice.token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.data.status, 'ok');
      for (const check of ['database', 'storage', 'gpu_cluster'] as const) {
        assert.equal(res.body.data.checks[check].ok, true, check);
        assert.equal(typeof res.body.data.checks[check].latency_ms, 'number');
      }
      assert.equal(res.body.data.storage_backend, 'local');
    });

    it('answers the same under /api/... (the Edge Runtime path)', async function () {
      const res = await fetch(`${stack.functions.url}/functions/v1/api/health`, {
        headers: { authorization: `Bearer ${alice.token}` },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
    });

    it('answers a CORS preflight without a token', async function () {
      const res = await fetch(`${stack.apiUrl}/datasets`, { method: 'OPTIONS' });
      assert.equal(res.status, 204);
      assert.match(res.headers.get('access-control-allow-headers') ?? '', /authorization/);
      assert.match(res.headers.get('access-control-allow-methods') ?? '', /PATCH/);
    });
  });

  describe('datasets', function () {
    it('POST /datasets creates the row and a signed upload URL for the local store', async function () {
      const res = await stack.call<Ok<CreateDatasetResponse>>('POST', '/datasets', {
        token: alice.token,
        body: {
          name: '  Greetings  ',
          file_name: 'greetings.jsonl',
          file_size: Buffer.byteLength(SAMPLE_JSONL),
          sha256: sha256(SAMPLE_JSONL).toUpperCase(),
          description: 'two pairs',
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const { dataset, presigned_upload_url: url, upload } = res.body.data;
      assert.equal(dataset.name, 'Greetings');
      assert.equal(dataset.status, 'uploading');
      assert.equal(dataset.user_id, alice.id);
      assert.equal(dataset.sha256, sha256(SAMPLE_JSONL));
      assert.equal(dataset.file_size, Buffer.byteLength(SAMPLE_JSONL));
      assert.equal(dataset.storage_path, `${alice.id}/${dataset.id}/greetings.jsonl`);
      assert.equal(dataset.validation_error_count, 0);
      assert.deepEqual(dataset.validation_errors, []);
      assert.equal(dataset.training_ready, false);
      assert.ok(!('validation_cursor' in dataset), 'internal columns stay in the database');
      assert.equal(upload.url, url);
      assert.equal(upload.method, 'PUT');
      assert.equal(upload.bucket, 'lora-datasets');
      assert.equal(upload.headers['content-type'], 'application/jsonl');
      assert.ok(
        url.startsWith(
          `${stack.functions.url}/storage/v1/object/upload/sign/lora-datasets/${alice.id}/${dataset.id}/greetings.jsonl?token=`,
        ),
        url,
      );
      // The token names exactly this object and verifies with the shared secret.
      const verified = stack.store({ op: 'verify', url });
      assert.deepEqual(verified.parsed, {
        kind: 'upload',
        bucket: 'lora-datasets',
        path: dataset.storage_path,
      });
      const claims = verified.claims as { url: string; upsert: boolean; exp: number };
      assert.equal(claims.url, `lora-datasets/${dataset.storage_path}`);
      assert.equal(claims.upsert, false);
      assert.ok(claims.exp > Date.now() / 1000 + 7000);
    });

    it('POST /datasets/:id/complete moves an uploaded dataset to validating and wakes the validator', async function () {
      const dataset = await uploadDataset(stack, alice, 'Completed');
      // The upload URL is single-use: it cannot replace the file it uploaded.
      const again = await fetch(dataset.upload_url, {
        method: 'PUT',
        headers: { 'content-type': 'application/jsonl' },
        body: '{"swapped": true}\n',
      });
      assert.equal(again.status, 409);
      const res = await stack.call<Ok<DatasetResponse>>('GET', `/datasets/${dataset.id}`, {
        token: alice.token,
      });
      assert.equal(res.body.data.dataset.status, 'validating');
      assert.ok(res.body.data.dataset.uploaded_at);
      // The gateway reports a wake only for a POST carrying the service role key.
      await stack.functions.waitForLog(
        (l) => l.event === 'wake' && l.function === 'validate-datasets',
      );
    });

    it('POST /datasets/:id/complete without an upload is a 409 that says what to do', async function () {
      const created = await stack.call<Ok<CreateDatasetResponse>>('POST', '/datasets', {
        token: alice.token,
        body: {
          name: 'Never uploaded',
          file_name: 'x.jsonl',
          file_size: 10,
          sha256: 'a'.repeat(64),
        },
      });
      const res = await stack.call<Err>(
        'POST',
        `/datasets/${created.body.data.dataset.id}/complete`,
        {
          token: alice.token,
        },
      );
      assert.equal(res.status, 409);
      assert.match(res.body.error, /upload it, then complete/);
    });

    it('POST /datasets/:id/complete twice is a 409', async function () {
      const dataset = await uploadDataset(stack, alice, 'Twice');
      const res = await stack.call<Err>('POST', `/datasets/${dataset.id}/complete`, {
        token: alice.token,
      });
      assert.equal(res.status, 409);
      assert.match(res.body.error, /already completed \(status: validating\)/);
    });

    it('GET /datasets/:id returns statistics and validation errors', async function () {
      const dataset = await readyDataset(stack, alice, 'Detailed');
      const res = await stack.call<Ok<DatasetResponse>>('GET', `/datasets/${dataset.id}`, {
        token: alice.token,
      });
      assert.equal(res.status, 200);
      const d = res.body.data.dataset;
      assert.equal(d.status, 'ready');
      assert.equal(d.training_ready, true);
      assert.equal(d.total_training_pairs, 50);
      assert.equal(d.total_tokens, 20000);
      assert.equal(typeof d.avg_tokens_per_turn, 'number');
      assert.deepEqual(d.token_stats, { min: 10, max: 900, mean: 400 });
      assert.equal(d.validation_errors[0].line, 7);
      assert.equal(d.validation_error_count, 1);
      assert.equal(typeof d.created_at, 'string');
    });

    it('GET /datasets lists newest first, paged, with a status filter', async function () {
      const bob = await stack.newUser();
      const names = ['one', 'two', 'three'];
      for (const name of names) {
        const created = await stack.call('POST', '/datasets', {
          token: bob.token,
          body: { name, file_name: `${name}.jsonl`, file_size: 5, sha256: 'b'.repeat(64) },
        });
        assert.equal(created.status, 201);
      }
      const page1 = await stack.call<Ok<ListDatasetsResponse>>('GET', '/datasets?limit=2', {
        token: bob.token,
      });
      assert.equal(page1.status, 200);
      assert.deepEqual(
        page1.body.data.items.map((d) => d.name),
        ['three', 'two'],
      );
      assert.equal(page1.body.data.total, 3);
      assert.equal(page1.body.data.next_offset, 2);
      assert.ok(!('validation_errors' in page1.body.data.items[0]), 'lists stay light');
      const page2 = await stack.call<Ok<ListDatasetsResponse>>(
        'GET',
        '/datasets?limit=2&offset=2',
        {
          token: bob.token,
        },
      );
      assert.deepEqual(
        page2.body.data.items.map((d) => d.name),
        ['one'],
      );
      assert.equal(page2.body.data.next_offset, null);
      const beyond = await stack.call<Ok<ListDatasetsResponse>>('GET', '/datasets?offset=10', {
        token: bob.token,
      });
      assert.equal(beyond.body.data.total, 3);
      assert.deepEqual(beyond.body.data.items, []);
      const ready = await stack.call<Ok<ListDatasetsResponse>>('GET', '/datasets?status=ready', {
        token: bob.token,
      });
      assert.equal(ready.body.data.total, 0);
    });

    it('DELETE /datasets/:id soft-deletes: gone from lists and detail', async function () {
      const carol = await stack.newUser();
      const dataset = await uploadDataset(stack, carol, 'Doomed');
      const res = await stack.call<Ok<DatasetResponse>>('DELETE', `/datasets/${dataset.id}`, {
        token: carol.token,
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.data.dataset.status, 'deleted');
      assert.ok(res.body.data.dataset.deleted_at);
      const detail = await stack.call('GET', `/datasets/${dataset.id}`, { token: carol.token });
      assert.equal(detail.status, 404);
      const list = await stack.call<Ok<ListDatasetsResponse>>('GET', '/datasets', {
        token: carol.token,
      });
      assert.equal(list.body.data.total, 0);
      const again = await stack.call('DELETE', `/datasets/${dataset.id}`, { token: carol.token });
      assert.equal(again.status, 404);
    });

    it('DELETE /datasets/:id of a dataset with an active job is a 409', async function () {
      const dataset = await readyDataset(stack, alice, 'In use');
      const job = await stack.call('POST', '/jobs', {
        token: alice.token,
        body: { dataset_id: dataset.id },
      });
      assert.equal(job.status, 201);
      const res = await stack.call<Err>('DELETE', `/datasets/${dataset.id}`, {
        token: alice.token,
      });
      assert.equal(res.status, 409);
      assert.match(res.body.error, /cancel the job first/);
    });
  });

  describe('datasets: validation', function () {
    const good = { name: 'ok', file_name: 'a.jsonl', file_size: 10, sha256: 'c'.repeat(64) };
    const cases: [string, unknown, string][] = [
      ['an empty name', { ...good, name: '' }, 'name'],
      ['a blank name', { ...good, name: '   ' }, 'name'],
      ['a missing name', { ...good, name: undefined }, 'name'],
      ['a name over 200 characters', { ...good, name: 'x'.repeat(201) }, 'name'],
      ['a number as name', { ...good, name: 42 }, 'name'],
      ['a zero file size', { ...good, file_size: 0 }, 'file_size'],
      ['a file over 500 MB', { ...good, file_size: 524_288_001 }, 'file_size'],
      ['a fractional file size', { ...good, file_size: 1.5 }, 'file_size'],
      ['a short sha256', { ...good, sha256: 'abc' }, 'sha256'],
      ['a file name with a folder', { ...good, file_name: '../x.jsonl' }, 'file_name'],
      ['a file name of the wrong type', { ...good, file_name: 'x.csv' }, 'file_name'],
      ['an unknown field', { ...good, owner: 'someone' }, 'owner'],
    ];
    for (const [what, body, field] of cases) {
      it(`POST /datasets with ${what} is a 400 Validation error naming ${field}`, async function () {
        const res = await stack.call<Err>('POST', '/datasets', { token: alice.token, body });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.error, 'Validation error');
        assert.ok(
          res.body.details?.some((d) => d.field === field),
          JSON.stringify(res.body.details),
        );
      });
    }

    it('lists every problem of a request at once', async function () {
      const res = await stack.call<Err>('POST', '/datasets', {
        token: alice.token,
        body: { name: '', file_size: -1 },
      });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.details?.map((d) => d.field).sort(), [
        'file_name',
        'file_size',
        'name',
        'sha256',
      ]);
    });

    it('broken JSON and a non-object body are 400s', async function () {
      const broken = await stack.call<Err>('POST', '/datasets', {
        token: alice.token,
        rawBody: '{"name": ',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(broken.status, 400);
      assert.equal(broken.body.error, 'Validation error');
      const list = await stack.call<Err>('POST', '/datasets', { token: alice.token, body: [1] });
      assert.equal(list.status, 400);
    });

    it('bad ids and query parameters are 400s', async function () {
      for (const [method, path] of [
        ['GET', '/datasets/not-a-uuid'],
        ['GET', '/datasets?limit=0'],
        ['GET', '/datasets?limit=101'],
        ['GET', '/datasets?offset=-1'],
        ['GET', '/datasets?status=deleted'],
        ['GET', '/datasets?colour=red'],
        ['GET', '/jobs?status=sleeping'],
        ['GET', '/jobs?dataset_id=x'],
        ['GET', '/notifications?unread_only=maybe'],
        ['GET', '/costs/dashboard?months=25'],
      ]) {
        const res = await stack.call<Err>(method, path, { token: alice.token });
        assert.equal(res.status, 400, `${method} ${path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error, 'Validation error');
      }
    });

    it('an unknown route is a 404 and a wrong method a 405', async function () {
      const missing = await stack.call<Err>('GET', '/nothing-here', { token: alice.token });
      assert.equal(missing.status, 404);
      const wrong = await stack.call<Err>('PUT', '/datasets', { token: alice.token });
      assert.equal(wrong.status, 405);
      assert.match(wrong.body.error, /allowed: POST, GET/);
    });
  });

  describe('jobs', function () {
    let datasetId: string;

    before(async function () {
      datasetId = (await readyDataset(stack, alice, 'Training set')).id;
    });

    it("POST /jobs/estimate returns the shared cost model's figure for the dataset", async function () {
      const res = await stack.call<Ok<EstimateResponse>>('POST', '/jobs/estimate', {
        token: alice.token,
        body: {
          dataset_id: datasetId,
          preset_id: 'balanced',
          hyperparameters: { num_epochs: 3 },
          gpu_config: { gpu_type: 'H100', num_gpus: 2, price_per_hour: 0.01 },
        },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const data = res.body.data;
      const expected = estimateJobCost({
        gpu_config: { type: 'H100', count: 2 },
        hyperparameters: {
          batch_size: 8,
          gradient_accumulation_steps: 1,
          epochs: 3,
          validation_split: 0.1,
        },
        dataset: {
          total_training_pairs: 50,
          total_tokens: 20000,
          total_conversations: 50,
          name: 'Training set',
        },
      });
      // 5 of the 50 one-pair conversations are held out for validation: ceil(45 / 8) = 6.
      assert.equal(data.training_details.steps_per_epoch, 6);
      assert.ok(data.estimated_cost > 0);
      assert.equal(data.estimated_cost, expected.estimated_cost);
      assert.deepEqual(data.cost_breakdown, expected.cost_breakdown);
      assert.equal(data.hourly_rate, 8.4, 'client prices are ignored');
      assert.deepEqual(data.training_details, expected.training_details);
      assert.equal(data.config.preset_id, 'custom');
      assert.equal(data.config.hyperparameters.epochs, 3);
      assert.deepEqual(data.config.gpu_config, { type: 'H100', count: 2 });
      assert.equal(data.dataset.total_training_pairs, 50);
    });

    it('POST /jobs/estimate rejects values outside the limits, naming field and range', async function () {
      const res = await stack.call<Err>('POST', '/jobs/estimate', {
        token: alice.token,
        body: {
          dataset_id: datasetId,
          hyperparameters: { learning_rate: 1, batch_size: 0, colour: 'red' },
          gpu_config: { type: 'TPU' },
        },
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'Validation error');
      const byField = Object.fromEntries((res.body.details ?? []).map((d) => [d.field, d.message]));
      assert.match(byField['hyperparameters.learning_rate'], /between 0.00001 and 0.001/);
      assert.match(byField['hyperparameters.batch_size'], /between 1 and 64/);
      assert.match(byField['hyperparameters.colour'], /Unknown hyperparameter/);
      assert.match(byField['gpu_config.type'], /must be one of/);
    });

    it('POST /jobs/estimate for a dataset still validating is a 400 Dataset not ready', async function () {
      const pending = await uploadDataset(stack, alice, 'Pending');
      const res = await stack.call<Err>('POST', '/jobs/estimate', {
        token: alice.token,
        body: { dataset_id: pending.id },
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'Dataset not ready for training');
    });

    it('POST /jobs creates a queued job with the server-side estimate, notifies and wakes the processor', async function () {
      const res = await stack.call<Ok<CreateJobResponse>>('POST', '/jobs', {
        token: alice.token,
        body: {
          dataset_id: datasetId,
          name: 'First run',
          preset_id: 'balanced',
          hyperparameters: { rank: 16 },
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const job = res.body.data.job;
      assert.equal(job.status, 'queued');
      assert.equal(job.current_stage, 'queued');
      assert.equal(job.name, 'First run');
      assert.equal(job.preset_id, 'balanced');
      assert.equal(job.lora_rank, 16);
      assert.equal(job.epochs, 5);
      assert.equal(job.config.gpu_config.type, 'A100-80GB');
      assert.equal(typeof job.learning_rate, 'number');
      const expected = estimateJobCost({
        gpu_config: { type: 'A100-80GB', count: 1 },
        hyperparameters: {
          batch_size: 8,
          gradient_accumulation_steps: 1,
          epochs: 5,
          validation_split: 0.1,
        },
        dataset: { total_training_pairs: 50, total_tokens: 20000, total_conversations: 50 },
      });
      assert.equal(job.estimated_cost, expected.estimated_cost);
      assert.equal(job.total_steps, expected.training_details.total_steps);
      assert.equal(job.running_cost, 0);
      assert.equal(job.eta_seconds, null);
      assert.ok(!('claimed_by' in job) && !('lease_expires_at' in job));
      await stack.functions.waitForLog(
        (l) => l.event === 'wake' && l.function === 'process-training-jobs',
      );
      const notes = await stack.call<Ok<ListNotificationsResponse>>('GET', '/notifications', {
        token: alice.token,
      });
      assert.ok(
        notes.body.data.items.some((n) => n.type === 'job_queued' && n.metadata.job_id === job.id),
      );
    });

    it('POST /jobs rejects an unknown configuration key and an empty dataset id', async function () {
      const res = await stack.call<Err>('POST', '/jobs', {
        token: alice.token,
        body: { dataset_id: '', config: {} },
      });
      assert.equal(res.status, 400);
      const fields = res.body.details?.map((d) => d.field);
      assert.deepEqual(fields?.sort(), ['config', 'dataset_id']);
    });

    it('POST /jobs for a dataset that is not ready is a 400 Dataset not ready for training', async function () {
      const pending = await uploadDataset(stack, alice, 'Not yet');
      const res = await stack.call<Err>('POST', '/jobs', {
        token: alice.token,
        body: { dataset_id: pending.id },
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'Dataset not ready for training');
    });

    it('GET /jobs lists newest first with a status filter (one or several)', async function () {
      const dave = await stack.newUser();
      const ds = await readyDataset(stack, dave, 'Dave set');
      const ids: string[] = [];
      for (const name of ['j1', 'j2', 'j3']) {
        const res = await stack.call<Ok<CreateJobResponse>>('POST', '/jobs', {
          token: dave.token,
          body: { dataset_id: ds.id, name },
        });
        ids.push(res.body.data.job.id);
      }
      await stack.call('POST', `/jobs/${ids[0]}/cancel`, { token: dave.token });
      const all = await stack.call<Ok<ListJobsResponse>>('GET', '/jobs?limit=2', {
        token: dave.token,
      });
      assert.equal(all.status, 200);
      assert.deepEqual(
        all.body.data.items.map((j) => j.name),
        ['j3', 'j2'],
      );
      assert.equal(all.body.data.total, 3);
      assert.equal(all.body.data.next_offset, 2);
      const queued = await stack.call<Ok<ListJobsResponse>>('GET', '/jobs?status=queued', {
        token: dave.token,
      });
      assert.equal(queued.body.data.total, 2);
      const both = await stack.call<Ok<ListJobsResponse>>('GET', '/jobs?status=queued,cancelled', {
        token: dave.token,
      });
      assert.equal(both.body.data.total, 3);
      const byDataset = await stack.call<Ok<ListJobsResponse>>(`GET`, `/jobs?dataset_id=${ds.id}`, {
        token: dave.token,
      });
      assert.equal(byDataset.body.data.total, 3);
    });

    it('GET /jobs/:id and GET /jobs/:id/metrics?after_step=N follow the metric points', async function () {
      const created = await stack.call<Ok<CreateJobResponse>>('POST', '/jobs', {
        token: alice.token,
        body: { dataset_id: datasetId, preset_id: 'conservative' },
      });
      const jobId = created.body.data.job.id;
      const queued = await stack.call<Ok<JobDetailResponse>>('GET', `/jobs/${jobId}`, {
        token: alice.token,
      });
      assert.equal(
        queued.body.data.job.recorded_cost,
        null,
        'no cost recorded before the job ends',
      );
      const { artifactId } = await finishJob(stack, alice, jobId, { steps: 30 });

      const detail = await stack.call<Ok<JobDetailResponse>>('GET', `/jobs/${jobId}`, {
        token: alice.token,
      });
      assert.deepEqual(detail.body.data.job.recorded_cost, {
        training_compute: 6.75,
        storage: 0.5,
        total: 7.25,
      });
      assert.equal(detail.status, 200);
      assert.equal(detail.body.data.job.status, 'completed');
      assert.equal(detail.body.data.job.running_cost, 7.25);
      assert.equal(detail.body.data.recent_metrics.length, 30);
      assert.equal(detail.body.data.recent_metrics[0].step, 1);
      assert.equal(detail.body.data.artifact_id, artifactId);
      const point = detail.body.data.recent_metrics[9];
      assert.deepEqual(Object.keys(point).sort(), [
        'created_at',
        'epoch',
        'gpu_utilization',
        'gradient_norm',
        'learning_rate',
        'step',
        'throughput',
        'training_loss',
        'validation_loss',
      ]);
      assert.equal(point.epoch, 1);
      assert.equal(typeof point.validation_loss, 'number');

      const after = await stack.call<Ok<JobMetricsResponse>>(
        'GET',
        `/jobs/${jobId}/metrics?after_step=25`,
        { token: alice.token },
      );
      assert.equal(after.status, 200);
      assert.deepEqual(
        after.body.data.points.map((p) => p.step),
        [26, 27, 28, 29, 30],
      );
      assert.equal(after.body.data.next_after_step, 30);
      assert.equal(after.body.data.has_more, false);
      assert.equal(after.body.data.job.status, 'completed');

      const paged = await stack.call<Ok<JobMetricsResponse>>(
        'GET',
        `/jobs/${jobId}/metrics?after_step=0&limit=10`,
        { token: alice.token },
      );
      assert.equal(paged.body.data.points.length, 10);
      assert.equal(paged.body.data.next_after_step, 10);
      assert.equal(paged.body.data.has_more, true);

      const none = await stack.call<Ok<JobMetricsResponse>>(
        'GET',
        `/jobs/${jobId}/metrics?after_step=30`,
        { token: alice.token },
      );
      assert.deepEqual(none.body.data.points, []);
      assert.equal(none.body.data.next_after_step, 30);

      const bad = await stack.call<Err>('GET', `/jobs/${jobId}/metrics?after_step=x`, {
        token: alice.token,
      });
      assert.equal(bad.status, 400);
    });

    it('POST /jobs/:id/cancel cancels a queued job at once; again is a 409', async function () {
      const created = await stack.call<Ok<CreateJobResponse>>('POST', '/jobs', {
        token: alice.token,
        body: { dataset_id: datasetId },
      });
      const jobId = created.body.data.job.id;
      const res = await stack.call<Ok<CreateJobResponse>>('POST', `/jobs/${jobId}/cancel`, {
        token: alice.token,
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.data.job.status, 'cancelled');
      assert.ok(res.body.data.job.cancel_requested_at);
      const again = await stack.call<Err>('POST', `/jobs/${jobId}/cancel`, { token: alice.token });
      assert.equal(again.status, 409);
      assert.match(again.body.error, /already finished/);
    });

    it('POST /jobs/:id/cancel of a running job records the request and wakes the processor', async function () {
      const created = await stack.call<Ok<CreateJobResponse>>('POST', '/jobs', {
        token: alice.token,
        body: { dataset_id: datasetId },
      });
      const jobId = created.body.data.job.id;
      await stack.db.sql`
        update public.training_jobs
           set status = 'running', current_stage = 'training', started_at = now() - interval '1 hour',
               progress = 50, external_id = 'gpu-1'
         where id = ${jobId}`;
      const isWake = (l: Record<string, unknown>) =>
        l.event === 'wake' && l.function === 'process-training-jobs';
      const wakesBefore = stack.functions.logs.filter(isWake).length;
      const res = await stack.call<Ok<CreateJobResponse>>('POST', `/jobs/${jobId}/cancel`, {
        token: alice.token,
      });
      assert.equal(res.status, 200);
      const job = res.body.data.job;
      assert.equal(job.status, 'running');
      assert.ok(job.cancel_requested_at);
      assert.ok(
        job.running_cost !== null && Math.abs(job.running_cost - 3.5) < 0.05,
        String(job.running_cost),
      );
      assert.ok(
        job.eta_seconds !== null && Math.abs(job.eta_seconds - 3600) < 60,
        String(job.eta_seconds),
      );
      await stack.functions.waitForLog(
        (l) => isWake(l) && stack.functions.logs.filter(isWake).length > wakesBefore,
      );
    });

    it("GET /jobs/:id shows the processor's stored ETA when it has one", async function () {
      const created = await stack.call<Ok<CreateJobResponse>>('POST', '/jobs', {
        token: alice.token,
        body: { dataset_id: datasetId },
      });
      const jobId = created.body.data.job.id;
      await stack.db.sql`
        update public.training_jobs
           set status = 'running', current_stage = 'training', started_at = now(), progress = 10,
               eta_seconds = 1234
         where id = ${jobId}`;
      const res = await stack.call<Ok<JobDetailResponse>>('GET', `/jobs/${jobId}`, {
        token: alice.token,
      });
      assert.equal(res.body.data.job.eta_seconds, 1234);
      assert.ok(!('stored_eta_seconds' in res.body.data.job));
      await stack.call('POST', `/jobs/${jobId}/cancel`, { token: alice.token });
    });
  });

  describe('models', function () {
    let artifactId: string;
    let jobId: string;

    before(async function () {
      const ds = await readyDataset(stack, alice, 'Model set');
      const created = await stack.call<Ok<CreateJobResponse>>('POST', '/jobs', {
        token: alice.token,
        body: { dataset_id: ds.id, name: 'Model job' },
      });
      jobId = created.body.data.job.id;
      ({ artifactId } = await finishJob(stack, alice, jobId));
    });

    it("GET /models lists the user's artifacts, paged, filterable by job", async function () {
      const res = await stack.call<Ok<ListModelsResponse>>('GET', `/models?job_id=${jobId}`, {
        token: alice.token,
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.data.total, 1);
      const model = res.body.data.items[0];
      assert.equal(model.id, artifactId);
      assert.equal(model.status, 'ready');
      assert.equal(model.overall_score, 4);
      assert.equal(model.total_size, 1234);
      assert.equal(model.quality_metrics?.convergence_quality, 'good');
      const ready = await stack.call<Ok<ListModelsResponse>>(
        'GET',
        '/models?status=ready&limit=1',
        {
          token: alice.token,
        },
      );
      assert.ok(ready.body.data.total >= 1);
      assert.equal(ready.body.data.items.length, 1);
    });

    it('GET /models/:id returns the artifact with its checkpoints', async function () {
      const res = await stack.call<Ok<ModelDetailResponse>>('GET', `/models/${artifactId}`, {
        token: alice.token,
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.data.model.job_id, jobId);
      assert.deepEqual(
        res.body.data.checkpoints.map((c) => [c.epoch, c.step]),
        [
          [1, 10],
          [2, 20],
        ],
      );
      assert.deepEqual(Object.keys(res.body.data.model.files).sort(), [
        'adapter_config.json',
        'adapter_model.safetensors',
        'training_log.jsonl',
      ]);
    });

    it('POST /models/:id/download signs one URL per file, valid for an hour', async function () {
      const res = await stack.call<Ok<DownloadResponse>>('POST', `/models/${artifactId}/download`, {
        token: alice.token,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const { files, expires_in: expiresIn } = res.body.data;
      assert.equal(expiresIn, 3600);
      assert.deepEqual(
        files.map((f) => f.name),
        ['adapter_config.json', 'adapter_model.safetensors', 'training_log.jsonl'],
      );
      const config = files.find((f) => f.name === 'adapter_config.json')!;
      assert.equal(
        config.path,
        `${alice.id}/${artifactId}/adapter_config.json`,
        'relative paths resolve in the artifact folder',
      );
      const adapter = files.find((f) => f.name === 'adapter_model.safetensors')!;
      assert.equal(adapter.size, 1000);
      assert.equal(adapter.sha256, 'ab'.repeat(32));
      // The signed URL serves the stored bytes through the local gateway's file store.
      const bytes = '{"r": 16, "lora_alpha": 32}';
      stack.store({
        op: 'write',
        bucket: 'lora-models',
        path: config.path,
        text: bytes,
        contentType: 'application/json',
      });
      const fetched = await fetch(config.url);
      assert.equal(fetched.status, 200);
      assert.equal(await fetched.text(), bytes);
      const verified = stack.store({ op: 'verify', url: adapter.url });
      assert.equal((verified.parsed as { kind: string }).kind, 'download');
      const exp = (verified.claims as { exp: number }).exp;
      assert.ok(Math.abs(exp - (Date.now() / 1000 + 3600)) < 60);

      const one = await stack.call<Ok<DownloadResponse>>('POST', `/models/${artifactId}/download`, {
        token: alice.token,
        body: { files: ['adapter_config.json'] },
      });
      assert.deepEqual(
        one.body.data.files.map((f) => f.name),
        ['adapter_config.json'],
      );
      const unknown = await stack.call<Err>('POST', `/models/${artifactId}/download`, {
        token: alice.token,
        body: { files: ['weights.bin'] },
      });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.details?.[0].message ?? '', /No file "weights.bin"/);
    });

    it('POST /models/:id/download of a model still being created is a 409', async function () {
      await stack.db
        .sql`update public.model_artifacts set status = 'creating' where id = ${artifactId}`;
      try {
        const res = await stack.call<Err>('POST', `/models/${artifactId}/download`, {
          token: alice.token,
        });
        assert.equal(res.status, 409);
        assert.match(res.body.error, /not ready for download/);
      } finally {
        await stack.db
          .sql`update public.model_artifacts set status = 'ready' where id = ${artifactId}`;
      }
    });
  });

  describe('costs and notifications', function () {
    it('GET /costs/dashboard sums by period, job and GPU type, this month against last', async function () {
      const erin = await stack.newUser();
      const ds = await readyDataset(stack, erin, 'Erin set');
      const jobs: string[] = [];
      for (const name of ['now', 'before']) {
        const res = await stack.call<Ok<CreateJobResponse>>('POST', '/jobs', {
          token: erin.token,
          body: { dataset_id: ds.id, name },
        });
        jobs.push(res.body.data.job.id);
      }
      const now = new Date();
      const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
        .toISOString()
        .slice(0, 10);
      await finishJob(stack, erin, jobs[0]);
      await finishJob(stack, erin, jobs[1], { billingPeriod: lastMonth });
      await stack.db.sql`
        update public.cost_records set amount = 2.25
         where job_id = ${jobs[1]} and cost_type = 'training_compute'`;
      const lastMonthDay = lastMonth.slice(0, 8) + '05';
      await stack.db.sql`
        update public.cost_records set created_at = ${lastMonthDay + 'T12:00:00Z'}::timestamptz
         where job_id = ${jobs[1]}`;

      const res = await stack.call<Ok<CostDashboard>>('GET', '/costs/dashboard?months=3', {
        token: erin.token,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const d = res.body.data;
      assert.equal(d.currency, 'USD');
      assert.equal(d.current_month.total, 7.25);
      assert.equal(d.current_month.compute, 6.75);
      assert.equal(d.current_month.storage, 0.5);
      assert.equal(d.last_month.total, 2.75);
      assert.equal(d.last_month.period, lastMonth);
      assert.equal(d.change_percent, 163.6);
      assert.equal(d.by_period.length, 3);
      assert.deepEqual(
        d.by_period.map((p) => p.total),
        [0, 2.75, 7.25],
      );
      assert.deepEqual(
        d.by_job.map((j) => [j.job_name, j.total]),
        [
          ['now', 7.25],
          ['before', 2.75],
        ],
      );
      const gpu = Object.fromEntries(d.by_gpu_type.map((g) => [g.gpu_type ?? 'storage', g.total]));
      assert.deepEqual(gpu, { 'A100-80GB': 9, storage: 1 });
      assert.equal(d.total_in_window, 10);
      // Spend per day, by when it was recorded, for the dashboard's chart.
      assert.deepEqual(d.by_day, [
        { date: lastMonthDay, total: 2.75 },
        { date: now.toISOString().slice(0, 10), total: 7.25 },
      ]);
      assert.deepEqual(d.active, { jobs: 0, running_cost: 0 });
    });

    it('GET /notifications lists unread first; PATCH marks one read; read-all the rest', async function () {
      const fay = await stack.newUser();
      for (const [type, title] of [
        ['dataset_validated', 'first'],
        ['job_queued', 'second'],
        ['job_completed', 'third'],
      ]) {
        await stack.db.sql`
          insert into public.notifications (user_id, type, title, message)
          values (${fay.id}, ${type}, ${title}, 'text')`;
      }
      const list = await stack.call<Ok<ListNotificationsResponse>>('GET', '/notifications', {
        token: fay.token,
      });
      assert.equal(list.status, 200);
      assert.equal(list.body.data.unread_count, 3);
      const first = list.body.data.items[0];
      assert.equal(first.title, 'third', 'newest first');
      assert.deepEqual(Object.keys(first).sort(), [
        'created_at',
        'id',
        'message',
        'metadata',
        'priority',
        'read',
        'read_at',
        'title',
        'type',
      ]);

      const marked = await stack.call<Ok<NotificationResponse>>(
        'PATCH',
        `/notifications/${first.id}`,
        {
          token: fay.token,
          body: { read: true },
        },
      );
      assert.equal(marked.status, 200);
      assert.equal(marked.body.data.notification.read, true);
      assert.ok(marked.body.data.notification.read_at);

      const after = await stack.call<Ok<ListNotificationsResponse>>('GET', '/notifications', {
        token: fay.token,
      });
      assert.deepEqual(
        after.body.data.items.map((n) => [n.title, n.read]),
        [
          ['second', false],
          ['first', false],
          ['third', true],
        ],
      );
      const unread = await stack.call<Ok<ListNotificationsResponse>>(
        'GET',
        '/notifications?unread_only=true',
        { token: fay.token },
      );
      assert.equal(unread.body.data.total, 2);

      const bad = await stack.call<Err>('PATCH', `/notifications/${first.id}`, {
        token: fay.token,
        body: { read: false },
      });
      assert.equal(bad.status, 400);

      const all = await stack.call<Ok<ReadAllResponse>>('POST', '/notifications/read-all', {
        token: fay.token,
      });
      assert.equal(all.status, 200);
      assert.equal(all.body.data.updated, 2);
      const done = await stack.call<Ok<ListNotificationsResponse>>('GET', '/notifications', {
        token: fay.token,
      });
      assert.equal(done.body.data.unread_count, 0);
    });
  });

  describe('latency', function () {
    /** p95 in ms of `n` sequential calls (after one warm-up call). */
    async function p95(n: number, call: () => Promise<{ status: number; ms: number }>) {
      await call();
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const res = await call();
        assert.ok(res.status < 300, `status ${res.status}`);
        times.push(res.ms);
      }
      times.sort((a, b) => a - b);
      return times[Math.ceil(n * 0.95) - 1];
    }

    it('p95 stays within the product targets (list < 200, detail < 100, create < 300, download < 500 ms)', async function () {
      this.timeout(120_000);
      const user = await stack.newUser();
      const ds = await readyDataset(stack, user, 'Latency');
      const created = await stack.call<Ok<CreateJobResponse>>('POST', '/jobs', {
        token: user.token,
        body: { dataset_id: ds.id },
      });
      const jobId = created.body.data.job.id;
      const { artifactId } = await finishJob(stack, user, jobId, { steps: 200 });
      const t = user.token;
      const n = 40;
      const figures = {
        list: Math.max(
          await p95(n, () => stack.call('GET', '/datasets', { token: t })),
          await p95(n, () => stack.call('GET', '/jobs', { token: t })),
          await p95(n, () => stack.call('GET', '/models', { token: t })),
          await p95(n, () => stack.call('GET', '/notifications', { token: t })),
        ),
        detail: Math.max(
          await p95(n, () => stack.call('GET', `/datasets/${ds.id}`, { token: t })),
          await p95(n, () => stack.call('GET', `/jobs/${jobId}`, { token: t })),
          await p95(n, () => stack.call('GET', `/models/${artifactId}`, { token: t })),
        ),
        create: await p95(n, () =>
          stack.call('POST', '/datasets', {
            token: t,
            body: { name: 'p', file_name: 'p.jsonl', file_size: 1, sha256: 'f'.repeat(64) },
          }),
        ),
        download: await p95(n, () =>
          stack.call('POST', `/models/${artifactId}/download`, { token: t }),
        ),
      };
      console.log(
        `      p95 ms: ${Object.entries(figures)
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(', ')}`,
      );
      assert.ok(figures.list < 200, `list p95 ${figures.list}`);
      assert.ok(figures.detail < 100, `detail p95 ${figures.detail}`);
      assert.ok(figures.create < 300, `create p95 ${figures.create}`);
      assert.ok(figures.download < 500, `download p95 ${figures.download}`);
    });
  });

  describe('logging', function () {
    it('writes one structured line per request with route, user, status and duration', async function () {
      const res = await stack.call('GET', '/datasets?limit=1', { token: alice.token });
      const id = res.headers.get('x-request-id');
      const line = await stack.functions.waitForLog((l) => l.request_id === id);
      assert.equal(line.function, 'api');
      assert.equal(line.route, 'GET /datasets');
      assert.equal(line.user_id, alice.id);
      assert.equal(line.status, 200);
      assert.equal(line.outcome, 'ok');
      assert.equal(typeof line.duration_ms, 'number');
      assert.ok(!JSON.stringify(line).includes(alice.token), 'tokens never reach the logs');
    });
  });

  // Last: it stops the stack's GPU cluster.
  describe('GET /health with the GPU cluster down', function () {
    it('answers 503 Service degraded and names the failing check', async function () {
      await stack.gpu.close();
      const res = await stack.call<Err & { details: HealthReport }>('GET', '/health', {
        token: alice.token,
      });
      assert.equal(res.status, 503);
      assert.equal(res.body.error, 'Service degraded');
      assert.equal(res.body.details.status, 'degraded');
      assert.equal(res.body.details.checks.database.ok, true);
      assert.equal(res.body.details.checks.storage.ok, true);
      assert.equal(res.body.details.checks.gpu_cluster.ok, false);
      assert.ok(res.body.details.checks.gpu_cluster.error);
    });
  });
});
