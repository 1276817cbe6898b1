/**
 * Decimation for drawing long series: min/max buckets. Each bucket of consecutive points keeps
 * its lowest and highest value (in step order), so spikes and the best loss stay visible; the
 * first and last points are always kept. The full series stays elsewhere for hover and export.
 */

export interface XY {
  x: number;
  y: number;
}

/**
 * At most `maxPoints` points (≥ 4) of `points` (sorted by x). Series at or under the limit come
 * back unchanged (same array).
 */
export function decimateMinMax<P extends XY>(
  points: readonly P[],
  maxPoints: number,
): readonly P[] {
  const limit = Math.max(4, Math.floor(maxPoints));
  const n = points.length;
  if (n <= limit) return points;
  // First and last are kept apart; every bucket of the middle yields at most two points.
  const buckets = Math.floor((limit - 2) / 2);
  const middle = n - 2;
  const out: P[] = [points[0]];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * middle) / buckets);
    const end = 1 + Math.floor(((b + 1) * middle) / buckets);
    pushExtremes(points, start, end, out);
  }
  out.push(points[n - 1]);
  return out;
}

function pushExtremes<P extends XY>(
  points: readonly P[],
  start: number,
  end: number,
  out: P[],
): void {
  if (end <= start) return;
  let lo = start;
  let hi = start;
  for (let i = start + 1; i < end; i++) {
    if (points[i].y < points[lo].y) lo = i;
    if (points[i].y > points[hi].y) hi = i;
  }
  if (lo === hi) out.push(points[lo]);
  else if (lo < hi) out.push(points[lo], points[hi]);
  else out.push(points[hi], points[lo]);
}

/**
 * Incremental min/max decimation for a live series. After the first point (always kept), points
 * are grouped in buckets of a fixed size that doubles whenever the drawn series would exceed
 * `maxPoints`; finished buckets never change, so appending new points only replaces the open
 * bucket at the end: the chart receives a small splice instead of a new array.
 */
export class LiveDecimator<P extends XY> {
  private readonly all: P[] = [];
  private bucketSize = 1;
  /** Drawn points of the first point and the finished buckets. */
  private settled: P[] = [];
  /** Index in `all` where the open (unfinished) bucket starts. */
  private openStart = 1;
  private readonly maxPoints: number;

  constructor(maxPoints: number) {
    this.maxPoints = Math.max(8, Math.floor(maxPoints));
  }

  /** Every point pushed so far (for hover and export). */
  get points(): readonly P[] {
    return this.all;
  }

  /** The points drawn now: the settled buckets, then the open bucket's extremes and last point. */
  drawn(): P[] {
    const out = this.settled.slice();
    this.appendOpen(out);
    return out;
  }

  /**
   * Adds points (sorted by x, after every point seen so far) and tells how the drawn series
   * changed: remove `removeFromEnd` points from its end, then append `append`. When the bucket
   * size grew, `removeFromEnd` covers the whole previous drawn series.
   */
  push(points: readonly P[]): { rebuilt: boolean; removeFromEnd: number; append: P[] } {
    const settledBefore = this.settled.length;
    const before = settledBefore + this.openDrawnCount();
    for (const p of points) {
      if (this.all.length === 0) this.settled.push(p);
      this.all.push(p);
    }
    this.settleFinishedBuckets();
    let rebuilt = false;
    while (this.settled.length + 3 > this.maxPoints) {
      this.bucketSize *= 2;
      this.settled = this.all.slice(0, 1);
      this.openStart = 1;
      this.settleFinishedBuckets();
      rebuilt = true;
    }
    if (rebuilt) return { rebuilt, removeFromEnd: before, append: this.drawn() };
    const append = this.settled.slice(settledBefore);
    this.appendOpen(append);
    return { rebuilt, removeFromEnd: before - settledBefore, append };
  }

  private settleFinishedBuckets(): void {
    while (this.all.length - this.openStart > this.bucketSize) {
      pushExtremes(this.all, this.openStart, this.openStart + this.bucketSize, this.settled);
      this.openStart += this.bucketSize;
    }
  }

  /** The open bucket's extremes, then the last point when they do not end with it. */
  private appendOpen(out: P[]): void {
    const n = this.all.length;
    if (n <= this.openStart) return;
    pushExtremes(this.all, this.openStart, n, out);
    if (out[out.length - 1] !== this.all[n - 1]) out.push(this.all[n - 1]);
  }

  private openDrawnCount(): number {
    const open: P[] = [];
    this.appendOpen(open);
    return open.length;
  }
}
