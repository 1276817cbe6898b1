import assert from 'node:assert/strict';
import { scoreQuality } from '../../../common/training/quality.ts';

describe('scoreQuality', () => {
  const cases: [number, number, string][] = [
    [51, 5, 'excellent'],
    [50, 4, 'good'],
    [31, 4, 'good'],
    [30, 3, 'fair'],
    [16, 3, 'fair'],
    [15, 2, 'poor'],
    [6, 2, 'poor'],
    [5, 1, 'poor'],
    [-10, 1, 'poor'],
  ];
  for (const [reduction, score, label] of cases) {
    it(`maps a ${reduction}% loss reduction to ${score} (${label})`, () => {
      const q = scoreQuality({ first_training_loss: 100, final_training_loss: 100 - reduction });
      assert.equal(q.overall_score, score);
      assert.equal(q.convergence_quality, label);
      assert.ok(Math.abs(q.loss_reduction_percent - reduction) < 1e-9);
    });
  }

  it('marks an overfit run and drops the score by one, not below 2', () => {
    const overfit = (reduction: number) =>
      scoreQuality({
        first_training_loss: 100,
        final_training_loss: 100 - reduction,
        final_validation_loss: 100 - reduction + 0.51,
      });
    assert.deepEqual(
      [60, 40, 20, 10, 1].map((r) => overfit(r).overall_score),
      [4, 3, 2, 2, 1],
    );
    assert.equal(overfit(60).convergence_quality, 'overfit');
    const gapOfHalf = scoreQuality({
      first_training_loss: 2,
      final_training_loss: 0.5,
      final_validation_loss: 1,
    });
    assert.equal(gapOfHalf.convergence_quality, 'excellent');
  });

  it('reports perplexity as e to the final validation loss', () => {
    const q = scoreQuality({
      first_training_loss: 3,
      final_training_loss: 1,
      final_validation_loss: 1.2,
    });
    assert.equal(q.perplexity, Math.exp(1.2));
    assert.equal(q.final_validation_loss, 1.2);
    const noValidation = scoreQuality({ first_training_loss: 3, final_training_loss: 1 });
    assert.equal(noValidation.perplexity, null);
  });
});
