// Training jobs: the authoritative estimate, create, list, detail with recent metrics, the
// metric cursor the monitor follows, and cancellation. The configuration is normalised with the
// shared rules of common/training (a 400 lists every problem at once); create_training_job then
// checks it again in SQL and computes the stored estimate with the same cost model.
import {
  DEFAULT_METRICS_LIMIT,
  MAX_METRICS_LIMIT,
  RECENT_METRICS_LIMIT,
  type CancelJobResponse,
  type CreateJobResponse,
  type EstimateResponse,
  type JobDetailResponse,
  type JobMetricsResponse,
  type JobStatus,
  type ListJobsResponse,
} from '../../../../common/api/types.ts';
import { estimateJobCost } from '../../../../common/training/cost-model.ts';
import { normalizeJobConfig } from '../../../../common/training/normalize-config.ts';
import { withUser } from '../../_shared/db.ts';
import { HttpError, ValidationError, ok, readJson } from '../../_shared/http.ts';
import { wakeFunction } from '../../_shared/wake.ts';
import { JOB_COLUMNS, METRIC_COLUMNS, toJob, toMetricPoint } from '../rows.ts';
import type { Route, RouteContext } from '../router.ts';
import { listPage } from '../paging.ts';
import { BodyReader, QueryReader, pathId } from '../validate.ts';

const JOB_STATUSES: readonly JobStatus[] = [
  'queued',
  'initializing',
  'running',
  'completed',
  'failed',
  'cancelled',
];
const CONFIG_KEYS = ['preset_id', 'hyperparameters', 'gpu_config'] as const;

/** Splits a job request into its own fields and the configuration part, checking both. */
function readJobRequest(body: unknown, ownFields: readonly string[]) {
  const input = new BodyReader(body, null);
  const datasetId = input.uuid('dataset_id');
  const name = ownFields.includes('name') ? input.string('name', { max: 200 }) : null;
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input.body)) {
    if (!ownFields.includes(key)) config[key] = value;
  }
  const normalized = normalizeJobConfig(config);
  if (!normalized.ok) input.issues.push(...normalized.details);
  input.done();
  if (!normalized.ok) throw new ValidationError(normalized.details);
  // Only the configuration keys go to SQL, in the client's own words: the database normalises
  // them again and must reach the same result.
  const rawConfig: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) if (config[key] !== undefined) rawConfig[key] = config[key];
  return { datasetId, name, config: normalized.config, rawConfig };
}

async function estimate({ req, claims }: RouteContext): Promise<Response> {
  const { datasetId, config } = readJobRequest(await readJson(req), ['dataset_id']);
  const dataset = await withUser(claims, async (tx) => {
    const [row] = await tx`
      select id, name, status, training_ready, total_training_pairs, total_conversations,
             total_tokens
        from public.datasets where id = ${datasetId} and deleted_at is null`;
    return row;
  });
  if (!dataset) throw new HttpError(404, 'Dataset not found');
  const pairs = dataset.total_training_pairs as number | null;
  const tokens = dataset.total_tokens as number | null;
  if (dataset.status !== 'ready' || !dataset.training_ready || !pairs || !tokens) {
    const message = `Dataset not ready for training (status: ${String(dataset.status)})`;
    throw new HttpError(400, 'Dataset not ready for training', [{ field: 'dataset_id', message }]);
  }
  const result = estimateJobCost({
    gpu_config: config.gpu_config,
    hyperparameters: config.hyperparameters,
    dataset: {
      total_training_pairs: pairs,
      total_tokens: tokens,
      total_conversations: dataset.total_conversations as number | null,
      name: dataset.name as string,
    },
  });
  return ok<EstimateResponse>({
    ...result,
    config,
    dataset: {
      id: dataset.id as string,
      name: dataset.name as string,
      total_training_pairs: pairs,
      total_tokens: tokens,
    },
  });
}

async function createJob({ req, claims }: RouteContext): Promise<Response> {
  const { datasetId, name, rawConfig } = readJobRequest(await readJson(req), [
    'dataset_id',
    'name',
  ]);
  const job = await withUser(claims, async (tx) => {
    const [row] = await tx`
      select ${tx.unsafe(JOB_COLUMNS)}
        from public.create_training_job(${datasetId}, ${tx.json(rawConfig as never)}, ${name}) j`;
    return toJob(row);
  });
  wakeFunction('process-training-jobs', { job_id: job.id });
  return ok<CreateJobResponse>({ job }, 201);
}

