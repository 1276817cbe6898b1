/**
 * The GPU cluster contract (architecture.md §5): a RunPod-Serverless-compatible HTTP API that
 * the backend's `process-training-jobs` calls and that the local GPU cluster serves. Declared
 * once here so the client and the server cannot drift. Pure types and constants: no I/O.
 */

/** RunPod's job statuses. */
export type GpuJobStatus =
  | 'IN_QUEUE'
  | 'IN_PROGRESS'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED'
  | 'TIMED_OUT';

export const TERMINAL_STATUSES: readonly GpuJobStatus[] = [
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMED_OUT',
];

export function isTerminalStatus(status: GpuJobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The trainer's stages (the fine stages of training.md §4 that happen on the GPU side). */
export type TrainerStage =
  | 'queued'
  | 'initializing'
  | 'training'
  | 'evaluating'
  | 'saving'
  | 'completed'
  | 'cancelled';

export interface GpuConfig {
  type: string;
  count: number;
}

/** Failure injection the trainer honours only when its worker runs with BRIGHTRUN_TRAINER_DEBUG=1. */
export interface TrainerDebugHooks {
  inject_nan_at_step?: number;
  stall_after_step?: number;
  step_delay_ms?: number;
  oom_at_step?: number;
  exit_at_step?: number;
}

/** `POST /run` body. Hyperparameters use the canonical names of training.md §1. */
export interface RunRequest {
  input: {
    job_id: string;
    /** A signed http(s) URL (hosted) or a file:// URL (one machine). */
    dataset_url: string;
    hyperparameters: Record<string, unknown>;
    gpu_config?: GpuConfig;
    debug?: TrainerDebugHooks;
  };
  /** RunPod's execution policy; `executionTimeout` is in milliseconds. */
  policy?: { executionTimeout?: number };
}

export interface RunResponse {
  id: string;
  status: GpuJobStatus;
}

/** One metric point (training.md §4), as the trainer emits it per logging step. */
export interface MetricPoint {
  epoch: number;
  step: number;
  training_loss: number;
  validation_loss?: number;
  learning_rate: number;
  gradient_norm?: number | null;
  throughput?: number;
  gpu_utilization?: number;
}

/** What `output` carries as the job advances. */
export interface JobOutput {
  stage: TrainerStage;
  progress: number;
  current_epoch: number;
  current_step: number;
  total_steps: number;
  metrics: MetricPoint[];
  /** File name (relative path, e.g. `checkpoints/epoch-1/adapter_model.safetensors`) → URL. */
  model_files: Record<string, string>;
  model_metadata: Record<string, unknown>;
  /** The trainer's error code when the job failed (e.g. `nan_loss`, `oom`, `download_failed`). */
  error_code?: string;
}

export interface StatusResponse {
  id: string;
  status: GpuJobStatus;
  output?: JobOutput;
  /** A message that says what to change, when the job failed or timed out. */
  error?: string;
}

export interface StreamResponse {
  status: GpuJobStatus;
  /** Metric points produced since the previous `/stream` call for this id. */
  stream: { output: MetricPoint }[];
}

export interface CancelResponse {
  id: string;
  status: GpuJobStatus;
}

export interface HealthResponse {
  jobs: { completed: number; failed: number; inProgress: number; inQueue: number; retried: number };
  workers: { idle: number; running: number };
}

/** The events the trainer writes to stdout, one JSON object per line (architecture.md §6). */
export type TrainerEvent =
  | { type: 'stage'; stage: TrainerStage }
  | {
      type: 'progress';
      progress: number;
      current_epoch: number;
      current_step: number;
      total_steps: number;
    }
  | ({ type: 'metric' } & MetricPoint)
  | { type: 'checkpoint'; epoch: number; step: number; path: string }
  | { type: 'artifact'; files: Record<string, string>; metadata: Record<string, unknown> }
  | { type: 'error'; code: string; message: string };

/** The trainer's exit codes. */
export const TRAINER_EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 3 } as const;
