import assert from 'node:assert/strict';
import { estimateJobCost, runningCost } from '../../../common/training/cost-model.ts';
import { roundCents } from '../../../common/training/money.ts';

describe('estimateJobCost', () => {
  it('follows training.md §3 step by step', () => {
    const e = estimateJobCost({
      gpu_config: { type: 'A100-80GB', count: 2 },
      hyperparameters: { batch_size: 8, gradient_accumulation_steps: 2, epochs: 3 },
      dataset: { total_training_pairs: 1000, total_tokens: 3_600_000, name: 'support' },
    });
    // 7.00 $/h; 3600 tok/s; 3 × 3.6M tokens = 3000 s; overhead 600 + 900 + 300 = 1800 s.
    assert.equal(e.hourly_rate, 7);
    assert.equal(e.estimated_duration_hours, 4800 / 3600);
    assert.equal(e.cost_breakdown.compute, 9.33);
    assert.equal(e.cost_breakdown.storage, 0.5);
    assert.equal(e.estimated_cost, 9.83);
    assert.deepEqual(e.training_details, {
      total_steps: 63 * 3,
      steps_per_epoch: 63,
      throughput_tokens_per_s: 3600,
      dataset_name: 'support',
    });
  });

  it('rounds only the money, and only at the end', () => {
    const e = estimateJobCost({
      gpu_config: { type: 'V100-32GB', count: 3 },
      hyperparameters: { batch_size: 1, gradient_accumulation_steps: 1, epochs: 1 },
      dataset: { total_training_pairs: 1, total_tokens: 1 },
    });
    const hours = (1 / 3600 + 1200) / 3600;
    assert.ok(Math.abs(e.estimated_duration_hours - hours) < 1e-12);
    assert.equal(e.estimated_cost, roundCents(6.3 * hours + 0.5));
    assert.equal(e.training_details.dataset_name, null);
  });

  it('rounds a half-cent tie up, as decimal arithmetic (and Postgres) does', () => {
    // 2.10 $/h × (72M tokens / 1200 tok/s + 6900 s) / 3600 = 39.025 exactly, + 0.50 = 39.525.
    const e = estimateJobCost({
      gpu_config: { type: 'V100-32GB', count: 1 },
      hyperparameters: { batch_size: 64, gradient_accumulation_steps: 64, epochs: 20 },
      dataset: { total_training_pairs: 1000, total_tokens: 3_600_000 },
    });
    assert.equal(e.estimated_cost, 39.53);
    assert.equal(e.cost_breakdown.compute, 39.03);
  });

  it('keeps the hourly rate in whole cents', () => {
    const e = estimateJobCost({
      gpu_config: { type: 'A100-40GB', count: 3 },
      hyperparameters: { batch_size: 1, gradient_accumulation_steps: 1, epochs: 1 },
      dataset: { total_training_pairs: 1, total_tokens: 1 },
    });
    assert.equal(e.hourly_rate, 8.4);
  });

  it('throws for a GPU type outside the catalog', () => {
    assert.throws(() =>
      estimateJobCost({
        gpu_config: { type: 'RTX', count: 1 },
        hyperparameters: { batch_size: 1, gradient_accumulation_steps: 1, epochs: 1 },
        dataset: { total_training_pairs: 1, total_tokens: 1 },
      }),
    );
  });

  it('charges the running cost by the hour since the start', () => {
    assert.equal(runningCost(4.2, 0, 30 * 60_000), 2.1);
    assert.equal(runningCost(4.2, 1000, 0), 0);
  });
});

describe('roundCents', () => {
  it('rounds half away from zero without binary surprises', () => {
    assert.equal(roundCents(1.005), 1.01);
    assert.equal(roundCents(2.675), 2.68);
    assert.equal(roundCents(9.334), 9.33);
    assert.equal(roundCents(-1.005), -1.01);
    assert.equal(roundCents(0), 0);
  });
});
