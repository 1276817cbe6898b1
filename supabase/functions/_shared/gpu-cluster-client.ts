/**
 * A typed client of the GPU cluster contract (architecture.md §5, common/gpu-cluster/contract.ts):
 * RunPod Serverless in production, the local GPU cluster on one machine. Every call carries the
 * bearer key and a timeout, and every failure is classified, because the processor treats them
 * differently: an unreachable provider is retried with backoff, a rejected request fails the job
 * at once with the provider's message.
 */
import type {
  CancelResponse,
  GpuJobStatus,
  JobOutput,
  MetricPoint,
  RunRequest,
  RunResponse,
  StatusResponse,
  StreamResponse,
} from '../../../common/gpu-cluster/contract.ts';

/**
 * What the processor sends to `POST /run`: the contract's request plus what only a hosted
 * provider needs. `input.upload_urls` maps each file the trainer will write to a signed upload
 * URL (a RunPod worker's disk is gone when the job ends; the local cluster ignores them and
 * serves the files itself), and `input.upload_urls_refresh` is where and how the worker gets
 * fresh ones before uploading (hosted upload URLs last two hours; see
 * `worker-upload-urls`). `policy.ttl` is RunPod's job lifetime in milliseconds, counted from
 * submission and covering queue and execution time.
 */
export interface ProviderRunRequest extends RunRequest {
  input: RunRequest['input'] & {
    upload_urls?: Record<string, string>;
    upload_urls_refresh?: UploadUrlsRefresh;
  };
  policy?: { executionTimeout?: number; ttl?: number };
}

/** `POST url` with `Authorization: Bearer token` answers `{data: {upload_urls}}`. */
export interface UploadUrlsRefresh {
  url: string;
  token: string;
}

export type GpuClusterErrorKind =
  /** No answer: connection refused, DNS, timeout, or a 5xx/429 (the provider is not well). */
  | 'unreachable'
  /** The provider answered and said no (4xx): retrying the same request will not help. */
  | 'rejected'
  /** The provider does not know the job id (404 on status/stream/cancel). */
  | 'not_found'
  /** The answer was not the contract's shape. */
  | 'protocol';

export class GpuClusterError extends Error {
  constructor(
    readonly kind: GpuClusterErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GpuClusterError';
  }

  /** Worth trying again later with the same request. */
  get retryable(): boolean {
    return this.kind === 'unreachable';
  }
}

export interface GpuClusterClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Per request (default 15 s): a hung provider must not eat a whole function invocation. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const STATUSES: readonly GpuJobStatus[] = [
  'IN_QUEUE',
  'IN_PROGRESS',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMED_OUT',
];

