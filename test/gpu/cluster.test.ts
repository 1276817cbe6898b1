// The local GPU cluster over real HTTP, running the real trainer (architecture.md §5–§6).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type {
  MetricPoint,
  StatusResponse,
  StreamResponse,
} from '../../common/gpu-cluster/contract.ts';
import type { TestCluster } from './cluster-client.ts';
import { API_KEY, startTestCluster } from './cluster-client.ts';
import { float32Values, readSafetensors } from './safetensors-reader.ts';

const NAN_MESSAGE = 'Training diverged (NaN loss): lower the learning rate';

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe('local GPU cluster', function () {
  let c: TestCluster;

  before(async function () {
    c = await startTestCluster(3);
  });

  after(async function () {
    await c.close();
  });

  describe('a job that trains to the end', function () {
    let id: string;
    let final: StatusResponse;
    const streamed: MetricPoint[] = [];
    const seenStatuses = new Set<string>();

    before(async function () {
      id = await c.run({ job_id: 'job-complete' });
      final = await c.waitFor(id, (s) => {
        seenStatuses.add(s.status);
        return s.status !== 'IN_QUEUE' && s.status !== 'IN_PROGRESS';
      });
      // /stream is incremental: poll it until it runs dry, then once more.
      for (;;) {
        const chunk = await c.json<StreamResponse>('GET', `/stream/${id}`);
        if (chunk.stream.length === 0) break;
        streamed.push(...chunk.stream.map((s) => s.output));
      }
    });

    it('completes with progress 100 and every metric point', function () {
      assert.equal(final.status, 'COMPLETED', final.error);
      const output = final.output!;
      assert.equal(output.stage, 'completed');
      assert.equal(output.progress, 100);
      assert.equal(output.current_epoch, 3);
      assert.ok(output.total_steps > 0);
      assert.equal(output.current_step, output.total_steps);
      assert.deepEqual(streamed, output.metrics);
      assert.ok(seenStatuses.has('IN_PROGRESS') || seenStatuses.has('IN_QUEUE'));
    });

    it('has metric points with increasing steps and a falling, finite loss', function () {
      const points = final.output!.metrics;
      assert.ok(points.length >= 6, `only ${points.length} points`);
      for (let i = 1; i < points.length; i++) assert.ok(points[i].step > points[i - 1].step);
      for (const p of points) {
        assert.ok(Number.isFinite(p.training_loss));
        assert.ok(p.learning_rate >= 0);
        assert.ok(Number.isFinite(p.gradient_norm));
        assert.ok((p.throughput ?? 0) > 0);
      }
      const losses = points.map((p) => p.training_loss);
      assert.ok(
        mean(losses.slice(-3)) < mean(losses.slice(0, 3)),
        `loss did not fall: ${losses.join(' ')}`,
      );
      const validation = points.filter((p) => p.validation_loss !== undefined);
      assert.equal(validation.length, 3, 'one validation loss per epoch');
      assert.ok(validation[2].validation_loss! < validation[0].validation_loss!);
      assert.deepEqual(
        validation.map((p) => p.epoch),
        [1, 2, 3],
      );
    });

    it('serves the adapter, its config, the log and one checkpoint per epoch', async function () {
      const files = final.output!.model_files;
      assert.deepEqual(Object.keys(files).sort(), [
        'adapter_config.json',
        'adapter_model.safetensors',
        'checkpoints/epoch-1/adapter_model.safetensors',
        'checkpoints/epoch-2/adapter_model.safetensors',
        'checkpoints/epoch-3/adapter_model.safetensors',
        'training_log.jsonl',
      ]);
      const metadata = final.output!.model_metadata as {
        files: Record<string, { size: number; sha256: string }>;
      };
      for (const [name, url] of Object.entries(files)) {
        assert.ok(url.startsWith(`${c.cluster.url}/files/${id}/`), url);
        const res = await fetch(url, { headers: { authorization: `Bearer ${API_KEY}` } });
        assert.equal(res.status, 200, name);
        const bytes = Buffer.from(await res.arrayBuffer());
        assert.equal(bytes.length, metadata.files[name].size, name);
        assert.equal(createHash('sha256').update(bytes).digest('hex'), metadata.files[name].sha256);
      }
      const noKey = await fetch(files['adapter_config.json']);
      assert.equal(noKey.status, 401);
    });

    it('writes a real safetensors adapter with PEFT tensor names', async function () {
      const res = await fetch(final.output!.model_files['adapter_model.safetensors'], {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      const file = readSafetensors(Buffer.from(await res.arrayBuffer()));
      assert.equal((8 + file.headerLength) % 8, 0, 'tensor data starts 8-byte aligned');
      assert.equal(file.metadata.format, 'pt');
      assert.equal(file.metadata.base_model, 'builtin/tiny-gpt');
      const names = Object.keys(file.tensors).sort();
      assert.equal(names.length, 8, '2 layers × q/v × A/B');
      const a = file.tensors['base_model.model.blocks.0.attn.q_proj.lora_A.weight'];
      const b = file.tensors['base_model.model.blocks.0.attn.q_proj.lora_B.weight'];
      assert.deepEqual(a.shape, [8, 64]);
      assert.deepEqual(b.shape, [64, 8]);
      assert.equal(a.dtype, 'F32');
      // B starts at zero; after training it must have moved.
      assert.ok(float32Values(b.data).some((v) => v !== 0));
    });

    it('writes a PEFT-like adapter_config.json and the training log', function () {
      const dir = `${c.workDir}/${id}/output`;
      const config = JSON.parse(readFileSync(`${dir}/adapter_config.json`, 'utf8')) as Record<
        string,
        unknown
      >;
      assert.equal(config.base_model_name_or_path, 'builtin/tiny-gpt');
      assert.equal(config.peft_type, 'LORA');
      assert.equal(config.task_type, 'CAUSAL_LM');
      assert.equal(config.r, 8);
      assert.equal(config.lora_alpha, 16);
      assert.equal(config.lora_dropout, 0.05);
      assert.deepEqual(config.target_modules, ['q_proj', 'v_proj']);
      const log = readFileSync(`${dir}/training_log.jsonl`, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as MetricPoint);
      assert.deepEqual(log, final.output!.metrics);
    });
  });

  it('cancels a running job: CANCELLED, and no final adapter is written', async function () {
    const id = await c.run({ job_id: 'job-cancel', debug: { stall_after_step: 2 } });
    await c.waitFor(id, (s) => (s.output?.current_step ?? 0) >= 2);
    const res = await c.json<{ id: string; status: string }>('POST', `/cancel/${id}`);
    assert.equal(res.id, id);
    const final = await c.waitForEnd(id, 30_000);
    assert.equal(final.status, 'CANCELLED');
    assert.equal(final.output?.stage, 'cancelled');
    assert.deepEqual(final.output?.model_files, {});
  });

  it('fails a job whose loss turns NaN with the message that says what to change', async function () {
    const id = await c.run({ job_id: 'job-nan', debug: { inject_nan_at_step: 3 } });
    const final = await c.waitForEnd(id);
    assert.equal(final.status, 'FAILED');
    assert.equal(final.error, NAN_MESSAGE);
    assert.equal(final.output?.error_code, 'nan_loss');
    assert.ok(
      final.output.metrics.every((p) => p.step < 3),
      'stopped at once',
    );
  });

  it('fails with an actionable message when the dataset cannot be downloaded', async function () {
    const id = await c.run({ job_id: 'job-404', dataset_url: 'file:///nonexistent/data.jsonl' });
    const final = await c.waitForEnd(id);
    assert.equal(final.status, 'FAILED');
    assert.match(final.error ?? '', /^Could not download the dataset: .*; retry the job$/);
  });

  it('fails with the trainer’s last words when its process dies', async function () {
    const id = await c.run({ job_id: 'job-crash', debug: { exit_at_step: 1 } });
    const final = await c.waitForEnd(id);
    assert.equal(final.status, 'FAILED');
    assert.match(final.error ?? '', /exited unexpectedly \(exit code 70\).*exit_at_step/);
  });

  it('times a job out: TIMED_OUT', async function () {
    const id = await c.run(
      { job_id: 'job-timeout', debug: { stall_after_step: 1 } },
      { executionTimeout: 1500 },
    );
    const final = await c.waitForEnd(id, 30_000);
    assert.equal(final.status, 'TIMED_OUT');
    assert.match(final.error ?? '', /execution timeout/);
  });

  it('answers 401 on every route without the right bearer key', async function () {
    const id = await c.run({ job_id: 'job-auth', debug: { inject_nan_at_step: 1 } });
    const routes: [string, string][] = [
      ['POST', '/run'],
      ['GET', `/status/${id}`],
      ['GET', `/stream/${id}`],
      ['POST', `/cancel/${id}`],
      ['GET', '/health'],
      ['GET', `/files/${id}/adapter_config.json`],
    ];
    for (const [method, path] of routes) {
      for (const key of ['wrong-key', '', `${API_KEY}x`]) {
        const res = await c.request(method, path, method === 'POST' ? {} : undefined, key);
        assert.equal(res.status, 401, `${method} ${path} with "${key}"`);
      }
      const bare = await fetch(`${c.cluster.url}${path}`, { method });
      assert.equal(bare.status, 401, `${method} ${path} without a header`);
    }
    await c.waitForEnd(id);
  });

  it('answers 404 for an unknown id on every job route', async function () {
    for (const [method, path] of [
      ['GET', '/status/nope'],
      ['GET', '/stream/nope'],
      ['POST', '/cancel/nope'],
      ['GET', '/files/nope/adapter_model.safetensors'],
    ]) {
      const res = await c.request(method, path);
      assert.equal(res.status, 404, path);
      assert.match(((await res.json()) as { error: string }).error, /nope/);
    }
  });

  it('answers 400 with a clear message for bad input', async function () {
    const cases: [unknown, RegExp][] = [
      [{}, /input/],
      [{ input: { dataset_url: 'file:///x', hyperparameters: {} } }, /job_id/],
      [{ input: { job_id: 'j', dataset_url: 'ftp://x', hyperparameters: {} } }, /dataset_url/],
      [{ input: { job_id: 'j', dataset_url: 'file:///x' } }, /hyperparameters/],
    ];
    for (const [body, message] of cases) {
      const res = await c.request('POST', '/run', body);
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, message);
    }
    const notJson = await fetch(`${c.cluster.url}/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}` },
      body: '{not json',
    });
    assert.equal(notJson.status, 400);
  });

  it('reports health', async function () {
    const health = await c.json<{ workers: { idle: number; running: number } }>('GET', '/health');
    assert.equal(typeof health.workers.idle, 'number');
  });
});

