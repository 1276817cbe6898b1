// create-model-artifacts: turns completed jobs into downloadable adapters (training.md §5).
import { GpuClusterClient } from '../_shared/gpu-cluster-client.ts';
import { backgroundFunction } from '../_shared/processing/background-function.ts';
import { numberSetting } from '../_shared/env.ts';
import { storageFromEnv } from '../_shared/storage/port.ts';
import { ArtifactCreator } from './create.ts';

export const handler = backgroundFunction('create-model-artifacts', () => {
  let cluster: GpuClusterClient | undefined;
  const batch = numberSetting('BRIGHTRUN_ARTIFACT_BATCH', 3, 1, 20);
  return new ArtifactCreator(
    () => (cluster ??= GpuClusterClient.fromEnv()),
    storageFromEnv,
    batch,
  ).run();
});
