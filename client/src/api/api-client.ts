// The typed client of the `api` Edge Function (architecture.md §3). Pure: no `vscode` import, so
// the unit tests run it under Node against the real function. Every route's request and answer
// types come from common/api/types.ts, which the function itself uses.
import type {
  ApiRoute,
  ApiRoutes,
  CostDashboard,
  CostDashboardParams,
  CreateDatasetRequest,
  CreateDatasetResponse,
  CreateJobRequest,
  Dataset,
  DownloadRequest,
  DownloadResponse,
  EstimateRequest,
  EstimateResponse,
  HealthReport,
  JobDetailResponse,
  JobMetricsParams,
  JobMetricsResponse,
  ListDatasetsParams,
  ListDatasetsResponse,
  ListJobsParams,
  ListJobsResponse,
  ListModelsParams,
  ListModelsResponse,
  ListNotificationsParams,
  ListNotificationsResponse,
  ModelDetailResponse,
  Notification,
  ReadAllResponse,
  TrainingJob,
} from '../../../common/api/types.ts';
import { BrightRunError, DEFAULT_HINT, errorFromResponse, type AuthHint } from './api-error.ts';

/** Where the API is and the user token to call it with. */
export interface ApiAccess {
  /** `${SUPABASE_URL}/functions/v1/api`, no trailing slash. */
  apiUrl: string;
  token: string;
  /** Backend-specific advice for 401s and unreachable servers. */
  hint?: AuthHint;
}

export interface ApiClientOptions {
  /** Current access; throws a BrightRunError ('not-configured', 'not-signed-in') when there is none. */
  access: () => Promise<ApiAccess>;
  /** Called once on a 401; returns true when a fresh token is available, to retry once. */
  refresh?: () => Promise<boolean>;
  fetch?: typeof fetch;
  /** Per request, in milliseconds (default 30 s). */
  timeoutMs?: number;
}

type Query = Record<string, string | number | boolean | undefined | null>;

export interface CallOptions<R extends ApiRoute> {
  /** The `:id` of the route. */
  id?: string;
  query?: ApiRoutes[R]['query'];
  body?: ApiRoutes[R]['body'];
  signal?: AbortSignal;
}

export class ApiClient {
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: ApiClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Calls one route and returns its `data`, or throws a BrightRunError. */
  async call<R extends ApiRoute>(
    route: R,
    call: CallOptions<R> = {},
  ): Promise<ApiRoutes[R]['data']> {
    const first = await this.send(route, call, await this.options.access());
    if (first.status === 401 && this.options.refresh && (await this.options.refresh())) {
      return this.parse(route, await this.send(route, call, await this.options.access()));
    }
    return this.parse(route, first);
  }

  private async send<R extends ApiRoute>(
    route: R,
    call: CallOptions<R>,
    access: ApiAccess,
  ): Promise<{ status: number; body: unknown; hint: AuthHint }> {
    const [method, template] = route.split(' ') as [string, string];
    let path = template;
    if (path.includes(':id')) {
      if (!call.id) throw new Error(`${route} needs an id`);
      path = path.replace(':id', encodeURIComponent(call.id));
    }
    const url = new URL(access.apiUrl.replace(/\/+$/, '') + path);
    for (const [key, value] of Object.entries((call.query ?? {}) as Query)) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    const hint = access.hint ?? DEFAULT_HINT;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: {
          Authorization: `Bearer ${access.token}`,
          Accept: 'application/json',
          ...(call.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: call.body !== undefined ? JSON.stringify(call.body) : undefined,
        signal,
      });
    } catch (error) {
      if (call.signal?.aborted) throw new BrightRunError('cancelled', 'Cancelled.');
      const why = timeout.aborted ? `no answer within ${this.timeoutMs / 1000} s` : causeOf(error);
      throw new BrightRunError(
        'unreachable',
        `Cannot reach the BrightRun API at ${access.apiUrl} (${why}). ${hint.unreachable}`,
      );
    }
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = { error: text.slice(0, 200) };
    }
    return { status: response.status, body, hint };
  }

  private parse<R extends ApiRoute>(
    route: R,
    answer: { status: number; body: unknown; hint: AuthHint },
  ): ApiRoutes[R]['data'] {
    const { status, body, hint } = answer;
    if (status >= 200 && status < 300) {
      const record = body as { success?: unknown; data?: unknown } | undefined;
      if (record?.success === true) return record.data as ApiRoutes[R]['data'];
      throw new BrightRunError(
        'server',
        `The BrightRun API answered ${route} with an unexpected body. Is ${route.split(' ')[1]} served by a compatible backend?`,
        status,
      );
    }
    throw errorFromResponse(route, status, body, hint);
  }

  // One method per route, for readable call sites.

  health(): Promise<HealthReport> {
    return this.call('GET /health');
  }
  listDatasets(query: ListDatasetsParams = {}): Promise<ListDatasetsResponse> {
    return this.call('GET /datasets', { query });
  }
  async getDataset(id: string): Promise<Dataset> {
    return (await this.call('GET /datasets/:id', { id })).dataset;
  }
  createDataset(body: CreateDatasetRequest): Promise<CreateDatasetResponse> {
    return this.call('POST /datasets', { body });
  }
  async completeDataset(id: string): Promise<Dataset> {
    return (await this.call('POST /datasets/:id/complete', { id })).dataset;
  }
  async deleteDataset(id: string): Promise<Dataset> {
    return (await this.call('DELETE /datasets/:id', { id })).dataset;
  }
  estimate(body: EstimateRequest): Promise<EstimateResponse> {
    return this.call('POST /jobs/estimate', { body });
  }
  async createJob(body: CreateJobRequest): Promise<TrainingJob> {
    return (await this.call('POST /jobs', { body })).job;
  }
  listJobs(query: ListJobsParams = {}): Promise<ListJobsResponse> {
    return this.call('GET /jobs', { query });
  }
  getJob(id: string): Promise<JobDetailResponse> {
    return this.call('GET /jobs/:id', { id });
  }
  jobMetrics(id: string, query: JobMetricsParams = {}): Promise<JobMetricsResponse> {
    return this.call('GET /jobs/:id/metrics', { id, query });
  }
  async cancelJob(id: string): Promise<TrainingJob> {
    return (await this.call('POST /jobs/:id/cancel', { id })).job;
  }
  listModels(query: ListModelsParams = {}): Promise<ListModelsResponse> {
    return this.call('GET /models', { query });
  }
  getModel(id: string): Promise<ModelDetailResponse> {
    return this.call('GET /models/:id', { id });
  }
  downloadUrls(id: string, body: DownloadRequest = {}): Promise<DownloadResponse> {
    return this.call('POST /models/:id/download', { id, body });
  }
  costDashboard(query: CostDashboardParams = {}): Promise<CostDashboard> {
    return this.call('GET /costs/dashboard', { query });
  }
  listNotifications(query: ListNotificationsParams = {}): Promise<ListNotificationsResponse> {
    return this.call('GET /notifications', { query });
  }
  async markNotificationRead(id: string): Promise<Notification> {
    return (await this.call('PATCH /notifications/:id', { id, body: { read: true } })).notification;
  }
  markAllNotificationsRead(): Promise<ReadAllResponse> {
    return this.call('POST /notifications/read-all');
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