describe('local GPU cluster shutdown', function () {
  it('close() stops a running trainer and waits for it', async function () {
    const c = await startTestCluster(1);
    const id = await c.run({ job_id: 'left-running', debug: { stall_after_step: 1 } });
    await c.waitFor(id, (s) => s.output!.current_step >= 1);
    const started = Date.now();
    await c.close();
    assert.ok(Date.now() - started < 5000, 'the trainer honoured SIGTERM');
  });
});

describe('local GPU cluster queue (concurrency 1)', function () {
  let c: TestCluster;

  before(async function () {
    c = await startTestCluster(1);
  });

  after(async function () {
    await c.close();
  });

  it('keeps the second job IN_QUEUE until the first ends, then runs it', async function () {
    const first = await c.run({ job_id: 'first', debug: { stall_after_step: 1 } });
    const second = await c.run({ job_id: 'second', debug: { inject_nan_at_step: 1 } });
    await c.waitFor(first, (s) => s.status === 'IN_PROGRESS' && s.output!.current_step >= 1);
    const waiting = await c.json<StatusResponse>('GET', `/status/${second}`);
    assert.equal(waiting.status, 'IN_QUEUE');
    assert.equal(waiting.output?.stage, 'queued');
    await c.json('POST', `/cancel/${first}`);
    assert.equal((await c.waitForEnd(first, 30_000)).status, 'CANCELLED');
    const final = await c.waitForEnd(second);
    assert.equal(final.status, 'FAILED');
    assert.equal(final.error, NAN_MESSAGE);
  });

  it('cancels a queued job at once', async function () {
    const first = await c.run({ job_id: 'blocker', debug: { stall_after_step: 1 } });
    const queued = await c.run({ job_id: 'queued' });
    const res = await c.json<{ status: string }>('POST', `/cancel/${queued}`);
    assert.equal(res.status, 'CANCELLED');
    await c.json('POST', `/cancel/${first}`);
    assert.equal((await c.waitForEnd(first, 30_000)).status, 'CANCELLED');
    assert.equal((await c.json<StatusResponse>('GET', `/status/${queued}`)).status, 'CANCELLED');
  });
});
