/**
 * Exponential moving average for loss curves, debiased the way TensorBoard does it so the first
 * points are not dragged towards zero: s_n = w·s_{n-1} + (1−w)·x_n, shown as s_n / (1 − w^n).
 * `weight` 0 leaves the series unchanged; 0.99 smooths heavily.
 */

export const MAX_SMOOTHING = 0.99;

export function clampWeight(weight: number): number {
  if (!Number.isFinite(weight) || weight <= 0) return 0;
  return Math.min(weight, MAX_SMOOTHING);
}

/** An EMA that takes values one at a time, so live points are smoothed without a recompute. */
export class Ema {
  private last = 0;
  private count = 0;
  readonly weight: number;

  constructor(weight: number) {
    this.weight = clampWeight(weight);
  }

  next(value: number): number {
    if (!Number.isFinite(value)) return this.current();
    this.count++;
    this.last = this.last * this.weight + (1 - this.weight) * value;
    return this.current();
  }

  /** The smoothed value so far (NaN before the first finite value). */
  current(): number {
    if (this.count === 0) return Number.NaN;
    const debias = this.weight === 0 ? 1 : 1 - Math.pow(this.weight, this.count);
    return this.last / debias;
  }
}

/** Smooths a whole series; non-finite values keep the previous smoothed value. */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  const ema = new Ema(weight);
  return values.map((v) => ema.next(v));
}
