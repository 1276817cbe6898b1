/**
 * Runs the local GPU cluster on its own:
 *   GPU_CLUSTER_API_KEY=secret node --import tsx gpu-worker/cluster/main.ts [--port 8787]
 *     [--concurrency 1] [--work-dir .brightrun/gpu-cluster] [--debug-hooks]
 * Prints one line `ready <url>` once it listens; SIGINT/SIGTERM stop every trainer first.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalGpuCluster } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.GPU_CLUSTER_PORT ?? '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    concurrency: { type: 'string', default: '1' },
    'work-dir': { type: 'string', default: '.brightrun/gpu-cluster' },
    'debug-hooks': { type: 'boolean', default: process.env.BRIGHTRUN_TRAINER_DEBUG === '1' },
  },
});

const apiKey = process.env.GPU_CLUSTER_API_KEY ?? '';
if (apiKey === '') {
  console.error('Set GPU_CLUSTER_API_KEY: every route of the GPU cluster needs it');
  process.exit(2);
}

const cluster = await startLocalGpuCluster({
  port: Number(values.port),
  host: values.host,
  apiKey,
  concurrency: Number(values.concurrency),
  workDir: resolve(values['work-dir']),
  debugHooks: values['debug-hooks'],
  log: (line) => console.error(`[gpu-cluster] ${line}`),
});
console.log(`ready ${cluster.url}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void cluster.close().then(() => process.exit(0));
  });
}