function isStatus(value: unknown): value is GpuJobStatus {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Normalising the provider's answers --------------------------------------------------------------
//
// The local GPU cluster answers exactly the contract's shapes. RunPod Serverless running
// gpu-worker/runpod/handler.py (a generator handler registered with `return_aggregate_stream`)
// answers differently in three ways, and the processor must see one shape either way:
// - while the job runs, `/status` `output` is the handler's last progress update (stage, progress,
//   steps; no metric list);
// - when it completes, `/status` `output` is the LIST of everything the handler yielded: one item
//   per metric point, then the final output `{stage, …, model_files, model_metadata}`;
// - a handler that yields `{error}` ends the job FAILED with `error` as a string only (current
//   runpod-python), or — older runpod-python — COMPLETED with that dict as the list's last item.
//   The handler appends `[error_code=<code>]` to its message so the trainer's code survives both.
// `/stream` items are whatever was yielded, so the final output shows up there too; only metric
// points are passed on.

/** The suffix gpu-worker/runpod/handler.py appends to an error to carry the trainer's code. */
const ERROR_CODE_MARK = /\s*\[error_code=([a-z0-9_]+)\]\s*$/;

function emptyOutput(): JobOutput {
  return {
    stage: 'initializing',
    progress: 0,
    current_epoch: 0,
    current_step: 0,
    total_steps: 0,
    metrics: [],
    model_files: {},
    model_metadata: {},
  };
}

/** A metric point (step and loss), not a progress update, a final output or an error. */
export function isMetricPoint(value: unknown): value is MetricPoint {
  return (
    isObject(value) &&
    Number.isInteger(value.step) &&
    'training_loss' in value &&
    !('stage' in value) &&
    !('error' in value)
  );
}

function isFinalOutput(value: unknown): value is Record<string, unknown> {
  return isObject(value) && typeof value.stage === 'string' && isObject(value.model_files);
}

function isFailure(value: unknown): value is Record<string, unknown> {
  return isObject(value) && value.error !== undefined && value.error !== null && value.error !== '';
}

/** The contract's output from an object a provider sent, with every list and map present. */
function outputOf(value: Record<string, unknown>): JobOutput {
  return {
    ...emptyOutput(),
    ...(value as Partial<JobOutput>),
    metrics: Array.isArray(value.metrics) ? value.metrics.filter(isMetricPoint) : [],
    model_files: isObject(value.model_files) ? (value.model_files as Record<string, string>) : {},
    model_metadata: isObject(value.model_metadata) ? value.model_metadata : {},
  };
}

/** Points by step (later ones win), in step order: the list's items and the final output's. */
function mergePoints(...lists: MetricPoint[][]): MetricPoint[] {
  const byStep = new Map<number, MetricPoint>();
  for (const list of lists) for (const point of list) byStep.set(point.step, point);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

function messageOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The message without runpod-python's traceback and without the error code mark, and the code. */
function splitError(raw: string): { message: string; code?: string } {
  const message = raw.split('\ntraceback:')[0].trim();
  const mark = ERROR_CODE_MARK.exec(message);
  return mark === null
    ? { message }
    : { message: message.slice(0, mark.index).trim(), code: mark[1] };
}

/** One `/status` answer in the contract's shape, from the local cluster's or RunPod's. */
export function normaliseStatus(
  body: Record<string, unknown>,
  status: GpuJobStatus,
): StatusResponse {
  let finalStatus = status;
  let error = isFailure(body) ? messageOf(body.error) : undefined;
  let output: JobOutput | undefined;
  let code: string | undefined;
  const raw = body.output;
  if (Array.isArray(raw)) {
    const points = raw.filter(isMetricPoint);
    const finalAt = raw.findLastIndex(isFinalOutput);
    const failureAt = raw.findLastIndex(isFailure);
    output =
      finalAt >= 0
        ? outputOf(raw[finalAt] as Record<string, unknown>)
        : { ...emptyOutput(), metrics: [] };
    output.metrics = mergePoints(points, output.metrics);
    if (failureAt > finalAt) {
      const failure = raw[failureAt] as Record<string, unknown>;
      finalStatus = 'FAILED';
      error = messageOf(failure.error);
      if (typeof failure.error_code === 'string') code = failure.error_code;
    } else if (finalAt < 0 && status === 'COMPLETED') {
      finalStatus = 'FAILED';
      error = 'The GPU worker ended without reporting its result; retry the job';
    }
  } else if (isObject(raw)) {
    output = outputOf(raw);
  }
  if (error !== undefined) {
    const split = splitError(error);
    error = split.message;
    code ??= split.code;
  }
  if (code !== undefined) {
    output ??= emptyOutput();
    output.error_code ??= code;
  }
  return {
    id: typeof body.id === 'string' ? body.id : '',
    status: finalStatus,
    ...(output === undefined ? {} : { output }),
    ...(error === undefined ? {} : { error }),
  };
}

/** One `/stream` answer with its metric points only. */
export function normaliseStream(body: Record<string, unknown>, items: unknown[]): StreamResponse {
  return {
    status: isStatus(body.status) ? body.status : 'IN_PROGRESS',
    stream: items.flatMap((item) => {
      const output = isObject(item) ? item.output : undefined;
      return isMetricPoint(output) ? [{ output }] : [];
    }),
  };
}

export class GpuClusterClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: GpuClusterClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** From GPU_CLUSTER_API_URL and GPU_CLUSTER_API_KEY; throws a message naming what is missing. */
  static fromEnv(env: { get(name: string): string | undefined } = Deno.env): GpuClusterClient {
    const baseUrl = env.get('GPU_CLUSTER_API_URL') ?? '';
    const apiKey = env.get('GPU_CLUSTER_API_KEY') ?? '';
    if (baseUrl === '' || apiKey === '') {
      throw new GpuClusterError(
        'unreachable',
        'The GPU cluster is not configured: set GPU_CLUSTER_API_URL and GPU_CLUSTER_API_KEY',
      );
    }
    const timeout = Number(env.get('GPU_CLUSTER_TIMEOUT_MS') ?? '');
    return new GpuClusterClient({
      baseUrl,
      apiKey,
      timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
    });
  }

  async run(request: ProviderRunRequest): Promise<RunResponse> {
    const body = await this.call('POST', '/run', request);
    if (!isObject(body) || typeof body.id !== 'string' || body.id === '') {
      throw new GpuClusterError('protocol', 'The GPU cluster answered /run without a job id');
    }
    return { id: body.id, status: isStatus(body.status) ? body.status : 'IN_QUEUE' };
  }

  async status(id: string): Promise<StatusResponse> {
    const body = await this.call('GET', `/status/${encodeURIComponent(id)}`);
    if (!isObject(body) || !isStatus(body.status)) {
      throw new GpuClusterError(
        'protocol',
        `The GPU cluster answered /status/${id} without a status`,
      );
    }
    return normaliseStatus(body, body.status);
  }

  async stream(id: string): Promise<StreamResponse> {
    const body = await this.call('GET', `/stream/${encodeURIComponent(id)}`);
    if (!isObject(body) || !Array.isArray(body.stream)) {
      throw new GpuClusterError(
        'protocol',
        `The GPU cluster answered /stream/${id} without a stream`,
      );
    }
    return normaliseStream(body, body.stream);
  }

  async cancel(id: string): Promise<CancelResponse> {
    const body = await this.call('POST', `/cancel/${encodeURIComponent(id)}`);
    if (!isObject(body) || !isStatus(body.status)) {
      throw new GpuClusterError(
        'protocol',
        `The GPU cluster answered /cancel/${id} without a status`,
      );
    }
    return body as unknown as CancelResponse;
  }

  /** True when `url` is on the cluster's own host (where the local cluster serves job files). */
  servesFile(url: string): boolean {
    try {
      return new URL(url).origin === new URL(this.baseUrl).origin;
    } catch {
      return false;
    }
  }

  /**
   * Downloads one of a job's files (an absolute URL from `output.model_files`) as a stream. Only
   * from the cluster's own host: the request carries the cluster's bearer key, which must never
   * reach another host (a storage server, or wherever a worker's output points).
   */
  async download(url: string): Promise<{ body: ReadableStream<Uint8Array>; size: number | null }> {
    if (!this.servesFile(url)) {
      throw new GpuClusterError(
        'rejected',
        "Refusing to download a job's file from another host than the GPU cluster's",
      );
    }
    const response = await this.send('GET', url, undefined, true, 10 * this.timeoutMs);
    if (response.body === null) throw new GpuClusterError('protocol', `Empty body from ${url}`);
    const length = Number(response.headers.get('content-length') ?? '');
    return { body: response.body, size: Number.isFinite(length) && length >= 0 ? length : null };
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.send(method, `${this.baseUrl}${path}`, body, true, this.timeoutMs);
    try {
      return (await response.json()) as unknown;
    } catch {
      throw new GpuClusterError(
        'protocol',
        `The GPU cluster answered ${method} ${path} with non-JSON`,
      );
    }
  }

  private async send(
    method: string,
    url: string,
    body: unknown,
    withKey: boolean,
    timeoutMs: number,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (withKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof DOMException && error.name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : error instanceof Error
            ? error.message
            : String(error);
      throw new GpuClusterError('unreachable', `The GPU cluster is unreachable (${reason})`);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let message = text.slice(0, 500);
    try {
      const parsed = JSON.parse(text) as unknown;
      if (isObject(parsed) && typeof parsed.error === 'string') message = parsed.error;
    } catch {
      // Not JSON: keep the text.
    }
    const what = `${method} ${new URL(url).pathname} → ${response.status}${message ? `: ${message}` : ''}`;
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new GpuClusterError('unreachable', `The GPU cluster failed (${what})`, response.status);
    }
    if (response.status === 404 && !new URL(url).pathname.endsWith('/run')) {
      throw new GpuClusterError(
        'not_found',
        `The GPU cluster does not know the job (${what})`,
        404,
      );
    }
    throw new GpuClusterError(
      'rejected',
      `The GPU cluster rejected the request (${what})`,
      response.status,
    );
  }
}
