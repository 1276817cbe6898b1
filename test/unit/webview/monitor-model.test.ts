import assert from 'node:assert/strict';
import {
  costSoFar,
  describeFinalCost,
  etaSeconds,
  jobEvents,
  liveFigures,
  progressPercent,
  recentEvents,
  stageLabel,
  summaryQuality,
} from '../../../webview/src/monitor/monitor-model.ts';
import { job, point } from './fixtures.ts';

const start = Date.parse('2026-11-26T00:00:00Z');

describe('monitor model', () => {
  it('never shows a step or loss older than the newest metric point', () => {
    const stale = job({
      current_step: 0,
      current_training_loss: null,
      current_validation_loss: null,
    });
    const points = [point(1, 2.5, { validation_loss: 2.6 }), point(2, 2.1)];
    assert.deepEqual(liveFigures(stale, points), {
      step: 2,
      trainingLoss: 2.1,
      validationLoss: 2.6,
    });
    // A row newer than the points (a history still loading) wins.
    const fresh = job({
      current_step: 9,
      current_training_loss: 1.2,
      current_validation_loss: 1.3,
    });
    assert.deepEqual(liveFigures(fresh, points), {
      step: 9,
      trainingLoss: 1.2,
      validationLoss: 1.3,
    });
    assert.deepEqual(liveFigures(fresh, []), { step: 9, trainingLoss: 1.2, validationLoss: 1.3 });
  });

  it('names stages for people, and a finished job by its status', () => {
    assert.equal(stageLabel(job({ current_stage: 'queued_on_gpu' })), 'Waiting for a GPU');
    assert.equal(stageLabel(job({ status: 'failed', current_stage: 'training' })), 'Failed');
    assert.equal(stageLabel(job({ status: 'cancelled' })), 'Cancelled');
  });

  it("takes the server's ETA, else extrapolates the pace so far, and none once finished", () => {
    assert.equal(etaSeconds(job({ eta_seconds: 120 }), start), 120);
    // 25% in 10 minutes → 30 minutes left.
    assert.equal(etaSeconds(job({ progress: 25 }), start + 600_000), 1800);
    assert.equal(etaSeconds(job({ progress: 0 }), start + 600_000), null);
    assert.equal(etaSeconds(job({ status: 'completed', eta_seconds: 5 }), start), null);
  });

  it('accrues the running cost at the hourly rate and shows the final cost once finished', () => {
    assert.equal(costSoFar(job({ hourly_rate: 3.5 }), start + 1_800_000), 1.75);
    assert.equal(costSoFar(job({ status: 'completed', actual_cost: 4.2 }), start + 9e9), 4.2);
    assert.equal(costSoFar(job({ started_at: null, running_cost: null }), start), null);
  });

  it("shows a finished job's recorded cost, compute plus storage, comparable with the estimate", () => {
    const recorded_cost = { training_compute: 0, storage: 0.5, total: 0.5 };
    const done = job({ status: 'completed', actual_cost: 0.004, recorded_cost });
    assert.equal(costSoFar(done, start), 0.5);
    assert.equal(describeFinalCost(done), '$0.50 (compute $0.00 + storage $0.50)');
    // Before create-model-artifacts has written the records: the compute cost alone.
    assert.equal(describeFinalCost(job({ status: 'failed', actual_cost: 1.25 })), '$1.25');
    // A running job accrues by the hour whatever was recorded.
    assert.equal(costSoFar(job({ hourly_rate: 3.5, recorded_cost }), start + 1_800_000), 1.75);
  });

  it('logs status, stage, epoch, cancellation and error events between snapshots', () => {
    const a = job({ status: 'queued', current_stage: 'queued', current_epoch: 0 });
    assert.deepEqual(
      jobEvents(null, a, 1).map((e) => e.text),
      ['Job queued: Queued'],
    );
    const b = job({ status: 'running', current_stage: 'training', current_epoch: 1 });
    assert.deepEqual(
      jobEvents(a, b, 2).map((e) => e.text),
      ['Status: queued → running', 'Stage: Training', 'Epoch 1 of 5'],
    );
    const c = { ...b, cancel_requested_at: '2026-11-26T00:10:00Z' };
    assert.deepEqual(jobEvents(b, c, 3), [
      { at: 3, text: 'Cancellation requested', level: 'warning' },
    ]);
    const d = {
      ...b,
      status: 'failed' as const,
      error_message: 'Training diverged (NaN loss): lower the learning rate',
    };
    const events = jobEvents(b, d, 4);
    assert.equal(events[events.length - 1].level, 'error');
    assert.deepEqual(jobEvents(b, b, 5), []);
  });

  it('keeps the newest events first, up to a limit', () => {
    const e = (n: number) => ({ at: n, text: `e${n}`, level: 'info' as const });
    assert.deepEqual(
      recentEvents([e(2), e(1)], [e(3), e(4)], 3).map((x) => x.text),
      ['e4', 'e3', 'e2'],
    );
  });

  it('scores the finished run from its own series (training.md §5)', () => {
    const q = summaryQuality([point(1, 4), point(2, 3, { validation_loss: 3.1 }), point(3, 1.6)]);
    assert.ok(q);
    assert.equal(q.loss_reduction_percent, 60);
    assert.equal(q.final_validation_loss, 3.1); // the last validation loss logged
    assert.equal(q.convergence_quality, 'overfit'); // 3.1 − 1.6 > 0.5
    assert.equal(q.overall_score, 4); // > 50% reduction is a 5, less one for overfitting
    assert.equal(summaryQuality([]), null);
  });

  it('clamps progress to 0..100', () => {
    assert.equal(progressPercent(140), 100);
    assert.equal(progressPercent(-1), 0);
    assert.equal(progressPercent(Number.NaN), 0);
  });
});
