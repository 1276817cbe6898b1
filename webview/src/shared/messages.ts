/**
 * Every message between a panel host (client/src/panels/) and its panel app (webview/src/<panel>/),
 * declared once with a validator per message type. Both sides parse what they receive with
 * `parseMessage` and drop (and log) anything unknown or malformed; both sides send only values
 * typed by these unions. No DOM and no VS Code API here.
 */
import type {
  Checkpoint,
  CostDashboard,
  CreateJobRequest,
  DatasetSummary,
  DayCost,
  EstimateRequest,
  EstimateResponse,
  MetricPoint,
  ModelArtifact,
  TrainingJob,
  ValidationIssue,
} from '../../../common/api/types.ts';
import {
  anyOf,
  anything,
  array,
  bool,
  int,
  literal,
  maybe,
  nullable,
  num,
  object,
  record,
  shapeOf,
  str,
  text,
  validate,
  type Infer,
  type ObjectOf,
  type ValidationResult,
  type Validator,
} from './validate.ts';

export type PanelKind = 'configure' | 'monitor' | 'model' | 'cost';

/** VS Code view types; also the keys of the serializers. */
export const VIEW_TYPES: Readonly<Record<PanelKind, string>> = {
  configure: 'brightrun.configurePanel',
  monitor: 'brightrun.monitorPanel',
  model: 'brightrun.modelPanel',
  cost: 'brightrun.costPanel',
};

// Field validators for the API rows the panels use. Only the fields a panel reads are checked;
// the rest pass through typed as the API declares them (common/api/types.ts).

const id = text(200);
const name = text(1000);
const message = text(10_000);
const timestamp = text(64);

const issue = object({ field: text(500), message });
const issues = array(issue, 1000) as Validator<ValidationIssue[]>;

export const datasetSummaryValidator = shapeOf<DatasetSummary>(
  object({
    id,
    name,
    status: str,
    training_ready: bool,
    total_training_pairs: maybe(num),
    total_conversations: maybe(num),
    total_tokens: maybe(num),
    tokens_estimated: bool,
  }),
);

const jobConfigValidator = object({
  preset_id: str,
  hyperparameters: object({
    base_model: str,
    learning_rate: num,
    batch_size: int,
    epochs: int,
    lora_rank: int,
    lora_alpha: int,
    lora_dropout: num,
    warmup_ratio: num,
    max_seq_length: int,
    gradient_accumulation_steps: int,
    validation_split: num,
  }),
  gpu_config: object({ type: str, count: int }),
});

export const estimateResponseValidator = shapeOf<EstimateResponse>(
  object({
    estimated_cost: num,
    cost_breakdown: object({ compute: num, storage: num }),
    estimated_duration_hours: num,
    hourly_rate: num,
    training_details: object({
      total_steps: int,
      steps_per_epoch: int,
      throughput_tokens_per_s: num,
    }),
    config: jobConfigValidator,
  }),
);

export const trainingJobValidator = shapeOf<TrainingJob>(
  object({
    id,
    dataset_id: id,
    name: maybe(name),
    status: literal('queued', 'initializing', 'running', 'completed', 'failed', 'cancelled'),
    current_stage: str,
    progress: num,
    current_epoch: num,
    current_step: int,
    epochs: int,
    total_steps: maybe(int),
    estimated_cost: maybe(num),
    hourly_rate: maybe(num),
    actual_cost: maybe(num),
    running_cost: maybe(num),
    recorded_cost: maybe(nullable(object({ training_compute: num, storage: num, total: num }))),
    eta_seconds: maybe(num),
    gpu_type: str,
    gpu_count: int,
    base_model: str,
    cancel_requested_at: maybe(timestamp),
    error_message: maybe(message),
    started_at: maybe(timestamp),
    completed_at: maybe(timestamp),
    created_at: timestamp,
  }),
);

export const metricPointValidator = shapeOf<MetricPoint>(
  object({
    step: int,
    epoch: num,
    training_loss: num,
    validation_loss: maybe(num),
    learning_rate: maybe(num),
    gradient_norm: maybe(num),
    throughput: maybe(num),
    gpu_utilization: maybe(num),
  }),
);

