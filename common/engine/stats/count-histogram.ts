/**
 * An exact histogram of non-negative integers (token counts per sample) in bounded memory: a
 * dense Uint32Array for values below `denseLimit` and a Map for the rare larger ones. Memory
 * does not grow with the number of samples, yet every order statistic is exact.
 */
export class CountHistogram {
  private readonly dense: Uint32Array;
  private readonly sparse = new Map<number, number>();
  private n = 0;
  private total = 0;
  private lo = Infinity;
  private hi = -Infinity;

  constructor(private readonly denseLimit = 65536) {
    this.dense = new Uint32Array(denseLimit);
  }

  get count(): number {
    return this.n;
  }

  get sum(): number {
    return this.total;
  }

  get min(): number {
    return this.n === 0 ? 0 : this.lo;
  }

  get max(): number {
    return this.n === 0 ? 0 : this.hi;
  }

  add(value: number): void {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`not a count: ${value}`);
    if (value < this.denseLimit) this.dense[value]++;
    else this.sparse.set(value, (this.sparse.get(value) ?? 0) + 1);
    this.n++;
    this.total += value;
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
  }

  /**
   * Percentiles by linear interpolation between the two nearest ranks, the definition of
   * Postgres `percentile_cont` and numpy's default, so the database can recompute the same
   * figures: for fraction p over n sorted values x[0..n), h = (n − 1)·p and the result is
   * x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]). 0 when empty.
   */
  percentiles(fractions: readonly number[]): number[] {
    if (this.n === 0) return fractions.map(() => 0);
    const wanted = new Set<number>();
    for (const p of fractions) {
      const h = (this.n - 1) * p;
      wanted.add(Math.floor(h));
      wanted.add(Math.min(Math.floor(h) + 1, this.n - 1));
    }
    const ranks = [...wanted].sort((a, b) => a - b);
    const valueAt = new Map<number, number>();
    let next = 0;
    let seen = 0;
    const visit = (value: number, count: number): void => {
      seen += count;
      while (next < ranks.length && ranks[next] < seen) valueAt.set(ranks[next++], value);
    };
    for (let v = 0; v < this.denseLimit && next < ranks.length; v++) {
      if (this.dense[v] !== 0) visit(v, this.dense[v]);
    }
    if (next < ranks.length) {
      for (const v of [...this.sparse.keys()].sort((a, b) => a - b)) visit(v, this.sparse.get(v)!);
    }
    return fractions.map((p) => {
      const h = (this.n - 1) * p;
      const f = Math.floor(h);
      const below = valueAt.get(f)!;
      const above = valueAt.get(Math.min(f + 1, this.n - 1))!;
      return below + (h - f) * (above - below);
    });
  }

  /** Values strictly greater than `limit`. */
  countAbove(limit: number): number {
    let above = 0;
    for (let v = Math.max(0, Math.floor(limit) + 1); v < this.denseLimit; v++)
      above += this.dense[v];
    for (const [v, c] of this.sparse) if (v > limit) above += c;
    return above;
  }
}
