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
    this.chars += key.length;
    if (this.map.size <= this.maxEntries && this.chars <= this.maxChars) return;
    for (const old of this.map.keys()) {
      if (this.map.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.map.delete(old);
      this.chars -= old.length;
    }
  }

  clear(): void {
    this.map.clear();
    this.chars = 0;
  }
}