async function listJobs({ url, claims }: RouteContext): Promise<Response> {
  const query = new QueryReader(url.searchParams, ['limit', 'offset', 'status', 'dataset_id']);
  const { limit, offset } = query.page();
  const statuses = query.manyOf('status', JOB_STATUSES);
  const datasetId = query.uuid('dataset_id');
  query.done();

  const data = await withUser(claims, (tx): Promise<ListJobsResponse> => {
    const filter = tx`
      ${statuses ? tx`and status = any(${statuses})` : tx``}
      ${datasetId ? tx`and dataset_id = ${datasetId}` : tx``}`;
    const now = Date.now();
    return listPage(tx, {
      table: 'public.training_jobs j',
      columns: JOB_COLUMNS,
      userId: claims.sub,
      filter,
      limit,
      offset,
      toItem: (r) => toJob(r, now),
    });
  });
  return ok(data);
}

async function getJob({ params, claims }: RouteContext): Promise<Response> {
  const id = pathId(params.id);
  const data = await withUser(claims, async (tx): Promise<JobDetailResponse | undefined> => {
    const [row] = await tx`
      select ${tx.unsafe(JOB_COLUMNS)},
             (select a.id from public.model_artifacts a
               where a.job_id = j.id and a.deleted_at is null) as artifact_id
        from public.training_jobs j where j.id = ${id}`;
    if (!row) return undefined;
    const points = await tx`
      select * from (
        select ${tx.unsafe(METRIC_COLUMNS)} from public.metrics_points
         where job_id = ${id} order by step desc limit ${RECENT_METRICS_LIMIT}
      ) recent order by step`;
    const { artifact_id: artifactId, ...job } = row;
    return {
      job: toJob(job),
      recent_metrics: points.map(toMetricPoint),
      artifact_id: (artifactId as string | null) ?? null,
    };
  });
  if (!data) throw new HttpError(404, 'Training job not found');
  return ok(data);
}

async function jobMetrics({ params, url, claims }: RouteContext): Promise<Response> {
  const id = pathId(params.id);
  const query = new QueryReader(url.searchParams, ['after_step', 'limit']);
  const afterStep = query.integer('after_step', { min: -1, max: 2_147_483_647, fallback: -1 });
  const limit = query.integer('limit', {
    min: 1,
    max: MAX_METRICS_LIMIT,
    fallback: DEFAULT_METRICS_LIMIT,
  });
  query.done();

  const data = await withUser(claims, async (tx): Promise<JobMetricsResponse | undefined> => {
    const [job] = await tx`
      select id, status, current_stage, progress, current_step, total_steps
        from public.training_jobs where id = ${id}`;
    if (!job) return undefined;
    const rows = await tx`
      select ${tx.unsafe(METRIC_COLUMNS)} from public.metrics_points
       where job_id = ${id} and step > ${afterStep}
       order by step limit ${limit + 1}`;
    const hasMore = rows.length > limit;
    const points = rows.slice(0, limit).map(toMetricPoint);
    return {
      points,
      next_after_step: points.length > 0 ? points[points.length - 1].step : afterStep,
      has_more: hasMore,
      job: job as unknown as JobMetricsResponse['job'],
    };
  });
  if (!data) throw new HttpError(404, 'Training job not found');
  return ok(data);
}

async function cancelJob({ params, claims }: RouteContext): Promise<Response> {
  const id = pathId(params.id);
  const job = await withUser(claims, async (tx) => {
    const [row] =
      await tx`select ${tx.unsafe(JOB_COLUMNS)} from public.request_job_cancel(${id}) j`;
    return toJob(row);
  });
  // A job that was running still has to be stopped on the GPU side: tell the processor now.
  if (job.status !== 'cancelled') wakeFunction('process-training-jobs', { job_id: job.id });
  return ok<CancelJobResponse>({ job });
}

export const jobRoutes: readonly Route[] = [
  { method: 'POST', pattern: '/jobs/estimate', handle: estimate },
  { method: 'POST', pattern: '/jobs', handle: createJob },
  { method: 'GET', pattern: '/jobs', handle: listJobs },
  { method: 'GET', pattern: '/jobs/:id', handle: getJob },
  { method: 'GET', pattern: '/jobs/:id/metrics', handle: jobMetrics },
  { method: 'POST', pattern: '/jobs/:id/cancel', handle: cancelJob },
];
