// The SQL functions repeat the training rules of common/training (Postgres cannot import
// TypeScript). These tests walk the TypeScript tables against the SQL so the two cannot drift:
// every limit bound, catalog entry, preset, normalisation and estimate must agree.
import assert from 'node:assert/strict';
import type { Sql } from 'postgres';
import { BASE_MODEL_IDS } from '../../common/training/base-models.ts';
import { estimateJobCost } from '../../common/training/cost-model.ts';
import { expectedTrainingPairs } from '../../common/training/validation-split.ts';
import { GPU_CATALOG } from '../../common/training/gpu-catalog.ts';
import { GPU_COUNT_LIMIT, HYPERPARAMETER_LIMITS } from '../../common/training/limits.ts';
import { normalizeJobConfig, type JobConfig } from '../../common/training/normalize-config.ts';
import { PRESETS } from '../../common/training/presets.ts';
import { asUser, createUser } from '../support/postgres/index.ts';
import { insertReadyDataset, rejects } from './helpers.ts';
import { db } from './root-hooks.ts';

const sql = (): Sql => db().sql;

function tsProblem(input: unknown): { field: string; message: string } {
  const result = normalizeJobConfig(input);
  assert.equal(result.ok, false, `TypeScript accepted ${JSON.stringify(input)}`);
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.details.length, 1);
  return result.details[0];
}

function tsConfig(input: unknown): JobConfig {
  const result = normalizeJobConfig(input);
  if (!result.ok) assert.fail(JSON.stringify(result.details));
  return result.config;
}

