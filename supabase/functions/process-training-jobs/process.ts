/**
 * One run of process-training-jobs (training.md §4): claim jobs (claim_training_jobs: FOR UPDATE
 * SKIP LOCKED with a lease), submit queued ones to the GPU cluster at most once per attempt,
 * follow active ones through /stream and /status for a short while, and release the leases.
 *
 * Every write is guarded by `claimed_by = <this run>`: a run that lost its lease (it was slow,
 * or another run reclaimed the job after this one died) changes nothing. The external id is
 * stored right after POST /run returns; the attempt is counted before the POST, so a run that
 * dies between the two leaves a job that is retried as a new attempt, never resubmitted under
 * the same one. Metric points are inserted with ON CONFLICT (job_id, step) DO NOTHING and are
 * backfilled from /status, so points a dead run took from /stream are not lost either.
 */
import type {
  GpuJobStatus,
  JobOutput,
  MetricPoint,
  StatusResponse,
} from '../../../common/gpu-cluster/contract.ts';
import { runningCost } from '../../../common/training/cost-model.ts';
import { roundCents } from '../../../common/training/money.ts';
import { signUploadUrls } from '../_shared/artifact-files.ts';
import { withServiceRole, type Tx } from '../_shared/db.ts';
import {
  GpuClusterClient,
  GpuClusterError,
  type ProviderRunRequest,
} from '../_shared/gpu-cluster-client.ts';
import { supabaseUrl } from '../_shared/env.ts';
import { logLine } from '../_shared/log.ts';
import { notify } from '../_shared/notify.ts';
import { writeComputeCost } from '../_shared/processing/costs.ts';
import { wakeFunction } from '../_shared/wake.ts';
import { signWorkerToken } from '../_shared/worker-token.ts';
import type { StoragePort } from '../_shared/storage/port.ts';
import {
  backoffMs,
  etaSeconds,
  executionTimeoutMs,
  isDiverged,
  jobTtlMs,
  isRetryableFailure,
  NAN_MESSAGE,
  stageOf,
  toMetricRow,
  type JobStatus,
} from './lifecycle.ts';

export interface JobRow {
  id: string;
  user_id: string;
  dataset_id: string;
  name: string | null;
  config: { hyperparameters?: Record<string, unknown>; debug?: Record<string, unknown> };
  gpu_type: string;
  gpu_count: number;
  epochs: number;
  /** numeric: postgres.js hands it over as a string. */
  estimated_duration_hours: string | number | null;
  status: JobStatus;
  current_stage: string;
  current_step: number;
  total_steps: number | null;
  attempt: number;
  max_attempts: number;
  cancel_requested_at: Date | null;
  external_id: string | null;
  started_at: Date | null;
  last_progress_at: Date | null;
  submitted_at: Date | null;
  hourly_rate: number | null;
}

export interface ProcessorSettings {
  worker: string;
  leaseSeconds: number;
  batch: number;
  /** How long one run keeps following the active jobs it holds. */
  followMs: number;
  pollMs: number;
  retryBackoffMs: number;
  stallMs: number;
  /** Forward `config.debug` (trainer failure injection) to the cluster: tests only. */
  forwardDebug: boolean;
  datasetUrlTtlSeconds: number;
}

export interface RunSummary extends Record<string, unknown> {
  worker: string;
  claimed: number;
  submitted: string[];
  completed: string[];
  failed: string[];
  cancelled: string[];
  retried: string[];
}

type Step = 'active' | 'done';

const JOB_COLUMNS = `id, user_id, dataset_id, name, config, gpu_type, gpu_count, epochs,
  estimated_duration_hours, status,
  current_stage, current_step, total_steps, attempt, max_attempts, cancel_requested_at,
  external_id, started_at, last_progress_at, submitted_at, hourly_rate`;

