import assert from 'node:assert/strict';
import { Ema, MAX_SMOOTHING, clampWeight, emaSmooth } from '../../../webview/src/chart/ema.ts';

describe('EMA smoothing', () => {
  it('leaves the series unchanged at weight 0', () => {
    assert.deepEqual(emaSmooth([3, 1, 4, 1, 5], 0), [3, 1, 4, 1, 5]);
  });

  it('is debiased: a constant series stays constant from the first point', () => {
    for (const v of emaSmooth([2, 2, 2, 2], 0.9)) assert.ok(Math.abs(v - 2) < 1e-12);
  });

  it('follows s = w·s + (1−w)·x divided by 1 − w^n', () => {
    const [a, b] = emaSmooth([1, 3], 0.5);
    assert.equal(a, 1); // 0.5 / (1 − 0.5)
    assert.ok(Math.abs(b - (0.5 * 0.5 + 0.5 * 3) / (1 - 0.25)) < 1e-12); // 1.75 / 0.75
  });

  it('damps noise: the smoothed curve varies less than the raw one', () => {
    const raw = Array.from({ length: 200 }, (_, i) => 2 - i / 200 + (i % 2 ? 0.3 : -0.3));
    const smooth = emaSmooth(raw, 0.9);
    const jitter = (xs: number[]) =>
      xs.slice(1).reduce((sum, x, i) => sum + Math.abs(x - xs[i]), 0);
    assert.ok(jitter(smooth) < jitter(raw) / 5);
  });

  it('gives the same values one point at a time as over the whole series', () => {
    const values = [5, 4, 4.5, 3, 2.5, 2.7, 2];
    const ema = new Ema(0.6);
    assert.deepEqual(
      values.map((v) => ema.next(v)),
      emaSmooth(values, 0.6),
    );
  });

  it('skips non-finite values, keeping the previous smoothed value', () => {
    const out = emaSmooth([1, Number.NaN, 1], 0.5);
    assert.equal(out[1], out[0]);
    assert.ok(Number.isNaN(new Ema(0.5).current()));
  });

  it('clamps the weight to 0..MAX_SMOOTHING', () => {
    assert.equal(clampWeight(-1), 0);
    assert.equal(clampWeight(Number.NaN), 0);
    assert.equal(clampWeight(1), MAX_SMOOTHING);
    assert.equal(clampWeight(0.5), 0.5);
  });
});
