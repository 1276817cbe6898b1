/**
 * What the panel hosts need from the rest of the extension. The extension (client/src/api/)
 * implements it; the panels never call HTTP or touch tokens themselves. Types come from the
 * API's one definition (common/api/types.ts).
 */
import type {
  CancelJobResponse,
  CostDashboard,
  CostDashboardParams,
  CreateJobRequest,
  CreateJobResponse,
  EstimateRequest,
  EstimateResponse,
  JobDetailResponse,
  JobMetricsParams,
  JobMetricsResponse,
  ListDatasetsParams,
  ListDatasetsResponse,
  ListJobsParams,
  ListJobsResponse,
  ModelDetailResponse,
  ValidationIssue,
} from '../../../common/api/types.ts';

/**
 * The typed API client, one method per route the panels use. Methods resolve with the route's
 * `data` and reject with an Error whose message a user can act on; for a 400 the error carries
 * the API's `details` (see `PanelApiError`), which the configure panel shows next to the fields.
 */
export interface PanelApiClient {
  listDatasets(params?: ListDatasetsParams): Promise<ListDatasetsResponse>;
  estimate(request: EstimateRequest): Promise<EstimateResponse>;
  createJob(request: CreateJobRequest): Promise<CreateJobResponse>;
  getJob(jobId: string): Promise<JobDetailResponse>;
  listJobs(params?: ListJobsParams): Promise<ListJobsResponse>;
  /** GET /jobs/:id/metrics?after_step=N (points with step > after_step). */
  getMetrics(jobId: string, params?: JobMetricsParams): Promise<JobMetricsResponse>;
  cancelJob(jobId: string): Promise<CancelJobResponse>;
  getModel(modelId: string): Promise<ModelDetailResponse>;
  getCostDashboard(params?: CostDashboardParams): Promise<CostDashboard>;
}

/** What `PanelDeps.downloadModel` reports when it finished. */
export interface DownloadOutcome {
  /** Absolute paths written, one per file. */
  written: string[];
}

export interface PanelDeps {
  api: PanelApiClient;
  /**
   * Downloads files of a model: asks where to save them, streams each signed URL to disk with a
   * progress notification, verifies sizes (and sha256 where recorded). Resolves with the paths
   * written, or undefined when the user dismissed the folder picker; rejects on failure.
   */
  downloadModel(modelId: string, files: string[]): Promise<DownloadOutcome | undefined>;
  /** Writes a line to the extension's output channel (malformed messages, failed polls). */
  log(message: string): void;
}

/** The shape of an API client error the panels read (status and 400 details are optional). */
export interface PanelApiError extends Error {
  status?: number;
  details?: unknown;
}

/** A user-facing message and the per-field issues of a failed API call. */
export function describeApiError(error: unknown): { message: string; issues: ValidationIssue[] } {
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : 'Request failed';
  const details = (error as PanelApiError | null)?.details;
  const issues = Array.isArray(details)
    ? details
        .filter(
          (d): d is ValidationIssue =>
            typeof d === 'object' &&
            d !== null &&
            typeof (d as ValidationIssue).field === 'string' &&
            typeof (d as ValidationIssue).message === 'string',
        )
        .map((d) => ({ field: d.field.slice(0, 500), message: d.message.slice(0, 10_000) }))
    : [];
  return { message: message.slice(0, 10_000), issues };
}
