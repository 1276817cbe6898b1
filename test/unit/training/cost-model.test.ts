import assert from 'node:assert/strict';
import {
  costBreakdown,
  estimateJobCost,
  jobCost,
  runningCost,
} from '../../../common/training/cost-model.ts';
import { roundCents } from '../../../common/training/money.ts';
import {
  expectedTrainingPairs,
  wantedValidationPairs,
} from '../../../common/training/validation-split.ts';

describe('estimateJobCost', () => {
  it('follows training.md §3 step by step', () => {
    const e = estimateJobCost({
      gpu_config: { type: 'A100-80GB', count: 2 },
      hyperparameters: {
        batch_size: 8,
        gradient_accumulation_steps: 2,
        epochs: 3,
        validation_split: 0,
      },
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
      hyperparameters: {
        batch_size: 1,
        gradient_accumulation_steps: 1,
        epochs: 1,
        validation_split: 0,
      },
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
      hyperparameters: {
        batch_size: 64,
        gradient_accumulation_steps: 64,
        epochs: 20,
        validation_split: 0,
      },
      dataset: { total_training_pairs: 1000, total_tokens: 3_600_000 },
    });
    assert.equal(e.estimated_cost, 39.53);
    assert.equal(e.cost_breakdown.compute, 39.03);
  });

  it('keeps the hourly rate in whole cents', () => {
    const e = estimateJobCost({
      gpu_config: { type: 'A100-40GB', count: 3 },
      hyperparameters: {
        batch_size: 1,
        gradient_accumulation_steps: 1,
        epochs: 1,
        validation_split: 0,
      },
      dataset: { total_training_pairs: 1, total_tokens: 1 },
    });
    assert.equal(e.hourly_rate, 8.4);
  });

  it('throws for a GPU type outside the catalog', () => {
    assert.throws(() =>
      estimateJobCost({
        gpu_config: { type: 'RTX', count: 1 },
        hyperparameters: {
          batch_size: 1,
          gradient_accumulation_steps: 1,
          epochs: 1,
          validation_split: 0,
        },
        dataset: { total_training_pairs: 1, total_tokens: 1 },
      }),
    );
  });

  it('counts steps on the pairs left after the validation split, and time on every token', () => {
    const input = {
      gpu_config: { type: 'A100-80GB', count: 2 },
      hyperparameters: { batch_size: 8, gradient_accumulation_steps: 2, epochs: 3 },
      dataset: { total_training_pairs: 1000, total_tokens: 3_600_000, total_conversations: 1000 },
    };
    const all = estimateJobCost({
      ...input,
      hyperparameters: { ...input.hyperparameters, validation_split: 0 },
    });
    const split = estimateJobCost({
      ...input,
      hyperparameters: { ...input.hyperparameters, validation_split: 0.1 },
    });
    // 100 pairs held out: ceil(900 / 16) = 57 steps per epoch instead of 63.
    assert.equal(split.training_details.steps_per_epoch, 57);
    assert.equal(split.training_details.total_steps, 171);
    assert.equal(all.training_details.steps_per_epoch, 63);
    assert.equal(split.estimated_cost, all.estimated_cost);
    assert.equal(split.estimated_duration_hours, all.estimated_duration_hours);
  });

  it('charges the running cost by the hour since the start', () => {
    assert.equal(runningCost(4.2, 0, 30 * 60_000), 2.1);
    assert.equal(runningCost(4.2, 1000, 0), 0);
  });
});

describe('jobCost', () => {
  const recorded_cost = { training_compute: 0.01, storage: 0.5, total: 0.51 };

  it('is the recorded total once written, else the compute cost, else the cost so far', () => {
    assert.equal(jobCost({ recorded_cost, actual_cost: 0.01, running_cost: 0.01 }), 0.51);
    assert.equal(jobCost({ recorded_cost: null, actual_cost: 1.25, running_cost: 1.25 }), 1.25);
    assert.equal(jobCost({ recorded_cost: null, actual_cost: null, running_cost: 0.3 }), 0.3);
    assert.equal(jobCost({ recorded_cost: null, actual_cost: null, running_cost: null }), null);
  });

  it('spells out the records in the caller money format', () => {
    assert.equal(
      costBreakdown(recorded_cost, (n) => `$${n.toFixed(2)}`),
      'compute $0.01 + storage $0.50',
    );
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

describe('expectedTrainingPairs', () => {
  it('holds out whole conversations covering round(pairs × split), keeping one to train on', () => {
    assert.equal(expectedTrainingPairs(1000, 1000, 0.1), 900);
    assert.equal(expectedTrainingPairs(1000, 200, 0.1), 900); // 20 conversations of 5
    assert.equal(expectedTrainingPairs(30, 10, 0.1), 27); // one conversation of 3
    assert.equal(expectedTrainingPairs(17, 5, 0.1), 14); // the example: one of 3.4 → 3 pairs
    assert.equal(expectedTrainingPairs(10, 2, 0.5), 5);
    assert.equal(expectedTrainingPairs(4, 4, 0.5), 2);
  });

  it('does not split a single conversation, a split of 0, or one pair', () => {
    assert.equal(expectedTrainingPairs(40, 1, 0.2), 40);
    assert.equal(expectedTrainingPairs(40, 40, 0), 40);
    assert.equal(expectedTrainingPairs(1, 1, 0.5), 1);
  });

  it('counts each pair as a conversation when the statistics have none', () => {
    assert.equal(expectedTrainingPairs(50, null, 0.1), 45);
    assert.equal(expectedTrainingPairs(50, undefined, 0.1), 45);
  });

  it('rounds the wanted validation pairs half up, as the trainer and Postgres do', () => {
    assert.equal(wantedValidationPairs(10, 0.25), 3);
    assert.equal(wantedValidationPairs(10, 0.15), 2);
    assert.equal(wantedValidationPairs(10, 0.05), 1);
    assert.equal(wantedValidationPairs(10, 0.01), 1);
    assert.equal(wantedValidationPairs(1000, 0.1), 100);
  });
});