describe('training rules: SQL and TypeScript agree', () => {
  let user: string;
  let datasetId: string;

  before(async () => {
    user = await createUser(sql());
    datasetId = await insertReadyDataset(sql(), user);
  });

  function createJob(config: unknown) {
    return asUser(
      sql(),
      user,
      async (tx) =>
        (
          await tx`select * from public.create_training_job(${datasetId}, ${tx.json(config as never)})`
        )[0],
    );
  }

  for (const limit of HYPERPARAMETER_LIMITS) {
    it(`${limit.name}: accepts ${limit.min} and ${limit.max}, rejects just outside`, async () => {
      for (const bound of [limit.min, limit.max]) {
        const config = { preset_id: 'custom', hyperparameters: { [limit.name]: bound } };
        const job = await createJob(config);
        assert.equal(Number(job[limit.name]), bound, `${limit.name} = ${bound}`);
        assert.equal(tsConfig(config).hyperparameters[limit.name], bound);
      }
      const step = limit.kind === 'integer' ? 1 : Math.max(limit.max * 1e-6, 1e-9);
      const outside = [limit.min - step, limit.max + step];
      if (limit.kind === 'integer') outside.push(limit.min + 0.5);
      for (const value of outside) {
        const config = { hyperparameters: { [limit.name]: value } };
        const expected = tsProblem(config);
        const error = await rejects(createJob(config), {
          code: '22023',
          message: expected.message,
        });
        assert.equal(error.detail, expected.field);
      }
    });
  }

  it(`gpu_config.count: accepts ${GPU_COUNT_LIMIT.min} and ${GPU_COUNT_LIMIT.max}, rejects outside`, async () => {
    for (const count of [GPU_COUNT_LIMIT.min, GPU_COUNT_LIMIT.max]) {
      const job = await createJob({ gpu_config: { count } });
      assert.equal(job.gpu_count, count);
    }
    for (const count of [GPU_COUNT_LIMIT.min - 1, GPU_COUNT_LIMIT.max + 1, 1.5]) {
      const config = { gpu_config: { count } };
      const expected = tsProblem(config);
      const error = await rejects(createJob(config), { code: '22023', message: expected.message });
      assert.equal(error.detail, expected.field);
    }
  });

  it('has the same base model catalog', async () => {
    const [row] = await sql()`select private.base_models() as ids`;
    assert.deepEqual(row.ids, [...BASE_MODEL_IDS]);
    for (const id of BASE_MODEL_IDS) {
      const job = await createJob({ hyperparameters: { base_model: id } });
      assert.equal(job.base_model, id);
    }
  });

  it('has the same GPU catalog', async () => {
    const rows = await sql()`select gpu_type, price_per_hour::float8 as price,
                                    tokens_per_second::float8 as tps, memory_gb
                             from private.gpu_catalog()`;
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      GPU_CATALOG.map((g) => ({
        gpu_type: g.type,
        price: g.pricePerHour,
        tps: g.tokensPerSecond,
        memory_gb: g.memoryGb,
      })),
    );
  });

  it('has the same presets', async () => {
    for (const [id, values] of Object.entries(PRESETS)) {
      const [row] = await sql()`select private.preset_values(${id}) as v`;
      assert.deepEqual(row.v, values, id);
    }
  });

  const inputs: unknown[] = [
    {},
    null,
    { preset_id: 'conservative' },
    { preset_id: 'aggressive', hyperparameters: { max_seq_length: 4096, warmup_ratio: 0 } },
    { preset_id: 'balanced', hyperparameters: { learning_rate: 0.0002 } },
    { preset_id: 'balanced', hyperparameters: { learning_rate: 0.0005 } },
    { preset_id: 'custom', hyperparameters: { rank: 64, dropout: 0.2, num_epochs: 4 } },
    { preset_id: 'custom', hyperparameters: { lora_rank: 8, alpha: 7, batch_size: 4.0 } },
    { hyperparameters: { base_model: 'META-LLAMA/Meta-Llama-3-8B', validation_split: null } },
    { gpu_config: { gpu_type: 'V100-32GB', num_gpus: 8, price_per_hour: 0, memory_gb: 1 } },
    { gpu_config: { type: 'A100-40GB', hourly_rate: 0.01, cost: 0 } },
    { preset_id: null, hyperparameters: null, gpu_config: null },
  ];
  it(`normalises ${inputs.length} sample configurations identically`, async () => {
    for (const input of inputs) {
      const [row] =
        await sql()`select private.normalize_job_config(${sql().json(input as never)}) as c`;
      assert.deepEqual(row.c, tsConfig(input), JSON.stringify(input));
    }
  });

  it('estimates identically (to the cent, hours to 1e-12)', async () => {
    const datasets = [
      { total_training_pairs: 1, total_tokens: 1, total_conversations: 1 },
      { total_training_pairs: 1000, total_tokens: 3_600_000, total_conversations: 200 },
      { total_training_pairs: 123_457, total_tokens: 987_654_321, total_conversations: 40_001 },
      { total_training_pairs: 17, total_tokens: 8831, total_conversations: null },
    ];
    let compared = 0;
    for (const gpu of GPU_CATALOG) {
      for (const count of [1, 3, 8]) {
        for (const [batch, accumulation, epochs, split] of [
          [1, 1, 1, 0],
          [8, 4, 3, 0.1],
          [64, 64, 20, 0.5],
          [2, 1, 2, 0.15],
        ]) {
          const config = tsConfig({
            preset_id: 'custom',
            hyperparameters: {
              batch_size: batch,
              gradient_accumulation_steps: accumulation,
              epochs,
              validation_split: split,
            },
            gpu_config: { type: gpu.type, count },
          });
          for (const d of datasets) {
            const ts = estimateJobCost({ ...config, dataset: d });
            const [row] = await sql()`
              select estimated_cost::float8 as cost, round(compute_cost, 2)::float8 as compute,
                     estimated_duration_hours::float8 as hours, hourly_rate::float8 as rate,
                     total_steps, steps_per_epoch, throughput_tokens_per_s::float8 as throughput
              from private.estimate_job_cost(${sql().json(config as never)},
                                             ${d.total_training_pairs}, ${d.total_tokens},
                                             ${d.total_conversations})`;
            const label = JSON.stringify({ gpu: gpu.type, count, batch, epochs, split, d });
            assert.equal(row.cost, ts.estimated_cost, label);
            assert.equal(row.compute, ts.cost_breakdown.compute, label);
            assert.ok(Math.abs(row.hours - ts.estimated_duration_hours) < 1e-12, label);
            assert.equal(row.rate, ts.hourly_rate, label);
            assert.equal(row.total_steps, ts.training_details.total_steps, label);
            assert.equal(row.steps_per_epoch, ts.training_details.steps_per_epoch, label);
            assert.equal(row.throughput, ts.training_details.throughput_tokens_per_s, label);
            compared += 1;
          }
        }
      }
    }
    assert.equal(compared, GPU_CATALOG.length * 3 * 4 * datasets.length);
  });

  it('counts the pairs left after the validation split identically', async () => {
    const cases: [number, number | null, number][] = [];
    for (const pairs of [1, 2, 3, 7, 10, 17, 50, 99, 1000, 123_457]) {
      for (const conversations of [null, 1, 2, 3, 5, 40, pairs]) {
        if (conversations !== null && conversations > pairs) continue;
        for (const split of [0, 0.01, 0.05, 0.1, 0.15, 0.25, 0.3, 0.333, 0.5]) {
          cases.push([pairs, conversations, split]);
        }
      }
    }
    const rows = await sql()`
      select private.expected_training_pairs(c.pairs, c.conversations, c.split)::int as n
        from jsonb_to_recordset(${sql().json(
          cases.map(([pairs, conversations, split]) => ({ pairs, conversations, split })),
        )}) as c(pairs bigint, conversations bigint, split numeric)`;
    assert.equal(rows.length, cases.length);
    cases.forEach(([pairs, conversations, split], i) => {
      const label = JSON.stringify({ pairs, conversations, split });
      assert.equal(rows[i].n, expectedTrainingPairs(pairs, conversations, split), label);
    });
  });
});
