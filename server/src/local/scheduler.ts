// The local stand-in for pg_cron + pg_net (supabase/migrations/…_schedules.sql): invokes each
// background function every interval and at once when woken, with the service role key, through
// the gateway like any caller. Runs of one function never overlap: a wake during a run queues
// exactly one more run right after it; a tick during a run is dropped. One JSON log line per run.
//
// Waking: the gateway turns the api's and the functions' own wake calls (a POST with the service
// key to `/functions/v1/<name>`) into a `wake` event for this scheduler instead of running the
// handler beside a scheduled run; the scheduler's own calls carry a header that lets them through.
import { SCHEDULER_HEADER } from './start-gateway.ts';
import type { LogEntry } from './log-file.ts';

export const BACKGROUND_FUNCTIONS = [
  'validate-datasets',
  'process-training-jobs',
  'create-model-artifacts',
] as const;

export interface SchedulerOptions {
  gatewayUrl: string;
  serviceRoleKey: string;
  /** The gateway's token for the scheduler's own calls (Gateway.schedulerToken). */
  schedulerToken: string;
  /** The functions to run (default: the three background functions). */
  functions?: readonly string[];
  intervalMs?: number;
  /** Longest a run may take before it is abandoned (default 10 minutes). */
  runTimeoutMs?: number;
  log: (entry: LogEntry) => void;
}

type Trigger = 'interval' | 'wake';

interface FunctionState {
  running: Promise<void> | undefined;
  /** A wake arrived during a run: run once more right after it. */
  pending: boolean;
  runs: number;
}

export interface RunRecord {
  function: string;
  trigger: Trigger;
  status: number;
  ok: boolean;
  durationMs: number;
}

export class Scheduler {
  private readonly states = new Map<string, FunctionState>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly aborts = new Set<AbortController>();
  private readonly listeners = new Set<(run: RunRecord) => void>();

  constructor(private readonly options: SchedulerOptions) {
    for (const name of options.functions ?? BACKGROUND_FUNCTIONS) {
      this.states.set(name, { running: undefined, pending: false, runs: 0 });
    }
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? 2000);
    this.tick();
  }

  /** Runs `name` now, or right after its current run. Unknown names are ignored. */
  wake(name: string): void {
    const state = this.states.get(name);
    if (!state || this.stopped) return;
    if (state.running) state.pending = true;
    else this.launch(name, state, 'wake');
  }

  /** Called after every run (tests and the status line use it). */
  onRun(listener: (run: RunRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops scheduling; waits up to `graceMs` for runs in flight, then abandons them. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const running = [...this.states.values()].flatMap((s) => (s.running ? [s.running] : []));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.allSettled(running), grace]);
    clearTimeout(timer);
    for (const abort of this.aborts) abort.abort();
  }

  private tick(): void {
    for (const [name, state] of this.states) {
      if (!state.running && !this.stopped) this.launch(name, state, 'interval');
    }
  }

  private launch(name: string, state: FunctionState, trigger: Trigger): void {
    state.pending = false;
    state.running = this.invoke(name, trigger).finally(() => {
      state.running = undefined;
      state.runs += 1;
      if (state.pending && !this.stopped) this.launch(name, state, 'wake');
    });
  }

  private async invoke(name: string, trigger: Trigger): Promise<void> {
    const started = performance.now();
    const abort = new AbortController();
    this.aborts.add(abort);
    const timeout = setTimeout(() => abort.abort(), this.options.runTimeoutMs ?? 600_000);
    const entry: LogEntry = { component: 'scheduler', function: name, trigger };
    let status = 0;
    try {
      const response = await fetch(`${this.options.gatewayUrl}/functions/v1/${name}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.serviceRoleKey}`,
          'content-type': 'application/json',
          [SCHEDULER_HEADER]: this.options.schedulerToken,
        },
        body: JSON.stringify({ source: 'scheduler', trigger }),
        signal: abort.signal,
      });
      status = response.status;
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        // Not JSON: logged as text (trimmed).
      }
      entry.status = status;
      entry.outcome = response.ok ? 'ok' : 'error';
      if (body !== null && typeof body === 'object') {
        const b = body as { data?: unknown; error?: unknown; details?: unknown };
        if (b.data !== undefined) entry.data = b.data;
        if (b.error !== undefined) entry.error = b.error;
        if (b.details !== undefined) entry.details = b.details;
      } else if (!response.ok) {
        entry.error = String(body).slice(0, 500);
      }
    } catch (error) {
      entry.outcome = 'error';
      entry.error = abort.signal.aborted ? 'run abandoned (timeout or shutdown)' : String(error);
    } finally {
      clearTimeout(timeout);
      this.aborts.delete(abort);
    }
    const durationMs = Math.round(performance.now() - started);
    entry.duration_ms = durationMs;
    this.options.log(entry);
    const record: RunRecord = {
      function: name,
      trigger,
      status,
      ok: entry.outcome === 'ok',
      durationMs,
    };
    for (const listener of this.listeners) listener(record);
  }
}
