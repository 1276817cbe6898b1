/**
 * Request and response shapes of the BrightRun HTTP API (architecture.md §3), declared once and
 * imported by the `api` Edge Function, the extension's API client and the webviews. Pure types
 * and a few constants: no I/O. Keep it stable: add fields and routes, never rename them.
 *
 * Conventions:
 * - Every route lives under `/functions/v1/api` and needs `Authorization: Bearer <user JWT>`.
 * - Success: `{success: true, data}`; failure: `{error, details?}` with a status code that says
 *   what kind of failure it was (400 input, 401 no or bad token, 404 missing or not yours,
 *   409 wrong state, 5xx ours).
 * - Timestamps are ISO 8601 strings (UTC); money is US dollars as a number rounded to cents;
 *   numeric database columns arrive as JSON numbers, missing values as `null`.
 */
import type { CostEstimate } from '../training/cost-model.ts';
import type { JobConfig } from '../training/normalize-config.ts';
import type { QualityMetrics } from '../training/quality.ts';

export type { CostEstimate, JobConfig, QualityMetrics };

// Envelopes ----------------------------------------------------------------------------------

export interface ApiSuccess<T> {
  success: true;
  data: T;
}

/** One problem with the request: the dotted path of the input and what to change. */
export interface ValidationIssue {
  field: string;
  message: string;
}

export interface ApiError<D = unknown> {
  error: string;
  details?: D;
}

/** The 400 answer to bad input: `{error: 'Validation error', details: [...]}`. */
export type ApiValidationError = ApiError<ValidationIssue[]> & {
  error: typeof VALIDATION_ERROR;
};

export type ApiResponse<T> = ApiSuccess<T> | ApiError;

export const VALIDATION_ERROR = 'Validation error';

export function isApiSuccess<T>(body: ApiResponse<T>): body is ApiSuccess<T> {
  return (body as ApiSuccess<T>).success === true;
}

// Paging -------------------------------------------------------------------------------------

/** Query parameters of every list route. */
export interface PageParams {
  /** 1..100, default 20. */
  limit?: number;
  /** Rows to skip, default 0. */
  offset?: number;
}

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

export interface Page<T> {
  items: T[];
  /** Rows matching the filter, over all pages. */
  total: number;
  limit: number;
  offset: number;
  /** The offset of the next page, or null on the last page. */
  next_offset: number | null;
}

// Datasets -----------------------------------------------------------------------------------

export type DatasetStatus = 'uploading' | 'validating' | 'ready' | 'failed' | 'deleted';
export type DatasetShape = 'brightrun_lora_v4' | 'chat_messages' | 'conversations' | 'turns';

/** One stored validation problem (at most 100 per dataset); lines are 1-based. */
export interface DatasetValidationError {
  line: number;
  message: string;
  code?: string;
  severity?: 'error' | 'warning' | 'info' | 'hint';
  column?: number;
  field?: string;
  suggestion?: string;
  [key: string]: unknown;
}