/** A job has at most a few hundred thousand logged steps; more in one message is a bug. */
const points = array(metricPointValidator, 200_000);

const qualityValidator = object({
  overall_score: num,
  convergence_quality: str,
  final_training_loss: num,
  final_validation_loss: maybe(num),
  perplexity: maybe(num),
  loss_reduction_percent: num,
});

export const modelArtifactValidator = shapeOf<ModelArtifact>(
  object({
    id,
    job_id: id,
    name,
    base_model: str,
    status: str,
    files: record(object({ path: text(2000), size: num, sha256: maybe(str) })),
    total_size: maybe(num),
    quality_metrics: maybe(qualityValidator),
    overall_score: maybe(num),
    training_summary: maybe(
      object({
        epochs_completed: num,
        total_steps: num,
        final_loss: maybe(num),
        training_duration_hours: num,
        total_cost: num,
        gpu_type: str,
        gpu_count: num,
      }),
    ),
    config: maybe(record(anything)),
    created_at: timestamp,
  }),
);

export const checkpointValidator = shapeOf<Checkpoint>(
  object({
    id,
    epoch: num,
    step: int,
    training_loss: maybe(num),
    validation_loss: maybe(num),
    file_size: maybe(num),
    created_at: timestamp,
  }),
);

const periodCost = object({ period: text(10), total: num, compute: num, storage: num });

export type { DayCost };

/** `by_day` stays optional here so a panel talking to an older API falls back to months. */
export type CostDashboardView = Omit<CostDashboard, 'by_day'> & { by_day?: DayCost[] };

export const costDashboardValidator = shapeOf<CostDashboardView>(
  object({
    current_month: periodCost,
    last_month: periodCost,
    change_percent: maybe(num),
    by_period: array(periodCost, 1000),
    by_job: array(
      object({ job_id: maybe(id), job_name: maybe(name), gpu_type: maybe(str), total: num }),
      10_000,
    ),
    by_gpu_type: array(object({ gpu_type: maybe(str), total: num, hours: num }), 100),
    active: object({ jobs: int, running_cost: num }),
    total_in_window: num,
    by_day: maybe(array(object({ date: text(10), total: num }), 10_000)),
  }),
);

/** Form values: numbers, the base model's id, or null for a field left empty. */
const hyperparameterInput = record(maybe(anyOf(num, text(200))));
const estimateRequestValidator = shapeOf<EstimateRequest>(
  object({
    dataset_id: id,
    preset_id: maybe(literal('conservative', 'balanced', 'aggressive', 'custom')),
    hyperparameters: maybe(hyperparameterInput),
    gpu_config: maybe(object({ type: str, count: int })),
  }),
);
const createJobRequestValidator = shapeOf<CreateJobRequest>(
  object({
    dataset_id: id,
    name: maybe(name),
    preset_id: maybe(literal('conservative', 'balanced', 'aggressive', 'custom')),
    hyperparameters: maybe(hyperparameterInput),
    gpu_config: maybe(object({ type: str, count: int })),
  }),
);

// Message sets -------------------------------------------------------------------------------

type Shape = Record<string, Validator<unknown>>;
type Defs = Record<string, Shape>;

/** The union of `{type: K} & fields` for each entry of a message set. */
export type MessageOf<D extends Defs> = {
  [K in keyof D & string]: { type: K } & ObjectOf<D[K]>;
}[keyof D & string];

export interface MessageSet<D extends Defs> {
  readonly defs: D;
  parse(raw: unknown): ValidationResult<MessageOf<D>>;
}

function messageSet<D extends Defs>(defs: D): MessageSet<D> {
  const validators = new Map<string, Validator<unknown>>(
    Object.entries(defs).map(([type, shape]) => [type, object(shape)]),
  );
  return {
    defs,
    parse(raw) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        return { ok: false, error: 'message must be an object' };
      }
      const type = (raw as { type?: unknown }).type;
      if (typeof type !== 'string') return { ok: false, error: 'message.type must be a string' };
      const v = validators.get(type);
      if (!v) return { ok: false, error: `unknown message type "${type.slice(0, 100)}"` };
      return validate(v as Validator<MessageOf<D>>, raw, type);
    },
  };
}

