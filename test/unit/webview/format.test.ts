import assert from 'node:assert/strict';
import { estimateJobCost } from '../../../common/training/cost-model.ts';
import { describeEstimate, estimatesAgree } from '../../../webview/src/configure/estimate-view.ts';
import {
  formatBytes,
  formatChange,
  formatHours,
  formatLearningRate,
  formatLoss,
  formatMoney,
  formatPeriod,
  formatTimestamp,
} from '../../../webview/src/format/format.ts';

describe('formatting', () => {
  it('formats money in dollars and cents, with a dash when missing', () => {
    assert.equal(formatMoney(9.83), '$9.83');
    assert.equal(formatMoney(1234.5), '$1,234.50');
    assert.equal(formatMoney(0), '$0.00');
    assert.equal(formatMoney(null), '—');
    assert.equal(formatMoney(Number.NaN), '—');
  });

  it('formats durations from hours', () => {
    assert.equal(formatHours(0.001), '< 1 min');
    assert.equal(formatHours(0.75), '45 min');
    assert.equal(formatHours(4800 / 3600), '1 h 20 min');
    assert.equal(formatHours(2 + 5 / 60), '2 h 05 min');
    assert.equal(formatHours(28), '1 d 4 h');
    assert.equal(formatHours(-1), '—');
  });

  it('formats sizes, learning rates, losses, changes, dates', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.50 KB');
    assert.equal(formatBytes(25 * 1024 * 1024), '25.0 MB');
    assert.equal(formatLearningRate(0.0002), '2e-4');
    assert.equal(formatLearningRate(0.000015), '1.5e-5');
    assert.equal(formatLoss(1.234567), '1.235');
    assert.equal(formatChange(12.4), '+12%');
    assert.equal(formatChange(-8), '−8%');
    assert.equal(formatChange(0.2), '±0%');
    assert.equal(formatChange(null), '—');
    assert.equal(formatTimestamp('2026-11-26T14:05:33Z'), '2026-11-26 14:05 UTC');
    assert.equal(formatPeriod('2026-11-01'), 'Nov 2026');
  });
});

describe('estimate display', () => {
  const estimate = estimateJobCost({
    gpu_config: { type: 'A100-80GB', count: 2 },
    hyperparameters: {
      batch_size: 8,
      gradient_accumulation_steps: 2,
      epochs: 3,
      validation_split: 0,
    },
    dataset: { total_training_pairs: 1000, total_tokens: 3_600_000, name: 'support' },
  });

  it('shows cost, duration, steps and hourly rate of the shared cost model', () => {
    assert.deepEqual(describeEstimate(estimate), {
      cost: '$9.83',
      compute: '$9.33',
      storage: '$0.50',
      duration: '1 h 20 min',
      steps: '189 (63 per epoch)',
      hourlyRate: '$7.00/h',
      throughput: '3.6K tokens/s',
    });
  });

  it('agrees with an identical server estimate and not with a different one', () => {
    assert.equal(estimatesAgree(estimate, { ...estimate }), true);
    assert.equal(estimatesAgree(estimate, { ...estimate, estimated_cost: 9.84 }), false);
    assert.equal(
      estimatesAgree(estimate, {
        ...estimate,
        training_details: { ...estimate.training_details, total_steps: 190 },
      }),
      false,
    );
  });
});
