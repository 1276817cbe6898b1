// The background pipeline end to end under real Deno, real Postgres and the real local GPU
// cluster with the tiny trainer: validate-datasets → process-training-jobs →
// create-model-artifacts, called the way the scheduler calls them (issue 5, items 2–4).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusResponse } from '../../common/gpu-cluster/contract.ts';
import { apiKey } from '../../server/src/local/keys.ts';
import {
  FIXTURES,
  startPipelineStack,
  type DatasetRow,
  type JobRow,
  type PipelineStack,
} from './support/pipeline-stack.ts';

const PAIRS_50 = readFileSync(join(FIXTURES, 'gpu', 'pairs-50.jsonl'));

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function notifications(stack: PipelineStack, userId: string, key: string, id: string) {
  return await stack.db.sql<{ type: string; title: string; message: string }[]>`
    select type, title, message from public.notifications
     where user_id = ${userId} and metadata ->> ${key} = ${id}
     order by created_at`;
}

describe('background pipeline (validate → train → artifacts)', function () {
  let stack: PipelineStack;
  let user: string;

  before(async function () {
    this.timeout(180_000);
    stack = await startPipelineStack();
    user = await stack.newUser();
  });

  after(async function () {
    this.timeout(60_000);
    await stack?.stop();
  });

  describe('the background functions', function () {
    for (const name of ['validate-datasets', 'process-training-jobs', 'create-model-artifacts']) {
      it(`${name} refuses calls without the service role key`, async function () {
        const none = await stack.invoke(name, undefined, null);
        assert.equal(none.status, 401, JSON.stringify(none.body));
        const anon = await stack.invoke(name, undefined, stack.gatewayEnv.SUPABASE_ANON_KEY);
        assert.equal(anon.status, 403, JSON.stringify(anon.body));
        const forged = await stack.invoke(
          name,
          undefined,
          apiKey('service_role', 'another-secret'),
        );
        assert.equal(forged.status, 401, JSON.stringify(forged.body));
        const ok = await stack.invoke(name);
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.equal(ok.body.success, true);
      });
    }
  });

  describe('validate-datasets', function () {
    let oneRun: DatasetRow;

    it('validates an upload: ready, training_ready, statistics and a notification', async function () {
      const id = await stack.uploadDataset(user, PAIRS_50, { name: 'fifty pairs' });
      const started = performance.now();
      const { row, runs } = await stack.validate(id);
      const ms = performance.now() - started;
      oneRun = row;
      assert.equal(runs, 1);
      assert.equal(row.status, 'ready', row.error_message ?? '');
      assert.equal(row.training_ready, true);
      assert.equal(row.error_message, null);
      assert.equal(row.detected_shape, 'brightrun_lora_v4');
      assert.equal(row.total_training_pairs, 50);
      assert.equal(row.total_samples, 50);
      assert.ok((row.total_conversations ?? 0) > 0);
      assert.ok((row.total_tokens ?? 0) > 0);
      assert.equal(row.tokens_estimated, false);
      assert.ok((row.avg_tokens_per_turn ?? 0) > 0);
      assert.equal((row.sample_data ?? []).length, 3);
      assert.equal(typeof row.token_stats?.median, 'number');
      assert.equal(row.validation_cursor, null);
      assert.ok(row.validation_errors.every((e) => e.severity !== 'error'));
      const notes = await notifications(stack, user, 'dataset_id', id);
      assert.deepEqual(
        notes.map((n) => n.type),
        ['dataset_validated'],
      );
      assert.match(notes[0].message, /50 training pairs/);
      console.log(`      validation of ${PAIRS_50.length} bytes: ${ms.toFixed(0)} ms`);
    });

    it('fails an upload that is not JSON, with line numbers in validation_errors', async function () {
      const text = [
        '{"conversation_id": "c1", "turn_number": 1, "system_prompt": "s", "current_user_input": "hi", "target_response": "hello"}',
        'this is not json',
        '{"broken": ',
        '',
      ].join('\n');
      const id = await stack.uploadDataset(user, text, {
        name: 'broken',
        fileName: 'broken.jsonl',
      });
      const { row } = await stack.validate(id);
      assert.equal(row.status, 'failed');
      assert.equal(row.training_ready, false);
      assert.match(row.error_message ?? '', /error/);
      const errors = row.validation_errors.filter((e) => e.severity === 'error');
      assert.ok(errors.length >= 2, JSON.stringify(row.validation_errors));
      const lines = errors.map((e) => e.line);
      assert.ok(lines.includes(2), `no error on line 2: ${lines.join(',')}`);
      assert.ok(lines.includes(3), `no error on line 3: ${lines.join(',')}`);
      // Errors first, each with a code, a 1-based column and a message.
      const firstWarning = row.validation_errors.findIndex((e) => e.severity !== 'error');
      assert.ok(firstWarning === -1 || firstWarning >= errors.length);
      for (const e of errors) {
        assert.match(e.code, /^BRL\d{3}$/);
        assert.ok(e.column >= 1);
        assert.ok(e.message.length > 0);
      }
      const notes = await notifications(stack, user, 'dataset_id', id);
      assert.deepEqual(
        notes.map((n) => n.type),
        ['dataset_validation_failed'],
      );
    });

    it('fails a file whose sha256 differs from the declared one', async function () {
      const id = await stack.uploadDataset(user, PAIRS_50, {
        name: 'tampered',
        declaredSha256: sha256(Buffer.from('something else')),
      });
      const { row } = await stack.validate(id);
      assert.equal(row.status, 'failed');
      assert.equal(row.training_ready, false);
      assert.match(row.error_message ?? '', /sha256 .* but the upload declared/);
    });

    it('fails a file whose size differs from the declared one', async function () {
      const id = await stack.uploadDataset(user, PAIRS_50, {
        name: 'short',
        declaredSize: PAIRS_50.length + 10,
      });
      const { row } = await stack.validate(id);
      assert.equal(row.status, 'failed');
      assert.match(row.error_message ?? '', /upload declared/);
    });

    it('resumes across runs when its budget runs out, with the same result as one run', async function () {
      // A zero budget and 4 kB slices: every run stops after its first slice with a newline.
      const tight = await stack.startGateway({
        BRIGHTRUN_VALIDATION_BUDGET_MS: '0',
        BRIGHTRUN_VALIDATION_SLICE_BYTES: '4096',
      });
      try {
        const id = await stack.uploadDataset(user, PAIRS_50, { name: 'resumed' });
        let runs = 0;
        let sawCursor = false;
        for (;;) {
          const result = await stack.invoke('validate-datasets', tight);
          assert.equal(result.status, 200, JSON.stringify(result.body));
          runs++;
          const row = await stack.dataset(id);
          if (row.status === 'validating') {
            const cursor = row.validation_cursor as { offset: number } | null;
            assert.ok(
              cursor !== null && cursor.offset > 0 && cursor.offset < PAIRS_50.length,
              `run ${runs}: ${JSON.stringify(result.body)} cursor ${JSON.stringify(cursor)?.slice(0, 200)}`,
            );
            // The saved offset is always just after a newline.
            assert.equal(PAIRS_50[cursor.offset - 1], 10);
            sawCursor = true;
            assert.ok(runs < 100, 'validation does not progress');
            continue;
          }
          assert.ok(sawCursor);
          assert.ok(runs >= 5, `only ${runs} runs`);
          const keys: (keyof DatasetRow)[] = [
            'status',
            'training_ready',
            'detected_shape',
            'total_training_pairs',
            'total_samples',
            'total_conversations',
            'total_tokens',
            'avg_turns_per_conversation',
            'avg_tokens_per_turn',
            'token_stats',
            'sample_data',
            'validation_errors',
            'error_message',
          ];
          for (const key of keys) assert.deepEqual(row[key], oneRun[key], `${key} differs`);
          assert.equal(row.validation_cursor, null);
          console.log(`      resumed validation: ${runs} runs`);
          break;
        }
      } finally {
        await tight.stop();
      }
    });

    it('never lets two runs validate the same dataset', async function () {
      const ids = await Promise.all(
        [1, 2, 3].map((n) => stack.uploadDataset(user, PAIRS_50, { name: `parallel ${n}` })),
      );
      const results = await Promise.all([1, 2, 3].map(() => stack.invoke('validate-datasets')));
      const finished = results.flatMap((r) => [
        ...((r.body.data?.ready as string[]) ?? []),
        ...((r.body.data?.failed as string[]) ?? []),
      ]);
      assert.equal(new Set(finished).size, finished.length, 'a dataset was validated twice');
      for (const id of ids) {
        const { row } = await stack.validate(id);
        assert.equal(row.status, 'ready');
        const notes = await notifications(stack, user, 'dataset_id', id);
        assert.equal(notes.length, 1);
      }
    });
  });

  describe('a training job from queued to a downloadable adapter', function () {
    let datasetId: string;
    let jobId: string;
    let createdAt: number;
    let completed: JobRow;

    before(async function () {
      datasetId = await stack.readyDataset(user);
    });

    it('is submitted once and runs with metric points', async function () {
      createdAt = performance.now();
      jobId = await stack.createJob(user, datasetId);
      const { job } = await stack.processUntil(
        jobId,
        (j) => j.status === 'running' && j.current_step > 0,
        { what: 'running' },
      );
      assert.equal(job.attempt, 1);
      assert.ok(job.external_id);
      assert.ok(job.started_at);
      // The monitor's figures: cost so far and time left at the current pace.
      assert.ok(job.running_cost !== null && Number(job.running_cost) >= 0);
      assert.ok(job.eta_seconds !== null && job.eta_seconds >= 0);
      assert.ok(
        ['training', 'evaluating', 'saving', 'uploading_artifacts'].includes(job.current_stage),
      );
      const [{ count }] = await stack.db.sql<{ count: number }[]>`
        select count(*)::int from public.metrics_points where job_id = ${jobId}`;
      assert.ok(count > 0);
    });

    it('completes with progress 100, its final cost and notifications', async function () {
      const { job } = await stack.processUntil(jobId, (j) => j.status === 'completed', {
        what: 'completed',
      });
      completed = job;
      const seconds = (performance.now() - createdAt) / 1000;
      console.log(`      job created → completed: ${seconds.toFixed(1)} s`);
      assert.equal(Number(job.progress), 100);
      assert.equal(job.current_stage, 'completed');
      assert.equal(job.error_message, null);
      assert.ok(job.completed_at);
      assert.ok(job.actual_cost !== null && job.actual_cost >= 0);
      assert.equal(stack.proxy.runCalls(jobId), 1, 'submitted more than once');
      const types = (await notifications(stack, user, 'job_id', jobId)).map((n) => n.type);
      assert.deepEqual(types, ['job_queued', 'job_started', 'job_completed']);
      assert.ok(stack.wakes.includes('create-model-artifacts'), 'create-model-artifacts not woken');
    });

    it('stored every metric point of the trainer exactly once', async function () {
      const response = await fetch(`${stack.proxy.url}/status/${completed.external_id}`, {
        headers: { authorization: `Bearer ${stack.gatewayEnv.GPU_CLUSTER_API_KEY}` },
      });
      const status = (await response.json()) as StatusResponse;
      const trainer = status.output!.metrics;
      const stored = await stack.db.sql<{ step: number; training_loss: number }[]>`
        select step, training_loss from public.metrics_points where job_id = ${jobId} order by step`;
      assert.deepEqual(
        stored.map((p) => p.step),
        trainer.map((p) => p.step),
      );
      assert.deepEqual(
        stored.map((p) => p.training_loss),
        trainer.map((p) => p.training_loss),
      );
    });

    it('create-model-artifacts copies the files byte for byte and records the run', async function () {
      const result = await stack.invoke('create-model-artifacts');
      assert.equal(result.status, 200, JSON.stringify(result.body));
      assert.deepEqual(result.body.data?.created, [jobId]);
      const [artifact] = await stack.db.sql<
        {
          id: string;
          status: string;
          storage_path: string;
          files: Record<string, { path: string; size: number; sha256: string }>;
          total_size: number;
          quality_metrics: Record<string, unknown>;
          overall_score: number;
          training_summary: Record<string, unknown>;
        }[]
      >`select * from public.model_artifacts where job_id = ${jobId}`;
      assert.equal(artifact.status, 'ready');
      assert.equal(artifact.storage_path, `${user}/${artifact.id}/`);
      const names = Object.keys(artifact.files).sort();
      for (const required of [
        'adapter_config.json',
        'adapter_model.safetensors',
        'training_log.jsonl',
      ]) {
        assert.ok(names.includes(required), `missing ${required}: ${names.join(', ')}`);
      }
      const outputDir = join(stack.gpuWorkDir, completed.external_id!, 'output');
      let total = 0;
      for (const [name, file] of Object.entries(artifact.files)) {
        assert.equal(file.path, `${user}/${artifact.id}/${name}`);
        const copy = readFileSync(stack.objectFile('lora-models', file.path));
        const original = readFileSync(join(outputDir, ...name.split('/')));
        assert.ok(copy.equals(original), `${name} differs from what the trainer wrote`);
        assert.equal(file.size, original.length);
        assert.equal(file.sha256, sha256(original));
        total += file.size;
      }
      assert.equal(Number(artifact.total_size), total);

      const checkpoints = await stack.db.sql<
        { epoch: number; step: number; artifact_id: string }[]
      >`
        select epoch, step, artifact_id from public.checkpoints where job_id = ${jobId} order by epoch`;
      assert.deepEqual(
        checkpoints.map((c) => c.epoch),
        [1, 2, 3, 4, 5],
      );
      assert.ok(checkpoints.every((c) => c.artifact_id === artifact.id && c.step > 0));
      assert.equal(checkpoints.at(-1)!.step, completed.total_steps);

      const q = artifact.quality_metrics;
      assert.ok((q.overall_score as number) >= 1 && (q.overall_score as number) <= 5);
      assert.equal(artifact.overall_score, q.overall_score);
      assert.equal(typeof q.loss_reduction_percent, 'number');
      assert.equal(typeof q.perplexity, 'number');
      const s = artifact.training_summary;
      assert.equal(s.epochs_completed, 5);
      assert.equal(s.total_steps, completed.total_steps);
      assert.equal(s.gpu_type, 'A100-80GB');
      assert.equal(s.dataset_name, 'pairs-50');

      const costs = await stack.db.sql<{ cost_type: string; amount: number }[]>`
        select cost_type, amount::float8 as amount from public.cost_records
         where job_id = ${jobId} order by cost_type`;
      assert.deepEqual(
        costs.map((c) => c.cost_type),
        ['storage', 'training_compute'],
      );
      assert.equal(costs[0].amount, 0.5);
      const types = (await notifications(stack, user, 'job_id', jobId)).map((n) => n.type);
      assert.equal(types.at(-1), 'artifact_ready');
    });

    it('create-model-artifacts is idempotent', async function () {
      const again = await stack.invoke('create-model-artifacts');
      assert.equal(again.status, 200);
      assert.deepEqual(again.body.data?.created, []);
      const [{ notes, costs, artifacts }] = await stack.db.sql<
        { notes: number; costs: number; artifacts: number }[]
      >`
        select (select count(*)::int from public.notifications
                 where metadata ->> 'job_id' = ${jobId} and type = 'artifact_ready') as notes,
               (select count(*)::int from public.cost_records where job_id = ${jobId}) as costs,
               (select count(*)::int from public.model_artifacts where job_id = ${jobId}) as artifacts`;
      assert.deepEqual({ notes, costs, artifacts }, { notes: 1, costs: 2, artifacts: 1 });
    });
  });
});