const none = {};
const errorMessage = { message };

// Configure panel ----------------------------------------------------------------------------

export const configureToWebview = messageSet({
  /** Ready datasets to choose from; the one to preselect (tree item, open .jsonl) if any. */
  datasets: {
    datasets: array(datasetSummaryValidator, 10_000),
    selectedDatasetId: nullable(id),
  },
  estimate: { requestId: int, estimate: estimateResponseValidator },
  estimateFailed: { requestId: int, message, issues },
  submitFailed: { message, issues },
  /** The job was created and its monitor opened. */
  submitted: { jobId: id, label: name },
  error: errorMessage,
});

export const configureToHost = messageSet({
  ready: none,
  refreshDatasets: none,
  /** The server's estimate for the current form; answered with `estimate` or `estimateFailed`. */
  requestEstimate: { requestId: int, request: estimateRequestValidator },
  submit: { request: createJobRequestValidator },
});

// Monitor panel ------------------------------------------------------------------------------

const runOption = object({ jobId: id, label: name, status: str, createdAt: timestamp });
export type RunOption = Infer<typeof runOption>;

export const monitorToWebview = messageSet({
  job: { job: trainingJobValidator, artifactId: nullable(id) },
  /** New points after the last step sent; `reset` replaces the series (first load, reload). */
  metrics: { jobId: id, points, reset: bool },
  /** Other runs of the same dataset, for the overlay. */
  runs: { runs: array(runOption, 1000) },
  overlay: { jobId: id, label: name, points },
  cancelState: { state: literal('requested', 'declined', 'failed'), message },
  error: errorMessage,
});

export const monitorToHost = messageSet({
  ready: none,
  cancel: { jobId: id },
  /** CSV text the host saves where the user chooses (a webview cannot write files). */
  exportCsv: { fileName: text(255), csv: text(64 * 1024 * 1024) },
  loadOverlay: { jobId: id },
  openModel: { modelId: id },
});

// Model panel --------------------------------------------------------------------------------

export const modelToWebview = messageSet({
  model: { model: modelArtifactValidator, checkpoints: array(checkpointValidator, 10_000) },
  download: {
    state: literal('started', 'done', 'cancelled', 'failed'),
    files: array(text(1000), 1000),
    message,
  },
  error: errorMessage,
});

export const modelToHost = messageSet({
  ready: none,
  download: { modelId: id, files: array(text(1000), 1000) },
  openMonitor: { jobId: id },
});

// Cost dashboard -----------------------------------------------------------------------------

const runningJob = object({
  jobId: id,
  label: name,
  gpuType: str,
  gpuCount: int,
  hourlyRate: num,
  runningCost: num,
  startedAt: maybe(timestamp),
});

export const costToWebview = messageSet({
  /** `fetchedAt` (ms since epoch) lets the panel accrue running costs between refreshes. */
  dashboard: {
    dashboard: costDashboardValidator,
    running: array(runningJob, 1000),
    fetchedAt: num,
  },
  error: errorMessage,
});

export const costToHost = messageSet({
  ready: none,
  refresh: none,
  openMonitor: { jobId: id },
});

export type ConfigureToWebview = MessageOf<(typeof configureToWebview)['defs']>;
export type ConfigureToHost = MessageOf<(typeof configureToHost)['defs']>;
export type MonitorToWebview = MessageOf<(typeof monitorToWebview)['defs']>;
export type MonitorToHost = MessageOf<(typeof monitorToHost)['defs']>;
export type ModelToWebview = MessageOf<(typeof modelToWebview)['defs']>;
export type ModelToHost = MessageOf<(typeof modelToHost)['defs']>;
export type CostToWebview = MessageOf<(typeof costToWebview)['defs']>;
export type CostToHost = MessageOf<(typeof costToHost)['defs']>;
export type RunningJobView = Infer<typeof runningJob>;

// Persisted panel state (vscode.setState; handed to the serializer after a reload) ----------

export const panelStateValidators = {
  configure: object({ datasetId: maybe(id) }),
  monitor: object({ jobId: id }),
  model: object({ modelId: id }),
  cost: object({}),
} as const;
