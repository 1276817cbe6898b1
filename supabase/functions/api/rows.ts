// The columns each route returns and the few values computed on the way out. Internal columns
// (claims, leases, cursors, external ids) never leave the database through the API.
import type {
  Checkpoint,
  Dataset,
  DatasetSummary,
  MetricPoint,
  ModelArtifact,
  Notification,
  TrainingJob,
} from '../../../common/api/types.ts';
import { roundCents } from '../../../common/training/money.ts';

export const DATASET_SUMMARY_COLUMNS = `
  id, user_id, name, description, file_name, file_size, sha256, storage_path, format,
  detected_shape, status, total_training_pairs, total_samples, total_conversations, total_tokens,
  tokens_estimated, avg_turns_per_conversation, avg_tokens_per_turn, training_ready,
  error_message, jsonb_array_length(validation_errors) as validation_error_count, uploaded_at,
  validated_at, deleted_at, created_at, updated_at`;

export const DATASET_COLUMNS = `${DATASET_SUMMARY_COLUMNS},
  token_stats, sample_data, validation_errors`;

/**
 * Columns of a job, for a query whose job row is aliased `j`. The processor may store its own
 * ETA (by the trainer's pace); `to_jsonb(j)` reads it without failing on a schema without it.
 * `recorded_cost` sums the job's cost records (at most one per kind), visible under RLS.
 */
export const JOB_COLUMNS = `
  id, user_id, dataset_id, name, config, preset_id, base_model, learning_rate, batch_size, epochs,
  lora_rank, lora_alpha, lora_dropout, warmup_ratio, max_seq_length, gradient_accumulation_steps,
  validation_split, gpu_type, gpu_count, status, current_stage, progress, current_epoch,
  current_step, total_steps, steps_per_epoch, current_training_loss, current_validation_loss,
  current_learning_rate, current_gpu_utilization, last_progress_at, estimated_cost,
  estimated_duration_hours, hourly_rate, actual_cost, attempt, max_attempts, cancel_requested_at,
  error_message, started_at, completed_at, created_at, updated_at,
  (to_jsonb(j) ->> 'eta_seconds')::float8 as stored_eta_seconds,
  (select jsonb_build_object(
            'training_compute',
            coalesce(sum(c.amount) filter (where c.cost_type = 'training_compute'), 0),
            'storage', coalesce(sum(c.amount) filter (where c.cost_type = 'storage'), 0),
            'total', sum(c.amount))
     from public.cost_records c where c.job_id = j.id
   having count(*) > 0) as recorded_cost`;

export const METRIC_COLUMNS = `
  step, epoch, training_loss, validation_loss, learning_rate, gradient_norm, throughput,
  gpu_utilization, created_at`;

export const ARTIFACT_COLUMNS = `
  id, user_id, job_id, dataset_id, name, base_model, status, storage_path, files, total_size,
  quality_metrics, overall_score, training_summary, config, error_message, created_at, updated_at`;

export const CHECKPOINT_COLUMNS = `
  id, job_id, artifact_id, epoch, step, training_loss, validation_loss, storage_path, file_size,
  created_at`;

export const NOTIFICATION_COLUMNS = `
  id, type, priority, title, message, read, read_at, metadata, created_at`;

type Row = Record<string, unknown>;

/** Drops the window count the list queries add. */
function withoutTotal<T>(row: Row): T {
  const { total_count: _total, ...rest } = row;
  return rest as T;
}

export const toDatasetSummary = (row: Row): DatasetSummary => withoutTotal<DatasetSummary>(row);
export const toDataset = (row: Row): Dataset => withoutTotal<Dataset>(row);
export const toMetricPoint = (row: Row): MetricPoint => row as unknown as MetricPoint;
export const toArtifact = (row: Row): ModelArtifact => withoutTotal<ModelArtifact>(row);
export const toCheckpoint = (row: Row): Checkpoint => row as unknown as Checkpoint;
export const toNotification = (row: Row): Notification => withoutTotal<Notification>(row);

const ACTIVE = new Set(['initializing', 'running']);

/** A job row plus its cost so far and the time left by the current pace. */
export function toJob(row: Row, nowMs = Date.now()): TrainingJob {
  const { stored_eta_seconds: storedEta, ...rest } = row;
  const job = withoutTotal<Omit<TrainingJob, 'running_cost' | 'eta_seconds'>>(rest);
  const startedMs = job.started_at ? new Date(job.started_at).getTime() : undefined;
  const elapsedSeconds = startedMs === undefined ? 0 : Math.max(0, (nowMs - startedMs) / 1000);

  let runningCost: number | null = null;
  if (job.actual_cost !== null) runningCost = job.actual_cost;
  else if (ACTIVE.has(job.status) && startedMs !== undefined && job.hourly_rate !== null) {
    runningCost = roundCents((job.hourly_rate * elapsedSeconds) / 3600);
  } else if (job.status === 'queued') runningCost = 0;

  // The processor's figure when it has one, else elapsed time scaled by progress.
  let eta: number | null = null;
  if (job.status === 'running' && typeof storedEta === 'number') eta = Math.round(storedEta);
  else if (job.status === 'running' && job.progress > 0) {
    eta = Math.max(0, Math.round((elapsedSeconds * (100 - job.progress)) / job.progress));
  }
  return { ...job, running_cost: runningCost, eta_seconds: eta };
}
