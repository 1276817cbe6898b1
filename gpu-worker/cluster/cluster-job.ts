import type {
  GpuJobStatus,
  JobOutput,
  MetricPoint,
  RunRequest,
  StatusResponse,
  TrainerEvent,
} from '../../common/gpu-cluster/contract.ts';

const STDERR_LINES_KEPT = 20;

/**
 * One job's state as the contract exposes it, folded from the trainer's events. Knows nothing
 * about processes or HTTP, so the folding is tested on its own.
 */
export class ClusterJob {
  status: GpuJobStatus = 'IN_QUEUE';
  error: string | undefined;
  readonly output: JobOutput = {
    stage: 'queued',
    progress: 0,
    current_epoch: 0,
    current_step: 0,
    total_steps: 0,
    metrics: [],
    model_files: {},
    model_metadata: {},
  };
  /** Name → absolute path of every file the trainer reported, served under /files/{id}/. */
  readonly files = new Map<string, string>();
  /** The trainer's own failure, kept until the process exits and the status is decided. */
  trainerError: { code: string; message: string } | undefined;
  artifactSeen = false;
  cancelRequested = false;
  timedOut = false;
  private streamed = 0;
  private readonly stderrTail: string[] = [];

  constructor(
    readonly id: string,
    readonly request: RunRequest,
    private readonly fileUrl: (name: string) => string,
  ) {}

  apply(event: TrainerEvent): void {
    switch (event.type) {
      case 'stage':
        this.output.stage = event.stage;
        break;
      case 'progress':
        this.output.progress = event.progress;
        this.output.current_epoch = event.current_epoch;
        this.output.current_step = event.current_step;
        this.output.total_steps = event.total_steps;
        break;
      case 'metric': {
        const point: Partial<typeof event> = { ...event };
        delete point.type;
        this.output.metrics.push(point as MetricPoint);
        break;
      }
      case 'checkpoint':
        break;
      case 'artifact':
        this.artifactSeen = true;
        for (const [name, path] of Object.entries(event.files)) {
          this.files.set(name, path);
          this.output.model_files[name] = this.fileUrl(name);
        }
        this.output.model_metadata = event.metadata;
        break;
      case 'error':
        this.trainerError = { code: event.code, message: event.message };
        this.output.error_code = event.code;
        break;
    }
  }

  noteStderr(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
  }

  /**
   * Decides the final status once the trainer process is gone. A run that finished its files
   * before a cancel or timeout took effect is reported COMPLETED: the files are real.
   */
  settle(exitCode: number | null, signal: NodeJS.Signals | null, timeoutMs: number): void {
    if (exitCode === 0 && this.artifactSeen) {
      this.status = 'COMPLETED';
      return;
    }
    if (this.timedOut) {
      this.status = 'TIMED_OUT';
      this.error = `The job ran longer than its execution timeout (${Math.round(timeoutMs / 1000)} s) and was stopped`;
      return;
    }
    if (this.cancelRequested) {
      this.status = 'CANCELLED';
      this.output.stage = 'cancelled';
      return;
    }
    this.status = 'FAILED';
    if (this.trainerError !== undefined) {
      this.error = this.trainerError.message;
      return;
    }
    const how = signal !== null ? `signal ${signal}` : `exit code ${exitCode}`;
    const last = this.lastStderrLine();
    this.error = `The trainer exited unexpectedly (${how})${last ? `: ${last}` : ''}; retry the job`;
  }

  /** Marks a job that never started (cancelled while queued, or the process could not start). */
  end(status: GpuJobStatus, error?: string): void {
    this.status = status;
    this.error = error;
    if (status === 'CANCELLED') this.output.stage = 'cancelled';
  }

  lastStderrLine(): string | undefined {
    return this.stderrTail.at(-1)?.replace(/^\[trainer\]\s*/, '');
  }

  statusResponse(): StatusResponse {
    const response: StatusResponse = { id: this.id, status: this.status, output: this.output };
    if (this.error !== undefined) response.error = this.error;
    return response;
  }

  /** Metric points since the previous call. */
  takeStream(): MetricPoint[] {
    const points = this.output.metrics.slice(this.streamed);
    this.streamed = this.output.metrics.length;
    return points;
  }
}
