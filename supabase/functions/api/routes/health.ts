// GET /health: can the API reach its database, its storage and the GPU cluster? Each check has
// its own timeout, so one dead dependency cannot hang the answer; 503 when any fails.
import type { HealthCheck, HealthReport } from '../../../../common/api/types.ts';
import { db } from '../../_shared/db.ts';
import { optionalEnv } from '../../_shared/env.ts';
import { json, ok } from '../../_shared/http.ts';
import { storageFromEnv } from '../../_shared/storage/port.ts';
import type { Route } from '../router.ts';

const CHECK_TIMEOUT_MS = 3000;

async function timed(check: () => Promise<void>): Promise<HealthCheck> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { ok: true, latency_ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      ok: false,
      latency_ms: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

async function checkDatabase(): Promise<void> {
  await db()`select 1`;
}

async function checkStorage(): Promise<void> {
  const storage = storageFromEnv();
  if (storage.check) await storage.check();
}

/** RunPod Serverless and the local GPU cluster both serve `GET /health` with the bearer key. */
async function checkGpuCluster(): Promise<void> {
  const base = optionalEnv('GPU_CLUSTER_API_URL');
  if (base === undefined) throw new Error('GPU_CLUSTER_API_URL is not set');
  const key = optionalEnv('GPU_CLUSTER_API_KEY');
  const response = await fetch(`${base.replace(/\/+$/, '')}/health`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
    signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`GET /health answered ${response.status}`);
}

async function health(): Promise<Response> {
  const [database, storage, gpuCluster] = await Promise.all([
    timed(checkDatabase),
    timed(checkStorage),
    timed(checkGpuCluster),
  ]);
  const report: HealthReport = {
    status: database.ok && storage.ok && gpuCluster.ok ? 'ok' : 'degraded',
    checks: { database, storage, gpu_cluster: gpuCluster },
    storage_backend: optionalEnv('BRIGHTRUN_STORAGE') === 'local' ? 'local' : 'supabase',
    time: new Date().toISOString(),
  };
  return report.status === 'ok'
    ? ok(report)
    : json(503, { error: 'Service degraded', details: report });
}

export const healthRoutes: readonly Route[] = [
  { method: 'GET', pattern: '/health', handle: health },
];
