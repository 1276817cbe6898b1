import assert from 'node:assert/strict';
import { describeApiError } from '../../../client/src/panels/deps.ts';
import {
  accruedCost,
  currentMonthWithRunning,
  fillDays,
  spendBars,
} from '../../../webview/src/cost/cost-view.ts';
import { configRows, fileRows, scoreStars } from '../../../webview/src/model/model-view.ts';
import type { CostDashboardView } from '../../../webview/src/shared/messages.ts';

const dashboard: CostDashboardView = {
  currency: 'USD',
  current_month: { period: '2026-11-01', total: 10, compute: 9, storage: 1 },
  last_month: { period: '2026-10-01', total: 5, compute: 4.5, storage: 0.5 },
  change_percent: 100,
  by_period: [
    { period: '2026-10-01', total: 5, compute: 4.5, storage: 0.5 },
    { period: '2026-11-01', total: 10, compute: 9, storage: 1 },
  ],
  by_job: [],
  by_gpu_type: [],
  active: { jobs: 1, running_cost: 1 },
  total_in_window: 15,
};
const running = {
  jobId: 'j',
  label: 'run',
  gpuType: 'H100',
  gpuCount: 1,
  hourlyRate: 4.2,
  runningCost: 1,
  startedAt: null,
};

describe('cost dashboard view', () => {
  it('charts spend per month until the route returns days, then per day with gaps filled', () => {
    assert.deepEqual(spendBars(dashboard), {
      unit: 'month',
      bars: [
        { label: '2026-10-01', total: 5 },
        { label: '2026-11-01', total: 10 },
      ],
    });
    const days = spendBars({
      ...dashboard,
      by_day: [
        { date: '2026-11-03', total: 2 },
        { date: '2026-11-01', total: 1 },
      ],
    });
    assert.equal(days.unit, 'day');
    assert.deepEqual(
      days.bars.map((b) => [b.label, b.total]),
      [
        ['2026-11-01', 1],
        ['2026-11-02', 0],
        ['2026-11-03', 2],
      ],
    );
    assert.deepEqual(fillDays([]), []);
  });

  it("accrues a running job's cost at its hourly rate since the figures were fetched", () => {
    assert.equal(accruedCost(running, 0, 3_600_000), 5.2);
    assert.equal(accruedCost(running, 10, 0), 1);
    assert.equal(currentMonthWithRunning(dashboard, [running], 0, 1_800_000), 10 + 1 + 2.1);
  });
});

describe('model view', () => {
  it('lists the adapter first, then the config, then the rest by name', () => {
    const rows = fileRows({
      files: {
        'training_log.jsonl': { path: 'p/t', size: 5 },
        'adapter_config.json': { path: 'p/c', size: 2 },
        'adapter_model.safetensors': { path: 'p/a', size: 1000, sha256: 'ab' },
        'checkpoint-1.safetensors': { path: 'p/k', size: 900 },
      },
    });
    assert.deepEqual(
      rows.map((r) => r.name),
      [
        'adapter_model.safetensors',
        'adapter_config.json',
        'checkpoint-1.safetensors',
        'training_log.jsonl',
      ],
    );
    assert.equal(rows[0].sha256, 'ab');
    assert.equal(rows[1].sha256, null);
  });

  it('flattens the configuration into rows', () => {
    assert.deepEqual(
      configRows({ preset_id: 'balanced', gpu_config: { type: 'H100', count: 2 }, tags: [1] }),
      [
        { key: 'preset_id', value: 'balanced' },
        { key: 'gpu_config.type', value: 'H100' },
        { key: 'gpu_config.count', value: '2' },
        { key: 'tags', value: '[1]' },
      ],
    );
    assert.deepEqual(configRows(null), []);
  });

  it('shows the score as stars with a text alternative', () => {
    assert.deepEqual(scoreStars(4), { stars: '★★★★☆', label: 'Quality score 4 of 5' });
    assert.deepEqual(scoreStars(null), { stars: '—', label: 'No quality score' });
  });
});

describe('API errors in panels', () => {
  it('keeps the message and well-formed 400 details only', () => {
    const error = Object.assign(new Error('Validation error'), {
      status: 400,
      details: [{ field: 'hyperparameters.epochs', message: 'epochs must be…' }, { bogus: 1 }, 'x'],
    });
    assert.deepEqual(describeApiError(error), {
      message: 'Validation error',
      issues: [{ field: 'hyperparameters.epochs', message: 'epochs must be…' }],
    });
    assert.deepEqual(describeApiError('offline'), { message: 'offline', issues: [] });
    assert.deepEqual(describeApiError(undefined), { message: 'Request failed', issues: [] });
  });
});
