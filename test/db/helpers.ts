// Seed rows and error assertions shared by the database tests.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { asServiceRole, createUser } from '../support/postgres/index.ts';

export const SHA = 'a'.repeat(64);

export interface SeededRows {
  userId: string;
  datasetId: string;
  jobId: string;
  metricsPointId: string;
  artifactId: string;
  checkpointId: string;
  costRecordId: string;
  notificationId: string;
}

/** A dataset validated and ready for training, written as the validator would. */
export async function insertReadyDataset(
  sql: Sql,
  userId: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const id = randomUUID();
  const row = {
    id,
    user_id: userId,
    name: 'support chats',
    file_name: 'chats.jsonl',
    file_size: 1234,
    sha256: SHA,
    storage_path: `${userId}/${id}/chats.jsonl`,
    detected_shape: 'brightrun_lora_v4',
    status: 'ready',
    training_ready: true,
    total_training_pairs: 1000,
    total_samples: 1000,
    total_conversations: 200,
    total_tokens: 3_600_000,
    avg_turns_per_conversation: 5,
    avg_tokens_per_turn: 360,
    ...overrides,
  };
  await asServiceRole(sql, (tx) => tx`insert into public.datasets ${tx(row)}`);
  return id;
}

/** A job as the processor leaves it mid-run, written directly by the service role. */
export async function insertJob(
  sql: Sql,
  userId: string,
  datasetId: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const id = randomUUID();
  const row = {
    id,
    user_id: userId,
    dataset_id: datasetId,
    name: 'job',
    config: {},
    preset_id: 'balanced',
    base_model: 'builtin/tiny-gpt',
    learning_rate: 0.0002,
    batch_size: 8,
    epochs: 5,
    lora_rank: 16,
    lora_alpha: 32,
    lora_dropout: 0.1,
    warmup_ratio: 0.1,
    max_seq_length: 2048,
    gradient_accumulation_steps: 1,
    validation_split: 0.1,
    gpu_type: 'A100-80GB',
    gpu_count: 1,
    ...overrides,
  };
  await asServiceRole(sql, (tx) => tx`insert into public.training_jobs ${tx(row)}`);
  return id;
}

/** A user owning one row in each of the seven tables. */
export async function seedUser(sql: Sql): Promise<SeededRows> {
  const userId = await createUser(sql);
  const datasetId = await insertReadyDataset(sql, userId);
  const jobId = await insertJob(sql, userId, datasetId, { status: 'running' });
  return asServiceRole(sql, async (tx) => {
    const [point] = await tx`
      insert into public.metrics_points (job_id, user_id, epoch, step, training_loss, learning_rate)
      values (${jobId}, ${userId}, 0, 1, 2.5, 0.0002) returning id`;
    const [artifact] = await tx`
      insert into public.model_artifacts (user_id, job_id, dataset_id, name, base_model, storage_path)
      values (${userId}, ${jobId}, ${datasetId}, 'adapter', 'builtin/tiny-gpt',
              ${`${userId}/${randomUUID()}/`}) returning id`;
    const [checkpoint] = await tx`
      insert into public.checkpoints (user_id, job_id, artifact_id, epoch, step, training_loss)
      values (${userId}, ${jobId}, ${artifact.id as string}, 1, 10, 2.0) returning id`;
    const [cost] = await tx`
      insert into public.cost_records (user_id, job_id, cost_type, amount, billing_period)
      values (${userId}, ${jobId}, 'training_compute', 4.2, date_trunc('month', now())::date)
      returning id`;
    const [note] = await tx`
      insert into public.notifications (user_id, type, title)
      values (${userId}, 'job_started', 'Training started') returning id`;
    return {
      userId,
      datasetId,
      jobId,
      metricsPointId: String(point.id),
      artifactId: artifact.id as string,
      checkpointId: checkpoint.id as string,
      costRecordId: cost.id as string,
      notificationId: note.id as string,
    };
  });
}

export interface ExpectedError {
  code: string;
  message?: string | RegExp;
}

interface PgError {
  code?: string;
  message: string;
  detail?: string;
}

/** Awaits a promise that must reject with a Postgres error; returns the error. */
export async function rejects(
  promise: Promise<unknown>,
  expected: ExpectedError,
): Promise<PgError> {
  let error: PgError | undefined;
  try {
    await promise;
  } catch (e) {
    error = e as PgError;
  }
  assert.ok(error, `expected an error ${expected.code}, but the statement succeeded`);
  assert.equal(error.code, expected.code, `wrong SQLSTATE for: ${error.message}`);
  if (typeof expected.message === 'string') assert.equal(error.message, expected.message);
  else if (expected.message) assert.match(error.message, expected.message);
  return error;
}

/** Outcome of a statement: ok with a row count, or the SQLSTATE it failed with. */
export async function outcome(promise: Promise<{ count: number }>): Promise<string> {
  try {
    const result = await promise;
    return `ok:${result.count}`;
  } catch (e) {
    return `error:${(e as PgError).code ?? 'unknown'}`;
  }
}
