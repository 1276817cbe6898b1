/**
 * Follows one job's metrics: the history once (cursor from step -1, page by page), then only the
 * points after the last step seen, polled every second while the job is active, and a last read
 * once it is finished. The job row is re-read when the metrics route reports a change in state
 * and every few ticks (for cost and ETA). A completed job's model and final costs are recorded by
 * create-model-artifacts a moment later (up to a minute on hosted schedules), so the job row is
 * then re-read, less and less often, until its artifact appears. No `vscode` import: the host
 * wires it to the panel.
 */
import {
  MAX_METRICS_LIMIT,
  type JobDetailResponse,
  type JobMetricsResponse,
  type MetricPoint,
} from '../../../common/api/types.ts';
import type { PanelApiClient } from './deps.ts';

export const FOLLOW_INTERVAL_MS = 1000;
const MAX_BACKOFF_MS = 10_000;
/** Re-read the full job row at least this often (ticks) for running cost and ETA. */
const JOB_REFRESH_TICKS = 5;
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/**
 * Re-reads of a completed job waiting for its artifact, in follow intervals: from 2 (2 s),
 * doubling, at most 30 apart.
 */
const SETTLE_FIRST_INTERVALS = 2;
const SETTLE_MAX_INTERVALS = 30;

export interface FollowerHandlers {
  onJob(detail: JobDetailResponse): void;
  /** `reset` is true for the first batch of the history. */
  onPoints(points: MetricPoint[], reset: boolean): void;
  onError(error: unknown): void;
  /** The job finished, its last points were delivered and, if it completed, its artifact. */
  onFinished?(): void;
}

export class MetricsFollower {
  private cursor = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private ticks = 0;
  private failures = 0;
  private lastState = '';
  private settleDelay = 0;
  private lastDetail: JobDetailResponse | undefined;
  private readonly api: Pick<PanelApiClient, 'getJob' | 'getMetrics'>;
  private readonly jobId: string;
  private readonly handlers: FollowerHandlers;
  private readonly intervalMs: number;

  constructor(
    api: Pick<PanelApiClient, 'getJob' | 'getMetrics'>,
    jobId: string,
    handlers: FollowerHandlers,
    intervalMs = FOLLOW_INTERVAL_MS,
  ) {
    this.api = api;
    this.jobId = jobId;
    this.handlers = handlers;
    this.intervalMs = intervalMs;
  }

  /** Loads the job and its history, then polls until the job is finished or `stop()`. */
  start(): void {
    this.stopped = false;
    this.cursor = -1;
    this.settleDelay = this.intervalMs * SETTLE_FIRST_INTERVALS;
    this.lastDetail = undefined;
    this.schedule(0, true);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delay: number, first: boolean): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick(first);
    }, delay);
  }

  private async tick(first: boolean): Promise<void> {
    if (first) this.cursor = -1;
    try {
      let refreshJob = first || ++this.ticks % JOB_REFRESH_TICKS === 0;
      const page = await this.readNewPoints(first);
      if (this.stopped) return;
      const state = page ? stateKey(page.job) : this.lastState;
      if (state !== this.lastState) refreshJob = true;
      this.lastState = state;
      let status = page?.job.status;
      if (refreshJob) {
        const detail = await this.api.getJob(this.jobId);
        if (this.stopped) return;
        this.lastDetail = detail;
        this.handlers.onJob(detail);
        status = detail.job.status;
      }
      this.failures = 0;
      if (status !== undefined && TERMINAL.has(status)) {
        // The job row turns terminal after its last point is stored: one more read catches up.
        const rest = await this.readNewPoints(false);
        if (!this.stopped && rest && rest.points.length === 0) {
          this.settle();
          return;
        }
      }
      this.schedule(this.intervalMs, false);
    } catch (error) {
      if (this.stopped) return;
      this.handlers.onError(error);
      this.failures++;
      this.schedule(Math.min(MAX_BACKOFF_MS, this.intervalMs * 2 ** this.failures), first);
    }
  }

  /** After the last points: stops, once a completed job's artifact is known. */
  private settle(): void {
    if (this.stopped) return;
    if (this.lastDetail && !awaitsArtifact(this.lastDetail)) {
      this.handlers.onFinished?.();
      this.stop();
      return;
    }
    const delay = this.settleDelay;
    this.settleDelay = Math.min(this.intervalMs * SETTLE_MAX_INTERVALS, delay * 2);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.settleTick();
    }, delay);
  }

  private async settleTick(): Promise<void> {
    try {
      const detail = await this.api.getJob(this.jobId);
      if (this.stopped) return;
      this.lastDetail = detail;
      this.handlers.onJob(detail);
    } catch (error) {
      if (this.stopped) return;
      this.handlers.onError(error);
    }
    this.settle();
  }

  /** Reads every page after the cursor and delivers it; returns the last page read. */
  private async readNewPoints(first: boolean): Promise<JobMetricsResponse | undefined> {
    let reset = first;
    let page: JobMetricsResponse | undefined;
    do {
      page = await this.api.getMetrics(this.jobId, {
        after_step: this.cursor,
        limit: MAX_METRICS_LIMIT,
      });
      if (this.stopped) return page;
      if (page.points.length > 0 || reset) this.handlers.onPoints(page.points, reset);
      reset = false;
      this.cursor = Math.max(this.cursor, page.next_after_step);
    } while (page.has_more && page.points.length > 0);
    return page;
  }
}

function awaitsArtifact(detail: JobDetailResponse): boolean {
  return detail.job.status === 'completed' && detail.artifact_id === null;
}

function stateKey(job: JobMetricsResponse['job']): string {
  return `${job.status}|${job.current_stage}|${job.progress}|${job.current_step}`;
}
