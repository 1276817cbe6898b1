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
  RunRequest,
  RunResponse,
  StatusResponse,
  StreamResponse,
} from '../../../common/gpu-cluster/contract.ts';

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

  async run(request: RunRequest): Promise<RunResponse> {
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
    return body as unknown as StatusResponse;
  }

  async stream(id: string): Promise<StreamResponse> {
    const body = await this.call('GET', `/stream/${encodeURIComponent(id)}`);
    if (!isObject(body) || !Array.isArray(body.stream)) {
      throw new GpuClusterError(
        'protocol',
        `The GPU cluster answered /stream/${id} without a stream`,
      );
    }
    return body as unknown as StreamResponse;
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

  /** Downloads one of a job's files (an absolute URL from `output.model_files`) as a stream. */
  async download(url: string): Promise<{ body: ReadableStream<Uint8Array>; size: number | null }> {
    // The worker's file URLs live on the provider's host: the bearer key goes only there.
    const sameHost = new URL(url).origin === new URL(this.baseUrl).origin;
    const response = await this.send('GET', url, undefined, sameHost, 10 * this.timeoutMs);
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