const TERMINAL: readonly GpuJobStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Processor {
  readonly summary: RunSummary;

  constructor(
    private readonly settings: ProcessorSettings,
    private readonly cluster: () => GpuClusterClient,
    private readonly storage: () => StoragePort,
  ) {
    this.summary = {
      worker: settings.worker,
      claimed: 0,
      submitted: [],
      completed: [],
      failed: [],
      cancelled: [],
      retried: [],
    };
  }

  async run(): Promise<RunSummary> {
    const { worker, batch, leaseSeconds } = this.settings;
    const claimed = await withServiceRole((tx) =>
      tx.unsafe<JobRow[]>(`select ${JOB_COLUMNS} from public.claim_training_jobs($1, $2, $3)`, [
        worker,
        batch,
        leaseSeconds,
      ]),
    );
    this.summary.claimed = claimed.length;
    const held = new Set(claimed.map((j) => j.id));
    try {
      let active = (await Promise.all(claimed.map((job) => this.advance(job)))).flatMap((s, i) =>
        s === 'active' ? [claimed[i].id] : [],
      );
      const until = Date.now() + this.settings.followMs;
      while (active.length > 0 && Date.now() + this.settings.pollMs < until) {
        await new Promise((resolve) => setTimeout(resolve, this.settings.pollMs));
        const jobs = await this.reload(active);
        active = (await Promise.all(jobs.map((job) => this.advance(job)))).flatMap((s, i) =>
          s === 'active' ? [jobs[i].id] : [],
        );
      }
    } finally {
      await withServiceRole(
        (tx) => tx`
          update public.training_jobs set claimed_by = null, lease_expires_at = null
           where id = any(${[...held]}::uuid[]) and claimed_by = ${worker}`,
      );
    }
    return this.summary;
  }

  /** The jobs this run still holds, as the database has them now (a cancel may have arrived). */
  private reload(ids: string[]): Promise<JobRow[]> {
    return withServiceRole((tx) =>
      tx.unsafe<JobRow[]>(
        `select ${JOB_COLUMNS} from public.training_jobs
          where id = any($1::uuid[]) and claimed_by = $2`,
        [ids, this.settings.worker],
      ),
    );
  }

  /** Moves one job as far as it goes now; 'active' when it should be polled again. */
  async advance(job: JobRow): Promise<Step> {
    try {
      if (job.status === 'queued') return await this.submit(job);
      if (job.status === 'initializing' || job.status === 'running') {
        if (job.external_id === null) return await this.lostSubmission(job);
        return await this.follow(job);
      }
      return 'done';
    } catch (error) {
      // A database or storage hiccup: the job stays as it is and the next run tries again.
      logLine('error', {
        function: 'process-training-jobs',
        event: 'job_step_error',
        job_id: job.id,
        error: errorText(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
      return 'done';
    }
  }

  // Submission ---------------------------------------------------------------------------------

  private async submit(job: JobRow): Promise<Step> {
    if (job.cancel_requested_at !== null) {
      await this.end(job, 'cancelled', null, {
        type: 'job_cancelled',
        title: 'Training job cancelled',
        message: `${job.name ?? 'The job'} was cancelled before it started.`,
      });
      return 'done';
    }
    const attempt = job.attempt + 1;
    if (attempt > job.max_attempts) {
      await this.end(job, 'failed', `The job used all ${job.max_attempts} attempts`);
      return 'done';
    }
    // The attempt is counted before the POST: a run that dies after sending it cannot make a
    // later run send the same attempt again.
    const marked = await this.update(
      job,
      (tx) => tx`
        update public.training_jobs
           set status = 'initializing', current_stage = 'initializing', attempt = ${attempt},
               submitted_at = now(), external_id = null, error_message = null,
               last_progress_at = null
         where id = ${job.id} and claimed_by = ${this.settings.worker} and status = 'queued'
        returning id`,
    );
    if (!marked) return 'done';

    let request: ProviderRunRequest;
    try {
      request = await this.runRequest(job, attempt);
    } catch (error) {
      await this.end(
        job,
        'failed',
        `Could not sign the dataset and upload URLs for training: ${errorText(error)}`,
      );
      return 'done';
    }
    let externalId: string;
    try {
      externalId = (await this.cluster().run(request)).id;
    } catch (error) {
      const gpuError =
        error instanceof GpuClusterError
          ? error
          : new GpuClusterError('unreachable', errorText(error));
      if (!gpuError.retryable) {
        await this.end(job, 'failed', `The GPU cluster refused the job: ${gpuError.message}`);
        return 'done';
      }
      if (attempt >= job.max_attempts) {
        await this.end(
          job,
          'failed',
          `The GPU cluster could not be reached after ${attempt} attempts (${gpuError.message}). Try again later.`,
        );
        return 'done';
      }
      await this.retryLater(
        { ...job, attempt },
        `The GPU cluster could not be reached (${gpuError.message}); retrying (attempt ${attempt} of ${job.max_attempts} failed)`,
      );
      return 'done';
    }
    await this.update(
      job,
      (tx) => tx`
        update public.training_jobs
           set external_id = ${externalId}, current_stage = 'queued_on_gpu'
         where id = ${job.id} and claimed_by = ${this.settings.worker}
        returning id`,
    );
    this.summary.submitted.push(job.id);
    logLine('info', {
      function: 'process-training-jobs',
      event: 'job_submitted',
      job_id: job.id,
      external_id: externalId,
      attempt,
    });
    return 'active';
  }

  /**
   * The `POST /run` body of one attempt: the signed dataset URL, the hyperparameters, a signed
   * upload URL per file the trainer will write (into this attempt's folder of the artifact, see
   * _shared/artifact-files.ts) and the provider's execution policy. Upload URLs are asked to
   * live as long as the job may, but Storage signs them for two hours whatever is asked (hosted,
   * and the local file store likewise), so the worker also gets a token, valid as long as the
   * job, to fetch fresh ones from `worker-upload-urls` just before it uploads.
   */
  private async runRequest(job: JobRow, attempt: number): Promise<ProviderRunRequest> {
    const dataset = await withServiceRole(
      (tx) => tx<{ storage_path: string }[]>`
        select storage_path from public.datasets where id = ${job.dataset_id}`,
    );
    if (dataset.length === 0) throw new Error('the dataset no longer exists');
    const estimate =
      job.estimated_duration_hours === null ? null : Number(job.estimated_duration_hours);
    const executionTimeout = executionTimeoutMs(estimate);
    const ttl = jobTtlMs(executionTimeout);
    const storage = this.storage();
    const url = await storage.createSignedDownloadUrl(
      'lora-datasets',
      dataset[0].storage_path,
      this.settings.datasetUrlTtlSeconds,
    );
    const uploadUrls = await signUploadUrls(
      storage,
      { userId: job.user_id, jobId: job.id, attempt, epochs: job.epochs },
      Math.ceil(ttl / 1000),
    );
    const input: ProviderRunRequest['input'] = {
      job_id: job.id,
      dataset_url: url,
      hyperparameters: job.config.hyperparameters ?? {},
      gpu_config: { type: job.gpu_type, count: job.gpu_count },
      upload_urls: uploadUrls,
      upload_urls_refresh: {
        url: `${supabaseUrl()}/functions/v1/worker-upload-urls`,
        token: await signWorkerToken(
          { jobId: job.id, attempt },
          Math.ceil((Date.now() + ttl) / 1000),
        ),
      },
    };
    if (this.settings.forwardDebug && job.config.debug !== undefined) {
      input.debug = job.config.debug;
    }
    return { input, policy: { executionTimeout, ttl } };
  }

  /**
   * An active job without an external id: a run died between counting the attempt and storing
   * the id. Whether the cluster received that POST cannot be known, so the attempt is spent.
   */
  private async lostSubmission(job: JobRow): Promise<Step> {
    const message = `The processor stopped while submitting attempt ${job.attempt}`;
    if (job.cancel_requested_at !== null) {
      await this.end(job, 'cancelled', null, {
        type: 'job_cancelled',
        title: 'Training job cancelled',
        message: `${job.name ?? 'The job'} was cancelled.`,
      });
    } else if (job.attempt >= job.max_attempts) {
      await this.end(job, 'failed', `${message}, its last attempt. Submit the job again.`);
    } else {
      await this.retryLater(job, `${message}; retrying`);
    }
    return 'done';
  }

  // Following ----------------------------------------------------------------------------------

  private async follow(job: JobRow): Promise<Step> {
    const externalId = job.external_id as string;
    const cluster = this.cluster();
    if (job.cancel_requested_at !== null) return await this.confirmCancel(job, externalId);

    let status: StatusResponse;
    let streamed: MetricPoint[] = [];
    try {
      streamed = (await cluster.stream(externalId)).stream.map((s) => s.output);
      status = await cluster.status(externalId);
    } catch (error) {
      if (error instanceof GpuClusterError && error.kind === 'not_found') {
        return await this.gpuFailure(job, 'The GPU cluster lost the job', undefined);
      }
      // Unreachable for now: nothing changes, unless it has gone on for the stall window.
      if (await this.stalled(job, false)) return 'done';
      logLine('warn', {
        function: 'process-training-jobs',
        event: 'poll_failed',
        job_id: job.id,
        error: errorText(error),
      });
      return 'active';
    }

    const output = status.output;
    const points = await this.storePoints(job, streamed, output?.metrics ?? []);
    if (points.diverged) {
      await this.stopOnGpu(externalId);
      await this.end(job, 'failed', NAN_MESSAGE, undefined, output);
      return 'done';
    }

    switch (status.status) {
      case 'IN_QUEUE':
        await this.update(
          job,
          (tx) => tx`
            update public.training_jobs set current_stage = 'queued_on_gpu'
             where id = ${job.id} and claimed_by = ${this.settings.worker} returning id`,
        );
        return 'active';
      case 'IN_PROGRESS':
        return await this.progress(job, output, points.stored);
      case 'COMPLETED':
        await this.complete(job, output);
        return 'done';
      case 'FAILED':
        if (output?.error_code === 'nan_loss') {
          await this.end(job, 'failed', NAN_MESSAGE, undefined, output);
          return 'done';
        }
        return await this.gpuFailure(job, status.error ?? 'The trainer failed', output);
      case 'CANCELLED':
        return await this.gpuFailure(job, 'The GPU provider cancelled the job', output);
      case 'TIMED_OUT':
        await this.end(
          job,
          'failed',
          status.error ??
            'The job ran longer than the GPU provider allows: use fewer epochs or a smaller dataset',
          undefined,
          output,
        );
        return 'done';
    }
  }

  private async progress(
    job: JobRow,
    output: JobOutput | undefined,
    newPoints: number,
  ): Promise<Step> {
    const now = Date.now();
    const step = output?.current_step ?? job.current_step;
    const moved = step > job.current_step || newPoints > 0 || job.status !== 'running';
    if (!moved && (await this.stalled(job, true))) return 'done';
    const startedAt = job.started_at?.getTime() ?? now;
    const totalSteps = output && output.total_steps > 0 ? output.total_steps : job.total_steps;
    const cost =
      job.hourly_rate === null ? null : roundCents(runningCost(job.hourly_rate, startedAt, now));
    const eta = etaSeconds(startedAt, now, step, totalSteps);
    const last = output?.metrics.at(-1);
    const lastValidation = output?.metrics.findLast((p) => typeof p.validation_loss === 'number');
    const starting = job.status !== 'running';
    // One "started" notification per job, not one per attempt.
    const firstStart = starting && job.started_at === null;
    await this.update(job, async (tx) => {
      const rows = await tx`
        update public.training_jobs
           set status = 'running',
               current_stage = ${stageOf(output?.stage)},
               started_at = coalesce(started_at, now()),
               progress = ${Math.min(100, Math.max(0, output?.progress ?? 0))},
               current_epoch = ${Math.max(0, output?.current_epoch ?? 0)},
               current_step = ${Math.max(0, step)},
               total_steps = ${totalSteps},
               current_training_loss = ${last?.training_loss ?? null},
               current_validation_loss = ${lastValidation?.validation_loss ?? null},
               current_learning_rate = ${last?.learning_rate ?? null},
               current_gpu_utilization = ${last?.gpu_utilization ?? null},
               last_progress_at = ${moved ? tx`now()` : tx`last_progress_at`},
               running_cost = ${cost},
               eta_seconds = ${eta},
               gpu_output = ${tx.json(this.compactOutput(output) as never)}
         where id = ${job.id} and claimed_by = ${this.settings.worker}
        returning id`;
      if (rows.length > 0 && firstStart) {
        await notify(tx, {
          userId: job.user_id,
          type: 'job_started',
          title: 'Training started',
          message: `${job.name ?? 'Your job'} is training on ${job.gpu_count} × ${job.gpu_type}.`,
          metadata: { job_id: job.id, attempt: job.attempt },
        });
      }
      return rows;
    });
    return 'active';
  }

  /** Fails a running job that made no progress for the stall window; true when it did. */
  private async stalled(job: JobRow, reachable: boolean): Promise<boolean> {
    if (job.status !== 'running') return false;
    const since = (job.last_progress_at ?? job.started_at ?? job.submitted_at)?.getTime();
    if (since === undefined || Date.now() - since < this.settings.stallMs) return false;
    const minutes = Math.round(this.settings.stallMs / 60_000);
    const window =
      minutes >= 1 ? `${minutes} minutes` : `${Math.round(this.settings.stallMs / 1000)} seconds`;
    if (reachable && job.external_id !== null) await this.stopOnGpu(job.external_id);
    await this.end(
      job,
      'failed',
      reachable
        ? `Training stalled: no progress for ${window}. The GPU job was stopped; submit the job again.`
        : `Training stalled: the GPU cluster did not answer for ${window}. Submit the job again.`,
    );
    return true;
  }

  private async confirmCancel(job: JobRow, externalId: string): Promise<Step> {
    const cluster = this.cluster();
    let status: GpuJobStatus | 'gone';
    let output: JobOutput | undefined;
    try {
      const before = await cluster.status(externalId);
      if (!TERMINAL.includes(before.status)) await cluster.cancel(externalId);
      const after = await cluster.status(externalId);
      status = after.status;
      output = after.output;
      await this.storePoints(job, [], output?.metrics ?? []);
    } catch (error) {
      if (!(error instanceof GpuClusterError && error.kind === 'not_found')) {
        logLine('warn', {
          function: 'process-training-jobs',
          event: 'cancel_failed',
          job_id: job.id,
          error: errorText(error),
        });
        return 'active';
      }
      status = 'gone';
    }
    if (status === 'COMPLETED') {
      // The run finished before the cancel reached it: its files are real, keep them.
      await this.complete(job, output);
      return 'done';
    }
    if (status === 'IN_QUEUE' || status === 'IN_PROGRESS') return 'active'; // stopping
    await this.end(
      job,
      'cancelled',
      null,
      {
        type: 'job_cancelled',
        title: 'Training job cancelled',
        message: `${job.name ?? 'The job'} was cancelled; the GPU job has stopped.`,
      },
      output,
    );
    return 'done';
  }

  private async stopOnGpu(externalId: string): Promise<void> {
    try {
      await this.cluster().cancel(externalId);
    } catch {
      // Best effort: the provider's own timeout ends it otherwise.
    }
  }

  private async gpuFailure(
    job: JobRow,
    message: string,
    output: JobOutput | undefined,
  ): Promise<Step> {
    if (isRetryableFailure(output) && job.attempt < job.max_attempts) {
      await this.retryLater(
        job,
        `${message}; retrying (attempt ${job.attempt} of ${job.max_attempts} failed)`,
      );
      return 'done';
    }
    await this.end(job, 'failed', message, undefined, output);
    return 'done';
  }

  /** Inserts new points once per step; reports a diverged point without storing it. */
  private async storePoints(
    job: JobRow,
    streamed: MetricPoint[],
    all: MetricPoint[],
  ): Promise<{ stored: number; diverged: boolean }> {
    const byStep = new Map<number, MetricPoint>();
    for (const p of [...all, ...streamed]) byStep.set(p.step, p);
    if (byStep.size === 0) return { stored: 0, diverged: false };
    // Only steps past the last stored one: /status repeats every point of the run.
    const [{ last }] = await withServiceRole(
      (tx) => tx<{ last: number }[]>`
        select coalesce(max(step), -1) as last from public.metrics_points where job_id = ${job.id}`,
    );
    const points = [...byStep.values()].filter((p) => !(p.step <= last));
    if (points.some(isDiverged)) return { stored: 0, diverged: true };
    const rows = points.flatMap((p) => {
      const row = toMetricRow(job.id, job.user_id, p);
      return row === null ? [] : [row];
    });
    if (rows.length === 0) return { stored: 0, diverged: false };
    const inserted = await withServiceRole(
      (tx) => tx`
        insert into public.metrics_points ${tx(
          rows as never,
          'job_id',
          'user_id',
          'epoch',
          'step',
          'training_loss',
          'validation_loss',
          'learning_rate',
          'gradient_norm',
          'throughput',
          'gpu_utilization',
        )}
        on conflict (job_id, step) do nothing
        returning step`,
    );
    return { stored: inserted.length, diverged: false };
  }

  // Endings ------------------------------------------------------------------------------------

  private async complete(job: JobRow, output: JobOutput | undefined): Promise<void> {
    const ended = await this.end(
      job,
      'completed',
      null,
      {
        type: 'job_completed',
        title: 'Training completed',
        message: `${job.name ?? 'Your job'} finished training; its adapter is being saved.`,
      },
      output,
    );
    if (ended) wakeFunction('create-model-artifacts', { job_id: job.id });
  }

  /**
   * Puts a job back in the queue for its next attempt after the backoff; the attempt it spent
   * stays counted.
   */
  private async retryLater(job: JobRow, message: string): Promise<void> {
    const delay = backoffMs(job.attempt, this.settings.retryBackoffMs);
    const ok = await this.update(job, async (tx) => {
      const rows = await tx`
        update public.training_jobs
           set status = 'queued', current_stage = 'queued', external_id = null,
               next_attempt_at = now() + make_interval(secs => ${delay / 1000}),
               error_message = ${message}, eta_seconds = null, progress = 0,
               current_step = 0, current_epoch = 0, current_training_loss = null,
               current_validation_loss = null, current_learning_rate = null,
               current_gpu_utilization = null
         where id = ${job.id} and claimed_by = ${this.settings.worker}
        returning id`;
      // The next attempt trains from the start: its steps replace the failed attempt's.
      if (rows.length > 0) await tx`delete from public.metrics_points where job_id = ${job.id}`;
      return rows;
    });
    if (ok) this.summary.retried.push(job.id);
    logLine('warn', {
      function: 'process-training-jobs',
      event: 'job_retry',
      job_id: job.id,
      attempt: job.attempt,
      delay_ms: delay,
      message,
    });
  }

  /**
   * Ends a job (completed, failed or cancelled): final cost, its cost record, the notification,
   * in one transaction. Returns false when this run no longer held the job.
   */
  private async end(
    job: JobRow,
    status: 'completed' | 'failed' | 'cancelled',
    errorMessage: string | null,
    notice?: { type: 'job_completed' | 'job_cancelled'; title: string; message: string },
    output?: JobOutput,
  ): Promise<boolean> {
    const ended = await this.update(job, async (tx) => {
      const rows = await tx<
        {
          started_at: Date | null;
          completed_at: Date;
          hourly_rate: number | null;
          progress: number;
        }[]
      >`
        update public.training_jobs
           set status = ${status},
               current_stage = ${status === 'completed' ? 'completed' : tx`current_stage`},
               progress = ${status === 'completed' ? 100 : tx`progress`},
               current_step = ${status === 'completed' && output ? output.current_step : tx`current_step`},
               current_epoch = ${status === 'completed' && output ? output.current_epoch : tx`current_epoch`},
               error_message = ${errorMessage},
               completed_at = now(),
               eta_seconds = null,
               cancel_requested_at = ${status === 'cancelled' ? tx`coalesce(cancel_requested_at, now())` : tx`cancel_requested_at`},
               gpu_output = ${output ? tx.json(this.compactOutput(output) as never) : tx`gpu_output`}
         where id = ${job.id} and claimed_by = ${this.settings.worker}
           and status not in ('completed', 'failed', 'cancelled')
        returning started_at, completed_at, hourly_rate, progress`;
      if (rows.length === 0) return rows;
      const row = rows[0];
      if (row.started_at !== null && row.hourly_rate !== null) {
        await writeComputeCost(tx, job, row.started_at, row.completed_at, row.hourly_rate);
      }
      if (status === 'failed') {
        await notify(tx, {
          userId: job.user_id,
          type: 'job_failed',
          priority: 'high',
          title: 'Training failed',
          message: `${job.name ?? 'Your job'} failed: ${errorMessage ?? 'unknown error'}`,
          metadata: { job_id: job.id, attempt: job.attempt },
        });
      } else if (notice !== undefined) {
        await notify(tx, {
          userId: job.user_id,
          type: notice.type,
          title: notice.title,
          message: notice.message,
          metadata: { job_id: job.id },
        });
      }
      return rows;
    });
    if (ended) {
      this.summary[
        status === 'completed' ? 'completed' : status === 'failed' ? 'failed' : 'cancelled'
      ].push(job.id);
      logLine(status === 'failed' ? 'warn' : 'info', {
        function: 'process-training-jobs',
        event: `job_${status}`,
        job_id: job.id,
        error: errorMessage ?? undefined,
      });
    }
    return ended;
  }

  /** The cluster's output without the metric list (stored once, in metrics_points). */
  private compactOutput(output: JobOutput | undefined): Record<string, unknown> {
    if (output === undefined) return {};
    const { metrics: _metrics, ...rest } = output;
    return { ...rest, metric_count: output.metrics?.length ?? 0 };
  }

  private async update(
    _job: JobRow,
    write: (tx: Tx) => Promise<readonly unknown[]>,
  ): Promise<boolean> {
    // Every write names `claimed_by = <this run>`: no rows means the lease was lost.
    const rows = await withServiceRole(write);
    return rows.length > 0;
  }
}
