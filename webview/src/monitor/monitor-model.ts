/**
 * The monitor's derived figures, as pure functions of the job row and its metric series: stage
 * names, ETA, running cost between refreshes, the recent-events log and the final summary.
 */
import type { JobStage, JobStatus, MetricPoint, TrainingJob } from '../../../common/api/types.ts';
import { costBreakdown, jobCost, runningCost } from '../../../common/training/cost-model.ts';
import { scoreQuality, type QualityMetrics } from '../../../common/training/quality.ts';
import { formatMoney } from '../format/format.ts';

export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

const STAGE_LABELS: Record<JobStage, string> = {
  queued: 'Queued',
  initializing: 'Initializing',
  queued_on_gpu: 'Waiting for a GPU',
  training: 'Training',
  evaluating: 'Evaluating',
  saving: 'Saving',
  uploading_artifacts: 'Uploading artifacts',
  completed: 'Completed',
};

/** The stage as a user reads it; a finished job shows its status instead. */
export function stageLabel(job: Pick<TrainingJob, 'status' | 'current_stage'>): string {
  if (job.status === 'failed') return 'Failed';
  if (job.status === 'cancelled') return 'Cancelled';
  return STAGE_LABELS[job.current_stage] ?? job.current_stage;
}

/**
 * Seconds left: the server's figure when it has one; otherwise the pace so far (elapsed time
 * over progress). Null when finished or before any progress.
 */
export function etaSeconds(
  job: Pick<TrainingJob, 'status' | 'progress' | 'started_at' | 'eta_seconds'>,
  nowMs: number,
): number | null {
  if (isTerminal(job.status)) return null;
  if (job.eta_seconds !== null && job.eta_seconds !== undefined) return job.eta_seconds;
  if (!job.started_at || job.progress <= 0) return null;
  const elapsed = (nowMs - Date.parse(job.started_at)) / 1000;
  if (!Number.isFinite(elapsed) || elapsed <= 0) return null;
  return (elapsed * (100 - job.progress)) / job.progress;
}

type CostFields =
  | 'status'
  | 'actual_cost'
  | 'running_cost'
  | 'recorded_cost'
  | 'hourly_rate'
  | 'started_at';

/**
 * Cost so far. A finished job shows what it cost: its cost records once written (compute plus
 * the artifact's storage, comparable with the estimate), else its compute cost; a running one
 * accrues at its hourly rate from its start, so the figure moves between refreshes.
 */
export function costSoFar(job: Pick<TrainingJob, CostFields>, nowMs: number): number | null {
  if (isTerminal(job.status)) return jobCost(job);
  if (job.hourly_rate !== null && job.hourly_rate !== undefined && job.started_at) {
    return runningCost(job.hourly_rate, Date.parse(job.started_at), nowMs);
  }
  return job.running_cost ?? null;
}

/** A finished job's cost for its summary, with the records' breakdown once they exist. */
export function describeFinalCost(job: Pick<TrainingJob, CostFields>): string {
  const total = formatMoney(costSoFar(job, 0));
  return job.recorded_cost ? `${total} (${costBreakdown(job.recorded_cost, formatMoney)})` : total;
}

export interface MonitorEvent {
  /** ms since epoch. */
  at: number;
  text: string;
  level: 'info' | 'warning' | 'error';
}

/** Events between two snapshots of a job (the first snapshot yields its current state). */
export function jobEvents(
  prev: TrainingJob | null,
  next: TrainingJob,
  nowMs: number,
): MonitorEvent[] {
  const events: MonitorEvent[] = [];
  const add = (text: string, level: MonitorEvent['level'] = 'info') =>
    events.push({ at: nowMs, text, level });
  if (!prev) {
    add(`Job ${next.status}: ${stageLabel(next)}`);
  } else {
    if (prev.status !== next.status) add(`Status: ${prev.status} → ${next.status}`);
    if (prev.current_stage !== next.current_stage && next.status !== 'failed') {
      add(`Stage: ${stageLabel(next)}`);
    }
    if (next.current_epoch > prev.current_epoch && next.status === 'running') {
      add(`Epoch ${next.current_epoch} of ${next.epochs}`);
    }
  }
  if (next.cancel_requested_at && !prev?.cancel_requested_at && !isTerminal(next.status)) {
    add('Cancellation requested', 'warning');
  }
  if (next.error_message && next.error_message !== prev?.error_message) {
    add(next.error_message, 'error');
  }
  return events;
}

/** Keeps the newest `max` events, newest first. */
export function recentEvents(
  existing: readonly MonitorEvent[],
  added: readonly MonitorEvent[],
  max = 50,
): MonitorEvent[] {
  return [...[...added].reverse(), ...existing].slice(0, max);
}

/** The quality of a finished run from its own series (training.md §5). */
export function summaryQuality(points: readonly MetricPoint[]): QualityMetrics | null {
  if (points.length === 0) return null;
  const last = points[points.length - 1];
  let lastValidation: number | null = null;
  for (let i = points.length - 1; i >= 0; i--) {
    const v = points[i].validation_loss;
    if (v !== null && v !== undefined) {
      lastValidation = v;
      break;
    }
  }
  return scoreQuality({
    first_training_loss: points[0].training_loss,
    final_training_loss: last.training_loss,
    final_validation_loss: lastValidation,
  });
}

/** Progress as a percentage 0..100, never outside it. */
export function progressPercent(progress: number): number {
  return Math.min(100, Math.max(0, Number.isFinite(progress) ? progress : 0));
}

/** The header's step and losses: whichever is newer of the job row and the metric series. */
export interface LiveFigures {
  step: number;
  trainingLoss: number | null;
  validationLoss: number | null;
}

/**
 * The job row is re-read every few polls while points arrive every second, so the newest point
 * can be ahead of the row; the header must never show less than the chart does.
 */
export function liveFigures(
  job: Pick<TrainingJob, 'current_step' | 'current_training_loss' | 'current_validation_loss'>,
  points: readonly MetricPoint[],
): LiveFigures {
  const last = points[points.length - 1];
  let validation: number | null = null;
  for (let i = points.length - 1; i >= 0; i--) {
    const v = points[i].validation_loss;
    if (v !== null && v !== undefined) {
      validation = v;
      break;
    }
  }
  const pointsAhead = last !== undefined && last.step >= job.current_step;
  return {
    step: pointsAhead ? last.step : job.current_step,
    trainingLoss: pointsAhead
      ? last.training_loss
      : (job.current_training_loss ?? last?.training_loss ?? null),
    validationLoss: pointsAhead
      ? (validation ?? job.current_validation_loss ?? null)
      : (job.current_validation_loss ?? validation),
  };
}
