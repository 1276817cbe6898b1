import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthResponse } from '../../common/gpu-cluster/contract.ts';
import type { ClusterJob } from './cluster-job.ts';
import { LineSplitter, parseTrainerEvent } from './trainer-events.ts';

export interface RunnerOptions {
  /** Jobs that train at once; the rest wait in FIFO order. */
  concurrency: number;
  /** One folder per job is made here for its spec and output files. */
  workDir: string;
  /** The folder holding the `trainer` package (gpu-worker/). */
  workerDir: string;
  python: string;
  /** Default execution timeout per job (ms); a request's `policy.executionTimeout` wins. */
  timeoutMs: number;
  /** How long a stopped trainer gets after SIGTERM before SIGKILL. */
  killGraceMs: number;
  /** Sets BRIGHTRUN_TRAINER_DEBUG=1 for trainers so tests can inject failures. */
  debugHooks: boolean;
  log: (line: string) => void;
}

interface Running {
  job: ClusterJob;
  child: ChildProcess;
  exited: Promise<void>;
  timers: NodeJS.Timeout[];
}

/** Runs one trainer subprocess per job, `concurrency` at a time, in arrival order. */
export class JobRunner {
  private readonly queue: ClusterJob[] = [];
  private readonly running = new Map<string, Running>();
  private readonly counts = { completed: 0, failed: 0 };
  private closed = false;

  constructor(private readonly options: RunnerOptions) {}

  submit(job: ClusterJob): void {
    this.queue.push(job);
    this.pump();
  }

  /** Cancels a queued job at once; asks a running one to stop at its next step. */
  cancel(job: ClusterJob): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      job.end('CANCELLED');
      return;
    }
    const run = this.running.get(job.id);
    if (run === undefined || job.cancelRequested) return;
    job.cancelRequested = true;
    this.stop(run);
  }

  health(): HealthResponse {
    return {
      jobs: {
        completed: this.counts.completed,
        failed: this.counts.failed,
        inProgress: this.running.size,
        inQueue: this.queue.length,
        retried: 0,
      },
      workers: {
        idle: Math.max(0, this.options.concurrency - this.running.size),
        running: this.running.size,
      },
    };
  }

  /** Stops every trainer and waits for them, so no process outlives the cluster. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.end('CANCELLED');
    const runs = [...this.running.values()];
    for (const run of runs) {
      run.job.cancelRequested = true;
      this.stop(run);
    }
    await Promise.all(runs.map((run) => run.exited));
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.options.concurrency) {
      const job = this.queue.shift();
      if (job === undefined) return;
      try {
        this.start(job);
      } catch (error) {
        // A job folder that cannot be written must not leave the job queued forever.
        job.end('FAILED', `Could not start the trainer: ${String(error)}`);
      }
    }
  }

  private start(job: ClusterJob): void {
    const dir = join(this.options.workDir, job.id);
    const outputDir = join(dir, 'output');
    mkdirSync(outputDir, { recursive: true });
    const input = job.request.input;
    const spec = {
      job_id: input.job_id,
      dataset_url: input.dataset_url,
      hyperparameters: input.hyperparameters,
      output_dir: outputDir,
      ...(input.debug !== undefined ? { debug: input.debug } : {}),
    };
    const specPath = join(dir, 'job.json');
    writeFileSync(specPath, JSON.stringify(spec, null, 2));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PYTHONPATH: this.options.workerDir,
      PYTHONUNBUFFERED: '1',
    };
    if (this.options.debugHooks) env.BRIGHTRUN_TRAINER_DEBUG = '1';
    else delete env.BRIGHTRUN_TRAINER_DEBUG;
    const child = spawn(this.options.python, ['-m', 'trainer', '--job', specPath], {
      cwd: this.options.workerDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    job.status = 'IN_PROGRESS';
    job.output.stage = 'initializing';
    const run: Running = { job, child, exited: Promise.resolve(), timers: [] };
    run.exited = this.watch(run);
    this.running.set(job.id, run);
    const timeoutMs = job.request.policy?.executionTimeout ?? this.options.timeoutMs;
    run.timers.push(
      setTimeout(() => {
        job.timedOut = true;
        this.stop(run);
      }, timeoutMs),
    );
    this.options.log(`job ${job.id} (${input.job_id}) started, pid ${child.pid ?? '?'}`);
  }

  private watch(run: Running): Promise<void> {
    const { job, child } = run;
    const out = new LineSplitter();
    const err = new LineSplitter();
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of out.push(chunk)) this.onStdout(job, line);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of err.push(chunk)) this.onStderr(job, line);
    });
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null, startError?: Error) => {
        if (done) return;
        done = true;
        for (const line of out.flush()) this.onStdout(job, line);
        for (const line of err.flush()) this.onStderr(job, line);
        for (const timer of run.timers) clearTimeout(timer);
        this.running.delete(job.id);
        if (startError !== undefined) {
          job.end(
            'FAILED',
            `Could not start the trainer (${this.options.python}): ${startError.message}`,
          );
        } else {
          const timeoutMs = job.request.policy?.executionTimeout ?? this.options.timeoutMs;
          job.settle(code, signal, timeoutMs);
        }
        if (job.status === 'COMPLETED') this.counts.completed++;
        if (job.status === 'FAILED' || job.status === 'TIMED_OUT') this.counts.failed++;
        this.options.log(`job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}`);
        resolve();
        this.pump();
      };
      // A process that never started has no pid and may never emit 'close'.
      child.once('error', (error) => {
        if (child.pid === undefined) finish(null, null, error);
      });
      // 'close' (not 'exit') fires after stdout is drained, so the last events are applied
      // before the status is decided.
      child.once('close', (code, signal) => finish(code, signal));
    });
  }

  private onStdout(job: ClusterJob, line: string): void {
    const event = parseTrainerEvent(line);
    if (event !== undefined) job.apply(event);
    else this.onStderr(job, line);
  }

  private onStderr(job: ClusterJob, line: string): void {
    job.noteStderr(line);
    this.options.log(`job ${job.id}: ${line}`);
  }

  /** SIGTERM, which the trainer honours between steps; SIGKILL if it has not gone in time. */
  private stop(run: Running): void {
    if (run.child.exitCode !== null || run.child.signalCode !== null) return;
    run.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    }, this.options.killGraceMs);
    run.timers.push(timer);
  }
}