/** A dataset as lists show it (no per-line details). */
export interface DatasetSummary {
  id: string;
  user_id: string;
  name: string;
  description: string | null;
  file_name: string;
  file_size: number;
  sha256: string | null;
  /** `<user_id>/<dataset_id>/<file_name>` in bucket `lora-datasets`. */
  storage_path: string;
  format: 'brightrun_lora_v4';
  detected_shape: DatasetShape | null;
  status: DatasetStatus;
  total_training_pairs: number | null;
  total_samples: number | null;
  total_conversations: number | null;
  total_tokens: number | null;
  /** True when token counts are estimates (no exact tokenizer for the model). */
  tokens_estimated: boolean;
  avg_turns_per_conversation: number | null;
  avg_tokens_per_turn: number | null;
  training_ready: boolean;
  error_message: string | null;
  /** Number of entries in `validation_errors` (the detail route carries them). */
  validation_error_count: number;
  uploaded_at: string | null;
  validated_at: string | null;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A dataset with its statistics and validation errors (GET /datasets/:id). */
export interface Dataset extends DatasetSummary {
  token_stats: Record<string, unknown> | null;
  sample_data: unknown[] | null;
  validation_errors: DatasetValidationError[];
}

export interface CreateDatasetRequest {
  name: string;
  file_name: string;
  /** Bytes, 1..524288000. */
  file_size: number;
  /** Hex sha256 of the file (64 characters). */
  sha256: string;
  description?: string | null;
}

export interface SignedUpload {
  /** Send the file's bytes here with `method`, before `expires_at`. */
  url: string;
  method: 'PUT';
  bucket: 'lora-datasets';
  path: string;
  expires_in: number;
  expires_at: string;
  /** Headers to send with the upload. */
  headers: Record<string, string>;
}

/** 201 answer of POST /datasets. */
export interface CreateDatasetResponse {
  dataset: Dataset;
  /** Same as `upload.url`. */
  presigned_upload_url: string;
  upload: SignedUpload;
}

export interface ListDatasetsParams extends PageParams {
  /** Filter by status; `deleted` datasets are never listed. */
  status?: Exclude<DatasetStatus, 'deleted'>;
}

export type ListDatasetsResponse = Page<DatasetSummary>;

export interface DatasetResponse {
  dataset: Dataset;
}

// Jobs -----------------------------------------------------------------------------------------

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

export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['queued', 'initializing', 'running'];
export const FINISHED_JOB_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * The configuration part of a job request, in the shape training.md §1–§2 describe (aliases
 * such as `num_epochs`, `rank`, `gpu_type` accepted; unknown keys are a 400; prices ignored).
 */
export interface JobConfigInput {
  preset_id?: string | null;
  hyperparameters?: Record<string, unknown> | null;
  gpu_config?: Record<string, unknown> | null;
}

export interface EstimateRequest extends JobConfigInput {
  dataset_id: string;
}

/** POST /jobs/estimate: the authoritative estimate and the configuration it was made for. */
export interface EstimateResponse extends CostEstimate {
  config: JobConfig;
  dataset: { id: string; name: string; total_training_pairs: number; total_tokens: number };
}

export interface CreateJobRequest extends JobConfigInput {
  dataset_id: string;
  /** Defaults to the dataset's name. */
  name?: string | null;
}

export interface TrainingJob {
  id: string;
  user_id: string;
  dataset_id: string;
  name: string | null;
  /** The normalised configuration. */
  config: JobConfig;
  preset_id: 'conservative' | 'balanced' | 'aggressive' | 'custom';
  base_model: string;
  learning_rate: number;
  batch_size: number;
  epochs: number;
  lora_rank: number;
  lora_alpha: number;
  lora_dropout: number;
  warmup_ratio: number;
  max_seq_length: number;
  gradient_accumulation_steps: number;
  validation_split: number;
  gpu_type: string;
  gpu_count: number;
  status: JobStatus;
  current_stage: JobStage;
  /** 0..100. */
  progress: number;
  current_epoch: number;
  current_step: number;
  total_steps: number | null;
  steps_per_epoch: number | null;
  current_training_loss: number | null;
  current_validation_loss: number | null;
  current_learning_rate: number | null;
  current_gpu_utilization: number | null;
  last_progress_at: string | null;
  estimated_cost: number | null;
  estimated_duration_hours: number | null;
  hourly_rate: number | null;
  /** Final cost, written once when the job ends. */
  actual_cost: number | null;
  /** Cost so far: `actual_cost` once finished, hourly rate × hours since start while active. */
  running_cost: number | null;
  /**
   * The job's cost records (training.md §3), once written: compute when the job ends, storage
   * with its artifact. `total` is what the job cost, comparable with `estimated_cost`.
   */
  recorded_cost: RecordedJobCost | null;
  /** Seconds left by the current pace (null before the first progress or once finished). */
  eta_seconds: number | null;
  attempt: number;
  max_attempts: number;
  cancel_requested_at: string | null;
  error_message: string | null;
  started_at: string | null;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
}

/** 201 answer of POST /jobs. */
export interface CreateJobResponse {
  job: TrainingJob;
}

export interface ListJobsParams extends PageParams {
  /** One JobStatus or several separated by commas (e.g. `queued,running`). */
  status?: string;
  dataset_id?: string;
}

export type ListJobsResponse = Page<TrainingJob>;

/** One stored metric point (training.md §4). */
export interface MetricPoint {
  step: number;
  epoch: number;
  training_loss: number;
  validation_loss: number | null;
  learning_rate: number | null;
  gradient_norm: number | null;
  throughput: number | null;
  gpu_utilization: number | null;
  created_at: string;
}

/** How many of the latest points GET /jobs/:id carries. */
export const RECENT_METRICS_LIMIT = 200;

/** GET /jobs/:id. */
export interface JobDetailResponse {
  job: TrainingJob;
  /** The latest points, oldest first (at most RECENT_METRICS_LIMIT). */
  recent_metrics: MetricPoint[];
  /** The artifact the job produced, once there is one. */
  artifact_id: string | null;
}

export interface RecordedJobCost {
  training_compute: number;
  storage: number;
  total: number;
}

export interface JobMetricsParams {
  /** Points with `step > after_step`; default -1 (from the start). */
  after_step?: number;
  /** 1..5000, default 1000. */
  limit?: number;
}

export const DEFAULT_METRICS_LIMIT = 1000;
export const MAX_METRICS_LIMIT = 5000;

/** GET /jobs/:id/metrics?after_step=N. */
export interface JobMetricsResponse {
  points: MetricPoint[];
  /** The cursor for the next call: the last step returned, or the request's after_step. */
  next_after_step: number;
  /** More points are waiting beyond `limit`: call again at once. */
  has_more: boolean;
  /** The job's state at the time of the read, so a follower knows when to stop. */
  job: Pick<
    TrainingJob,
    'id' | 'status' | 'current_stage' | 'progress' | 'current_step' | 'total_steps'
  >;
}

export interface CancelJobResponse {
  job: TrainingJob;
}

// Models -------------------------------------------------------------------------------------

export type ArtifactStatus = 'creating' | 'ready' | 'failed' | 'deleted';

export interface ArtifactFile {
  /** Object path in bucket `lora-models`. */
  path: string;
  size: number;
  sha256?: string | null;
}

export interface TrainingSummary {
  epochs_completed: number;
  total_steps: number;
  final_loss: number | null;
  training_duration_hours: number;
  total_cost: number;
  gpu_type: string;
  gpu_count: number;
  dataset_name: string | null;
  [key: string]: unknown;
}

export interface ModelArtifact {
  id: string;
  user_id: string;
  job_id: string;
  dataset_id: string | null;
  name: string;
  base_model: string;
  status: ArtifactStatus;
  /** `<user_id>/<artifact_id>/` in bucket `lora-models`. */
  storage_path: string;
  /** By file name, e.g. `adapter_model.safetensors`. */
  files: Record<string, ArtifactFile>;
  total_size: number | null;
  quality_metrics: QualityMetrics | null;
  overall_score: number | null;
  training_summary: TrainingSummary | null;
  config: Record<string, unknown> | null;
  error_message: string | null;
  created_at: string;
  updated_at: string;
}

export interface Checkpoint {
  id: string;
  job_id: string;
  artifact_id: string | null;
  epoch: number;
  step: number;
  training_loss: number | null;
  validation_loss: number | null;
  storage_path: string | null;
  file_size: number | null;
  created_at: string;
}

export interface ListModelsParams extends PageParams {
  status?: Exclude<ArtifactStatus, 'deleted'>;
  job_id?: string;
}

export type ListModelsResponse = Page<ModelArtifact>;

/** GET /models/:id. */
export interface ModelDetailResponse {
  model: ModelArtifact;
  checkpoints: Checkpoint[];
}

export interface DownloadRequest {
  /** File names to sign (default: every file of the artifact). */
  files?: string[];
}

export interface SignedDownload {
  name: string;
  url: string;
  path: string;
  size: number;
  sha256: string | null;
}

/** Signed download URLs are valid for one hour (training.md §5). */
export const DOWNLOAD_URL_TTL_SECONDS = 3600;

/** POST /models/:id/download. */
export interface DownloadResponse {
  model_id: string;
  files: SignedDownload[];
  expires_in: number;
  expires_at: string;
}

// Costs --------------------------------------------------------------------------------------

export interface CostDashboardParams {
  /** Months of history in `by_period`, 1..24, default 6 (the current month included). */
  months?: number;
}

export interface PeriodCost {
  /** First day of the month, `YYYY-MM-DD`. */
  period: string;
  total: number;
  compute: number;
  storage: number;
}

export interface JobCost {
  job_id: string | null;
  job_name: string | null;
  gpu_type: string | null;
  total: number;
}

/** Spend recorded on one UTC day. */
export interface DayCost {
  /** `YYYY-MM-DD`. */
  date: string;
  total: number;
}

export interface GpuTypeCost {
  /** `null` for storage records. */
  gpu_type: string | null;
  total: number;
  hours: number;
}

/** GET /costs/dashboard: recorded costs (cost_records) plus what active jobs cost so far. */
export interface CostDashboard {
  currency: 'USD';
  current_month: PeriodCost;
  last_month: PeriodCost;
  /** (current − last) / last × 100; null when last month is zero. */
  change_percent: number | null;
  /** Oldest first, one entry per month of the window (zero-filled). */
  by_period: PeriodCost[];
  /** Spend per UTC day (by when it was recorded) from the first day of last month to today,
   * oldest first; days without spend are left out. */
  by_day: DayCost[];
  /** The most expensive jobs of the window (at most 20), highest first. */
  by_job: JobCost[];
  by_gpu_type: GpuTypeCost[];
  /** Jobs still running and their cost so far (not in the recorded totals yet). */
  active: { jobs: number; running_cost: number };
  total_in_window: number;
}

// Notifications ------------------------------------------------------------------------------

export type NotificationType =
  | 'dataset_validated'
  | 'dataset_validation_failed'
  | 'job_queued'
  | 'job_started'
  | 'job_completed'
  | 'job_failed'
  | 'job_cancelled'
  | 'artifact_ready'
  | 'budget_alert';

export type NotificationPriority = 'low' | 'normal' | 'high' | 'urgent';

export interface Notification {
  id: string;
  type: NotificationType;
  priority: NotificationPriority;
  title: string;
  message: string;
  read: boolean;
  read_at: string | null;
  /** Links such as `job_id`, `dataset_id`, `artifact_id`. */
  metadata: Record<string, unknown>;
  created_at: string;
}

export interface ListNotificationsParams extends PageParams {
  /** `true` lists only unread notifications. */
  unread_only?: boolean;
}

/** GET /notifications: unread first, then newest first. */
export interface ListNotificationsResponse extends Page<Notification> {
  unread_count: number;
}

/** PATCH /notifications/:id. Only `{read: true}` is accepted. */
export interface UpdateNotificationRequest {
  read: true;
}

export interface NotificationResponse {
  notification: Notification;
}

/** POST /notifications/read-all. */
export interface ReadAllResponse {
  updated: number;
}

// Health -------------------------------------------------------------------------------------

export interface HealthCheck {
  ok: boolean;
  latency_ms: number;
  /** What failed, when `ok` is false. */
  error?: string;
}

/**
 * GET /health: 200 `{success: true, data}` when every dependency answers; 503
 * `{error: 'Service degraded', details: HealthReport}` otherwise.
 */
export interface HealthReport {
  status: 'ok' | 'degraded';
  checks: { database: HealthCheck; storage: HealthCheck; gpu_cluster: HealthCheck };
  storage_backend: 'supabase' | 'local';
  time: string;
}

// The route table --------------------------------------------------------------------------

/** Every route: its query parameters, body and `data` type, for typed API clients. */
export interface ApiRoutes {
  'GET /health': { query: never; body: never; data: HealthReport };
  'POST /datasets': { query: never; body: CreateDatasetRequest; data: CreateDatasetResponse };
  'POST /datasets/:id/complete': { query: never; body: never; data: DatasetResponse };
  'GET /datasets': { query: ListDatasetsParams; body: never; data: ListDatasetsResponse };
  'GET /datasets/:id': { query: never; body: never; data: DatasetResponse };
  'DELETE /datasets/:id': { query: never; body: never; data: DatasetResponse };
  'POST /jobs/estimate': { query: never; body: EstimateRequest; data: EstimateResponse };
  'POST /jobs': { query: never; body: CreateJobRequest; data: CreateJobResponse };
  'GET /jobs': { query: ListJobsParams; body: never; data: ListJobsResponse };
  'GET /jobs/:id': { query: never; body: never; data: JobDetailResponse };
  'GET /jobs/:id/metrics': { query: JobMetricsParams; body: never; data: JobMetricsResponse };
  'POST /jobs/:id/cancel': { query: never; body: never; data: CancelJobResponse };
  'GET /models': { query: ListModelsParams; body: never; data: ListModelsResponse };
  'GET /models/:id': { query: never; body: never; data: ModelDetailResponse };
  'POST /models/:id/download': { query: never; body: DownloadRequest; data: DownloadResponse };
  'GET /costs/dashboard': { query: CostDashboardParams; body: never; data: CostDashboard };
  'GET /notifications': {
    query: ListNotificationsParams;
    body: never;
    data: ListNotificationsResponse;
  };
  'PATCH /notifications/:id': {
    query: never;
    body: UpdateNotificationRequest;
    data: NotificationResponse;
  };
  'POST /notifications/read-all': { query: never; body: never; data: ReadAllResponse };
}

export type ApiRoute = keyof ApiRoutes;
