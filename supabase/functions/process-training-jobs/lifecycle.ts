/**
 * The job lifecycle rules of training.md §4 that need no I/O: how the cluster's stages map to
 * ours, which GPU-side failures are worth another attempt, the backoff, the ETA, and the checks
 * on metric points. The processor (process.ts) applies them.
 */
import type { JobStage, JobStatus } from '../../../common/api/types.ts';
import type { JobOutput, MetricPoint, TrainerStage } from '../../../common/gpu-cluster/contract.ts';

export type { JobStage, JobStatus };

export const NAN_MESSAGE = 'Training diverged (NaN loss): lower the learning rate';

/** The stage of a job the GPU side is running, from the trainer's stage. */
export function stageOf(stage: TrainerStage | undefined): JobStage {
  switch (stage) {
    case 'training':
    case 'evaluating':
    case 'saving':
      return stage;
    case 'completed':
      // Files are written; what remains is copying them into lora-models.
      return 'uploading_artifacts';
    case 'queued':
      return 'queued_on_gpu';
    default:
      return 'initializing';
  }
}

/**
 * Trainer error codes that another attempt may cure (a dataset download that failed, a crash,
 * and — from the RunPod handler — a trainer that exited unexpectedly or an upload that failed on
 * the network); anything else — bad input, NaN, out of memory with the same settings, an upload
 * URL the storage refused — fails at once.
 */
const RETRYABLE_CODES = new Set(['download_failed', 'internal', 'worker_exit', 'upload_failed']);

export function isRetryableFailure(output: JobOutput | undefined): boolean {
  const code = output?.error_code;
  return code === undefined || RETRYABLE_CODES.has(code);
}

/** Delay before attempt `attempt + 1`: base, 2 × base, 4 × base … (capped at an hour). */
export function backoffMs(attempt: number, baseMs: number): number {
  return Math.min(3_600_000, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Seconds left at the pace so far, or null when there is no pace yet. */
export function etaSeconds(
  startedAtMs: number | null,
  nowMs: number,
  currentStep: number,
  totalSteps: number | null,
): number | null {
  if (startedAtMs === null || !totalSteps || currentStep <= 0) return null;
  const left = Math.max(0, totalSteps - currentStep);
  return Math.round((((nowMs - startedAtMs) / 1000) * left) / currentStep);
}

function finiteOrNull(value: unknown, check: (n: number) => boolean = () => true): number | null {
  return typeof value === 'number' && Number.isFinite(value) && check(value) ? value : null;
}

/** A metric point as the table stores it (checks of metrics_points respected). */
export interface MetricRow {
  job_id: string;
  user_id: string;
  epoch: number;
  step: number;
  training_loss: number;
  validation_loss: number | null;
  learning_rate: number | null;
  gradient_norm: number | null;
  throughput: number | null;
  gpu_utilization: number | null;
}

/** A point whose loss is not a finite number: the run diverged. */
export function isDiverged(point: MetricPoint): boolean {
  const v = point.validation_loss as unknown;
  return (
    typeof point.training_loss !== 'number' ||
    !Number.isFinite(point.training_loss) ||
    (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v)))
  );
}

export function toMetricRow(jobId: string, userId: string, p: MetricPoint): MetricRow | null {
  if (!Number.isInteger(p.step) || p.step < 0 || isDiverged(p)) return null;
  return {
    job_id: jobId,
    user_id: userId,
    epoch: finiteOrNull(p.epoch, (n) => n >= 0) ?? 0,
    step: p.step,
    training_loss: p.training_loss,
    validation_loss: finiteOrNull(p.validation_loss),
    learning_rate: finiteOrNull(p.learning_rate, (n) => n >= 0),
    gradient_norm: finiteOrNull(p.gradient_norm),
    throughput: finiteOrNull(p.throughput, (n) => n >= 0),
    gpu_utilization: finiteOrNull(p.gpu_utilization, (n) => n >= 0 && n <= 100),
  };
}

/** RunPod's ceiling for a job's execution timeout and for its lifetime (TTL): 7 days. */
export const MAX_PROVIDER_MS = 7 * 24 * 3_600_000;
const HOUR_MS = 3_600_000;

/**
 * The GPU provider's execution timeout for one job (`policy.executionTimeout`, ms): twice the
 * authoritative estimate plus an hour (image start, base model download, a slower GPU than the
 * catalog's throughput), at least an hour and at most RunPod's 7 days; 24 hours for a job
 * without an estimate. Without it RunPod applies the endpoint's default (10 minutes unless the
 * operator raised it) and ends longer jobs as TIMED_OUT.
 */
export function executionTimeoutMs(estimatedHours: number | null): number {
  if (estimatedHours === null || !Number.isFinite(estimatedHours) || estimatedHours < 0) {
    return 24 * HOUR_MS;
  }
  const ms = Math.ceil((2 * estimatedHours + 1) * HOUR_MS);
  return Math.min(MAX_PROVIDER_MS, Math.max(HOUR_MS, ms));
}

/**
 * The job's lifetime at the provider (`policy.ttl`, ms): RunPod counts it from submission, over
 * queue and execution time alike, and deletes the job when it runs out. The execution timeout
 * plus a day of queueing (RunPod's default TTL), at most 7 days.
 */
export function jobTtlMs(executionMs: number): number {
  return Math.min(MAX_PROVIDER_MS, executionMs + 24 * HOUR_MS);
}
