// Deno unit tests of _shared/gpu-cluster-client.ts: RunPod's answers (the aggregated output
// list, progress updates, errors as strings, with the current and the older runpod-python) come
// out in the contract's one shape, and the cluster's key never leaves the cluster's host.
import assert from 'node:assert/strict';
import {
  GpuClusterClient,
  GpuClusterError,
  normaliseStatus,
  normaliseStream,
} from '../gpu-cluster-client.ts';

const point = (step: number) => ({ epoch: step / 10, step, training_loss: 2 - step / 10 });
const final = {
  stage: 'completed',
  progress: 100,
  current_epoch: 1,
  current_step: 3,
  total_steps: 3,
  metrics: [],
  model_files: {
    'adapter_model.safetensors': 'lora-models/u/a/attempt-1/adapter_model.safetensors',
  },
  model_metadata: { files: {} },
};

Deno.test('a completed RunPod job: the list becomes the last output with every point', () => {
  const status = normaliseStatus(
    { id: 'r1', status: 'COMPLETED', output: [point(1), point(2), point(3), final] },
    'COMPLETED',
  );
  assert.equal(status.status, 'COMPLETED');
  assert.equal(status.output?.current_step, 3);
  assert.deepEqual(status.output?.model_files, final.model_files);
  assert.deepEqual(
    status.output?.metrics.map((p) => p.step),
    [1, 2, 3],
  );
});

Deno.test('a running RunPod job: the progress update gets an empty metric list', () => {
  const status = normaliseStatus(
    {
      id: 'r1',
      status: 'IN_PROGRESS',
      output: { stage: 'training', progress: 40, current_step: 2 },
    },
    'IN_PROGRESS',
  );
  assert.equal(status.output?.stage, 'training');
  assert.deepEqual(status.output?.metrics, []);
  assert.deepEqual(status.output?.model_files, {});
});

Deno.test('a failure keeps its error code with the current and the older runpod-python', () => {
  // Current: the yielded error becomes the job's error string; the output is dropped.
  const current = normaliseStatus(
    {
      id: 'r1',
      status: 'FAILED',
      error: 'Training diverged (NaN loss): lower the learning rate [error_code=nan_loss]',
    },
    'FAILED',
  );
  assert.equal(current.status, 'FAILED');
  assert.equal(current.error, 'Training diverged (NaN loss): lower the learning rate');
  assert.equal(current.output?.error_code, 'nan_loss');
  // Older: the error dict is the list's last item of a COMPLETED job.
  const older = normaliseStatus(
    {
      id: 'r1',
      status: 'COMPLETED',
      output: [point(1), { error: 'Out of memory [error_code=oom]', error_code: 'oom' }],
    },
    'COMPLETED',
  );
  assert.equal(older.status, 'FAILED');
  assert.equal(older.error, 'Out of memory');
  assert.equal(older.output?.error_code, 'oom');
  assert.deepEqual(
    older.output?.metrics.map((p) => p.step),
    [1],
  );
  // An exception in the handler: runpod-python's traceback is cut, no code (retryable).
  const crashed = normaliseStatus(
    { id: 'r1', status: 'FAILED', error: 'handler: boom \ntraceback: Traceback (most recent…' },
    'FAILED',
  );
  assert.equal(crashed.error, 'handler: boom');
  assert.equal(crashed.output, undefined);
});

Deno.test('a completed list without a final output is a failure, not a completion', () => {
  const status = normaliseStatus(
    { id: 'r1', status: 'COMPLETED', output: [point(1)] },
    'COMPLETED',
  );
  assert.equal(status.status, 'FAILED');
  assert.match(status.error ?? '', /without reporting its result/);
});

Deno.test('the local cluster answer passes unchanged', () => {
  const body = { id: 'l1', status: 'COMPLETED', output: { ...final, metrics: [point(1)] } };
  assert.deepEqual(normaliseStatus(body, 'COMPLETED'), body);
});

Deno.test('/stream passes metric points only (not the final output or an error)', () => {
  const stream = normaliseStream({ status: 'COMPLETED' }, [
    { output: point(4) },
    { output: final },
    { output: { error: 'x' } },
    { output: { step: 5, training_loss: null } },
  ]);
  assert.deepEqual(
    stream.stream.map((s) => s.output.step),
    [4, 5],
  );
});

Deno.test('download sends the key to the cluster host only, and refuses other hosts', async () => {
  const calls: { url: string; authorization: string | null }[] = [];
  const client = new GpuClusterClient({
    baseUrl: 'http://cluster.test:8787',
    apiKey: 'secret',
    fetch: (input, init) => {
      calls.push({
        url: String(input),
        authorization: new Headers(init?.headers).get('authorization'),
      });
      return Promise.resolve(new Response('bytes', { status: 200 }));
    },
  });
  const { body } = await client.download('http://cluster.test:8787/files/j/a.bin');
  await body.cancel();
  assert.deepEqual(calls, [
    { url: 'http://cluster.test:8787/files/j/a.bin', authorization: 'Bearer secret' },
  ]);
  await assert.rejects(
    client.download('https://project.supabase.co/storage/v1/object/lora-models/u/a.bin'),
    (error: unknown) => error instanceof GpuClusterError && error.kind === 'rejected',
  );
  assert.equal(calls.length, 1);
});
