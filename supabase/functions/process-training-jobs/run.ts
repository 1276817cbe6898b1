// Settings of one process-training-jobs run, from the environment (defaults are production's).
import { numberSetting, optionalEnv } from '../_shared/env.ts';
import { GpuClusterClient } from '../_shared/gpu-cluster-client.ts';
import { storageFromEnv } from '../_shared/storage/port.ts';
import { Processor, type ProcessorSettings, type RunSummary } from './process.ts';

export function settingsFromEnv(): ProcessorSettings {
  return {
    worker: `process-training-jobs:${crypto.randomUUID()}`,
    // claim_training_jobs accepts 10..3600 s.
    leaseSeconds: numberSetting('BRIGHTRUN_JOB_LEASE_SECONDS', 120, 10, 3600),
    batch: numberSetting('BRIGHTRUN_PROCESSOR_BATCH', 5, 1, 100),
    // The scheduler calls every 2 s: following for about as long keeps a job's updates close
    // to real time without overlapping runs piling up.
    followMs: numberSetting('BRIGHTRUN_PROCESSOR_FOLLOW_MS', 1500),
    pollMs: numberSetting('BRIGHTRUN_PROCESSOR_POLL_MS', 300, 50),
    retryBackoffMs: numberSetting('BRIGHTRUN_RETRY_BACKOFF_MS', 30_000),
    stallMs: numberSetting('BRIGHTRUN_STALL_TIMEOUT_MS', 30 * 60_000, 1),
    forwardDebug: optionalEnv('BRIGHTRUN_TRAINER_DEBUG') === '1',
    // Long enough for a job that waits in the GPU provider's queue before it downloads.
    datasetUrlTtlSeconds: 6 * 3600,
  };
}

export function processTrainingJobs(): Promise<RunSummary> {
  let cluster: GpuClusterClient | undefined;
  return new Processor(
    settingsFromEnv(),
    () => (cluster ??= GpuClusterClient.fromEnv()),
    storageFromEnv,
  ).run();
}
