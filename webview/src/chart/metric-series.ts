/**
 * The full metric series of one job, in step order, one point per step. Live updates append
 * only points after the last step held (the API's cursor is the step, and a step is stored once),
 * so a repeated or out-of-order delivery never duplicates a point. Hover and CSV export read it.
 */
import type { MetricPoint } from '../../../common/api/types.ts';

export class MetricSeries {
  private readonly items: MetricPoint[] = [];

  get points(): readonly MetricPoint[] {
    return this.items;
  }

  get lastStep(): number {
    return this.items.length === 0 ? -1 : this.items[this.items.length - 1].step;
  }

  /** Replaces the series; returns the points kept (sorted, one per step). */
  reset(points: readonly MetricPoint[]): MetricPoint[] {
    this.items.length = 0;
    return this.append(points);
  }

  /** Appends the points after `lastStep`; returns those it kept, in step order. */
  append(points: readonly MetricPoint[]): MetricPoint[] {
    const fresh = points
      .filter((p) => p.step > this.lastStep)
      .sort((a, b) => a.step - b.step)
      .filter((p, i, all) => i === 0 || p.step !== all[i - 1].step);
    for (const p of fresh) this.items.push(p);
    return fresh;
  }

  /** The point whose step is closest to `step` (the earlier one on a tie). */
  nearest(step: number): MetricPoint | undefined {
    const i = nearestIndex(this.items, step, (p) => p.step);
    return i < 0 ? undefined : this.items[i];
  }
}

/** Index of the item whose key is closest to `target` in a list sorted by key; -1 if empty. */
export function nearestIndex<T>(
  items: readonly T[],
  target: number,
  key: (t: T) => number,
): number {
  if (items.length === 0) return -1;
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]) < target) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && target - key(items[lo - 1]) <= key(items[lo]) - target) return lo - 1;
  return lo;
}
