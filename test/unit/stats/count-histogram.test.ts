import assert from 'node:assert/strict';
import { CountHistogram } from '../../../common/engine/stats/count-histogram.ts';

/** percentile_cont on a sorted array: the definition the histogram must reproduce. */
function percentileCont(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const f = Math.floor(h);
  const c = Math.min(f + 1, sorted.length - 1);
  return sorted[f] + (h - f) * (sorted[c] - sorted[f]);
}

describe('CountHistogram', function () {
  it('gives exact interpolated percentiles on a small input', function () {
    const h = new CountHistogram();
    for (const v of [10, 20, 30, 40]) h.add(v);
    assert.deepEqual(h.percentiles([0, 0.05, 0.5, 0.95, 1]), [10, 11.5, 25, 38.5, 40]);
    assert.equal(h.min, 10);
    assert.equal(h.max, 40);
    assert.equal(h.sum, 100);
  });

  it('matches sorting, with values in the dense part and beyond it', function () {
    const h = new CountHistogram(100);
    const values: number[] = [];
    let s = 12345;
    for (let i = 0; i < 1001; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const v = s % 300; // a third of the values land in the sparse overflow map
      values.push(v);
      h.add(v);
    }
    values.sort((a, b) => a - b);
    const ps = [0.05, 0.5, 0.95];
    assert.deepEqual(
      h.percentiles(ps),
      ps.map((p) => percentileCont(values, p)),
    );
    assert.equal(h.countAbove(150), values.filter((v) => v > 150).length);
    assert.equal(h.countAbove(50), values.filter((v) => v > 50).length);
  });

  it('handles one value and no values', function () {
    const h = new CountHistogram();
    assert.deepEqual(h.percentiles([0.5]), [0]);
    assert.equal(h.min, 0);
    h.add(7);
    assert.deepEqual(h.percentiles([0.05, 0.5, 0.95]), [7, 7, 7]);
  });

  it('rejects a value that is not a count', function () {
    const h = new CountHistogram();
    assert.throws(() => h.add(-1), RangeError);
    assert.throws(() => h.add(Number.NaN), RangeError);
    assert.throws(() => h.add(1.5), RangeError);
  });
});
