import assert from 'node:assert/strict';
import { MetricSeries, nearestIndex } from '../../../webview/src/chart/metric-series.ts';
import { point } from './fixtures.ts';

describe('MetricSeries', () => {
  it('appends only steps after the last one held, in order, once each', () => {
    const s = new MetricSeries();
    assert.deepEqual(
      s.reset([point(3, 1), point(1, 2), point(2, 1.5)]).map((p) => p.step),
      [1, 2, 3],
    );
    const fresh = s.append([point(3, 9), point(5, 0.5), point(4, 0.7), point(5, 0.6)]);
    assert.deepEqual(
      fresh.map((p) => p.step),
      [4, 5],
    );
    assert.deepEqual(
      s.points.map((p) => p.training_loss),
      [2, 1.5, 1, 0.7, 0.5],
    );
    assert.equal(s.lastStep, 5);
  });

  it('finds the nearest logged step for hover', () => {
    const s = new MetricSeries();
    s.reset([point(0, 1), point(10, 2), point(20, 3)]);
    assert.equal(s.nearest(4)?.step, 0);
    assert.equal(s.nearest(5)?.step, 0); // a tie goes to the earlier step
    assert.equal(s.nearest(6)?.step, 10);
    assert.equal(s.nearest(99)?.step, 20);
    assert.equal(s.nearest(-5)?.step, 0);
    assert.equal(new MetricSeries().nearest(1), undefined);
    assert.equal(
      nearestIndex([], 1, (x: number) => x),
      -1,
    );
  });
});
