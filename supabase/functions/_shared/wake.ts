// Wakes a background function at once instead of waiting for its schedule: a POST with the
// service role key, not awaited by the caller. A failed wake costs only latency (the schedule
// still runs the function), so it is logged, never raised.
import { optionalEnv } from './env.ts';
import { logLine } from './log.ts';

export type BackgroundFunction =
  | 'validate-datasets'
  | 'process-training-jobs'
  | 'create-model-artifacts';

/** Supabase's Edge Runtime keeps the worker alive for promises passed to waitUntil. */
interface EdgeRuntimeGlobal {
  EdgeRuntime?: { waitUntil?(promise: Promise<unknown>): void };
}

export function wakeFunction(name: BackgroundFunction, reason: Record<string, unknown> = {}): void {
  const base = optionalEnv('SUPABASE_URL');
  const key = optionalEnv('SUPABASE_SERVICE_ROLE_KEY');
  if (base === undefined || key === undefined) {
    logLine('warn', {
      event: 'wake_skipped',
      target: name,
      why: 'SUPABASE_URL or SUPABASE_SERVICE_ROLE_KEY unset',
    });
    return;
  }
  const started = performance.now();
  const task = fetch(`${base.replace(/\/+$/, '')}/functions/v1/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ trigger: 'wake', ...reason }),
    // A background run may take a while; the wake does not wait past the Edge limit.
    signal: AbortSignal.timeout(150_000),
  })
    .then(async (response) => {
      await response.body?.cancel();
      logLine(response.ok ? 'info' : 'warn', {
        event: 'wake',
        target: name,
        status: response.status,
        duration_ms: Math.round(performance.now() - started),
      });
    })
    .catch((error: unknown) => {
      logLine('warn', {
        event: 'wake_failed',
        target: name,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  (globalThis as EdgeRuntimeGlobal).EdgeRuntime?.waitUntil?.(task);
}
