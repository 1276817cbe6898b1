// Rows the background functions would write (validation results, a finished job with metrics,
// an artifact, costs), put in place with SQL so the api routes can be tested on their own.
// The api's own writes always go through HTTP.
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import type { ApiStack, TestUser } from './api-stack.ts';

export const SAMPLE_JSONL =
  [
    '{"id":"a1","input":"Hello","output":"Hi there"}',
    '{"id":"a2","input":"How are you?","output":"Fine, thanks"}',
  ].join('\n') + '\n';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface Envelope<T> {
  success: true;
  data: T;
}

/** POST /datasets → PUT the bytes to the signed upload URL → POST /datasets/:id/complete. */
export async function uploadDataset(
  stack: ApiStack,
  user: TestUser,
  name = 'Support chats',
  text = SAMPLE_JSONL,
): Promise<{ id: string; storage_path: string; upload_url: string }> {
  const created = await stack.call<
    Envelope<{
      dataset: { id: string; storage_path: string };
      presigned_upload_url: string;
    }>
  >('POST', '/datasets', {
    token: user.token,
    body: {
      name,
      file_name: 'chats.jsonl',
      file_size: Buffer.byteLength(text),
      sha256: sha256(text),
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { dataset, presigned_upload_url: uploadUrl } = created.body.data;
  const uploaded = await fetch(uploadUrl, {
    method: 'PUT',
    headers: { 'content-type': 'application/jsonl' },
    body: text,
  });
  assert.equal(uploaded.status, 200, await uploaded.text());
  const completed = await stack.call('POST', `/datasets/${dataset.id}/complete`, {
    token: user.token,
  });
  assert.equal(completed.status, 200, JSON.stringify(completed.body));
  return { id: dataset.id, storage_path: dataset.storage_path, upload_url: uploadUrl };
}

/** What validate-datasets writes for a good file. */
export async function markValidated(
  stack: ApiStack,
  datasetId: string,
  stats: { pairs: number; tokens: number } = { pairs: 50, tokens: 20_000 },
): Promise<void> {
  await stack.db.sql`
    update public.datasets
       set status = 'ready', training_ready = true, detected_shape = 'brightrun_lora_v4',
           total_training_pairs = ${stats.pairs}, total_samples = ${stats.pairs},
           total_conversations = ${stats.pairs}, total_tokens = ${stats.tokens},
           avg_turns_per_conversation = 1, avg_tokens_per_turn = 400,
           token_stats = '{"min": 10, "max": 900, "mean": 400}'::jsonb,
           sample_data = '[{"input": "Hello", "output": "Hi there"}]'::jsonb,
           validation_errors = '[{"line": 7, "message": "warning: short output", "severity": "warning"}]'::jsonb,
           validated_at = now()
     where id = ${datasetId}`;
}

export async function readyDataset(stack: ApiStack, user: TestUser, name?: string) {
  const dataset = await uploadDataset(stack, user, name);
  await markValidated(stack, dataset.id);
  return dataset;
}

/** What process-training-jobs and create-model-artifacts write for a finished job. */
export async function finishJob(
  stack: ApiStack,
  user: TestUser,
  jobId: string,
  options: { steps?: number; billingPeriod?: string } = {},
): Promise<{ artifactId: string }> {
  const steps = options.steps ?? 30;
  const sql = stack.db.sql;
  await sql`
    update public.training_jobs
       set status = 'completed', current_stage = 'completed', progress = 100,
           current_step = ${steps}, current_epoch = 3, started_at = now() - interval '2 hours',
           completed_at = now(), actual_cost = 7.25, last_progress_at = now()
     where id = ${jobId}`;
  for (let step = 1; step <= steps; step++) {
    await sql`
      insert into public.metrics_points (job_id, user_id, epoch, step, training_loss,
                                         validation_loss, learning_rate, throughput)
      values (${jobId}, ${user.id}, ${step / 10}, ${step}, ${3 - step * 0.05},
              ${step % 10 === 0 ? 2.9 - step * 0.05 : null}, 0.0002, 1500)`;
  }
  const [artifact] = await sql<{ id: string }[]>`
    insert into public.model_artifacts (user_id, job_id, dataset_id, name, base_model, status,
                                        storage_path, files, total_size, quality_metrics,
                                        overall_score, training_summary)
    select j.user_id, j.id, j.dataset_id, j.name || ' adapter', j.base_model, 'ready',
           j.user_id::text || '/' || gen_random_uuid()::text || '/', '{}'::jsonb, 1234,
           '{"overall_score": 4, "convergence_quality": "good"}'::jsonb, 4,
           '{"epochs_completed": 3, "total_steps": 30}'::jsonb
      from public.training_jobs j where j.id = ${jobId}
    returning id`;
  const folder = `${user.id}/${artifact.id}/`;
  const files = {
    'adapter_model.safetensors': {
      path: `${folder}adapter_model.safetensors`,
      size: 1000,
      sha256: 'ab'.repeat(32),
    },
    'adapter_config.json': { path: 'adapter_config.json', size: 200, sha256: null },
    'training_log.jsonl': { path: `${folder}training_log.jsonl`, size: 34 },
  };
  await sql`
    update public.model_artifacts set storage_path = ${folder}, files = ${sql.json(files)}
     where id = ${artifact.id}`;
  await sql`
    insert into public.checkpoints (user_id, job_id, artifact_id, epoch, step, training_loss,
                                    storage_path, file_size)
    values (${user.id}, ${jobId}, ${artifact.id}, 1, 10, 2.5, ${`${folder}checkpoint-10`}, 500),
           (${user.id}, ${jobId}, ${artifact.id}, 2, 20, 2.0, ${`${folder}checkpoint-20`}, 500)`;
  const period = options.billingPeriod ?? `${new Date().toISOString().slice(0, 7)}-01`;
  await sql`
    insert into public.cost_records (user_id, job_id, cost_type, amount, gpu_type, gpu_count, hours,
                                     hourly_rate, billing_period)
    values (${user.id}, ${jobId}, 'training_compute', 6.75, 'A100-80GB', 1, 1.93, 3.5, ${period}),
           (${user.id}, ${jobId}, 'storage', 0.50, null, null, null, null, ${period})`;
  return { artifactId: artifact.id };
}
