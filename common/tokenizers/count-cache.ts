export interface CountCacheLimits {
  /** Most entries kept. */
  maxEntries?: number;
  /** Most UTF-16 code units of keys kept (about 2 bytes each). */
  maxChars?: number;
}

/**
 * Token counts keyed by content, bounded in entries and in key characters.
 *
 * Eviction is first-in first-out (a Map iterates in insertion order), which needs no bookkeeping
 * per hit. It fits the data: a v4 file repeats each history turn on the next lines of the same
 * conversation, so repeats are near each other, and a system prompt evicted by a long file is
 * simply counted again.
 */
export class CountCache {
  private readonly map = new Map<string, number>();
  /**
   * Keys in insertion order, read from `head`. Evicting through `map.keys()` restarts at the
   * front of V8's table on every call and walks the holes deletions leave, which made each
   * insert slower than the last once the cache was full.
   */
  private order: string[] = [];
  private head = 0;
  private chars = 0;
  private readonly maxEntries: number;
  private readonly maxChars: number;

  constructor(limits: CountCacheLimits = {}) {
    this.maxEntries = limits.maxEntries ?? 100_000;
    this.maxChars = limits.maxChars ?? 16_000_000;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): number | undefined {
    return this.map.get(key);
  }

  set(key: string, count: number): void {
    // A key larger than the whole budget would evict everything and then not fit either.
    if (key.length > this.maxChars) return;
    if (this.map.has(key)) return;
    this.map.set(key, count);
    this.order.push(key);
    this.chars += key.length;
    while (this.map.size > this.maxEntries || this.chars > this.maxChars) {
      const old = this.order[this.head++];
      this.map.delete(old);
      this.chars -= old.length;
    }
    // Drop the evicted prefix now and then, so the order list stays as long as the map.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.map.clear();
    this.order = [];
    this.head = 0;
    this.chars = 0;
  }
}
