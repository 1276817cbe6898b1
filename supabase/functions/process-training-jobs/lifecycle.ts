/**
 * The job lifecycle rules of training.md §4 that need no I/O: how the cluster's stages map to
 * ours, which GPU-side failures are worth another attempt, the backoff, the ETA, and the checks
 * on metric points. The processor (process.ts) applies them.
 */
import type { JobOutput, MetricPoint, TrainerStage } from '../../../common/gpu-cluster/contract.ts';

export type JobStatus =
  | 'queued'
  | 'initializing'
  | 'running'
  | 'completed'
  | 'failed'
  | 'cancelled';
export type JobStage =
  | 'queued'
  | 'initializing'
  | 'queued_on_gpu'
  | 'training'
  | 'evaluating'
  | 'saving'
  | 'uploading_artifacts'
  | 'completed';

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
 * Trainer error codes that another attempt may cure (a dataset download that failed, a crash);
 * anything else — bad input, NaN, out of memory with the same settings — fails at once.
 */
const RETRYABLE_CODES = new Set(['download_failed', 'internal']);

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
