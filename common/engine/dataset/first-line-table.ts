/**
 * A map from 64-bit fingerprints to the first uint32 value stored for them ("first seen on
 * line N"), built to hold millions of entries in about 9 bytes of slot each.
 *
 * Why not a plain table of (hi, lo, value) words: that is 12 bytes per slot, and the cross-line
 * state of a million-line file has to fit in a few megabytes. Two facts make 9 bytes enough
 * while comparing nearly all of the 64 bits:
 *
 * - Quotienting. An entry lives near `home = lo mod capacity`, so the slot position already
 *   tells `lo mod capacity`; only `floor(lo / capacity)` is stored. The probe distance kept per
 *   slot recovers the home exactly, so a lookup compares all 64 bits: `lo` through home and
 *   quotient, the 6 bits of `hi` that pick the shard, and the other 26 stored. The value takes
 *   the freed bits; it may exceed the capacity fourfold, as line numbers do in a file with few
 *   keys. A false match among n keys has odds of about n²/2^65 (3 in 100 million at a million).
 * - Robin Hood probing keeps probe distances short at a load of 0.95 (the longest seen with
 *   2.2 million entries is 54, so 6 bits hold it; a longer one grows the shard) and lets a miss
 *   stop early. The two words of a slot sit side by side: one cache miss per probe, not two.
 *
 * The table is split into 64 shards that grow one at a time by a fifth, so growing never holds
 * two copies of the whole table (a doubling table would briefly need 3× its size) and the load
 * stays between 0.79 and 0.95.
 *
 * Layout of an occupied slot `s` in a shard of capacity C, with k = floor(log2 C):
 *   meta[s]        = floor(value / 2^(k+6)) · 64 + probe distance + 1 (0 marks an empty slot)
 *   words[2s]      = (hi & 0x3ffffff) · 64 + (floor(value / 2^k) mod 64)
 *   words[2s + 1]  = floor(lo / C) · 2^k + (value mod 2^k)
 * A value must be below 2^(k+8); a larger one grows its shard first.
 */
export class FirstLineTable {
  private readonly shards: Shard[] = [];

  constructor() {
    for (let i = 0; i < SHARD_COUNT; i++) this.shards.push(new Shard(MIN_CAPACITY));
  }

  /**
   * The value stored for (hi, lo), or -1 after storing `value` (a uint32 below 2^32 − 1) for
   * it: one probe answers "was this seen before, and where first?".
   */
  getOrSet(hi: number, lo: number, value: number): number {
    return this.shards[hi >>> 26].getOrSet(hi & HIGH_MASK, lo >>> 0, value);
  }

  /** The value stored for (hi, lo), or -1. */
  get(hi: number, lo: number): number {
    return this.shards[hi >>> 26].get(hi & HIGH_MASK, lo >>> 0);
  }

  /**
   * Makes room for `entries` entries in all (their values below `maxValue`) at once. Sizing
   * up front avoids the copies of step-by-step growth, and the freed arrays that the allocator
   * may keep as resident memory after it.
   */
  reserve(entries: number, maxValue = entries): void {
    const perShard = Math.ceil((entries / SHARD_COUNT) * RESERVE_SLACK);
    for (const shard of this.shards) shard.reserve(Math.ceil(perShard / MAX_LOAD), maxValue);
  }

  /** Entries held. */
  get size(): number {
    let n = 0;
    for (const shard of this.shards) n += shard.count + shard.overflowed;
    return n;
  }

  /** Bytes held by the typed arrays. */
  get byteLength(): number {
    let n = 0;
    for (const shard of this.shards) n += shard.byteLength;
    return n;
  }
}

const SHARD_COUNT = 64;
const HIGH_MASK = 0x3ffffff;
const MIN_CAPACITY = 64;
const MAX_LOAD = 0.95;
const GROWTH = 1.2;
/** Largest stored distance (probe distance + 1): six bits of `meta`. */
const MAX_DIST = 63;
/** Below this load a long probe run comes from colliding keys, not from a full shard. */
const SPARSE_LOAD = 0.5;
/** Shards fill unevenly; a little room above the average keeps them from growing again. */
const RESERVE_SLACK = 1.02;

/** One open-addressing table; see FirstLineTable for the layout. */
class Shard {
  count = 0;
  private capacity: number;
  /** k = floor(log2 capacity), and 2^k: the low bits of the second word that hold value bits. */
  private k: number;
  private pow: number;
  private meta: Uint8Array;
  private words: Uint32Array;
  /** Where the last `find` stopped and with which distance (for the insert after a miss). */
  private slot = 0;
  private dist = 0;
  /** Entries that found no slot within MAX_DIST of their home (see insertFrom). */
  private overflow: Map<string, number> | undefined;
  overflowed = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.k = Math.floor(Math.log2(capacity));
    this.pow = 2 ** this.k;
    this.meta = new Uint8Array(capacity);
    this.words = new Uint32Array(capacity * 2);
  }

  get byteLength(): number {
    return this.meta.byteLength + this.words.byteLength;
  }

  get(high: number, lo: number): number {
    if (this.find(high, lo)) return this.valueAt(this.slot);
    return this.overflow?.get(overflowKey(high, lo)) ?? -1;
  }

  reserve(capacity: number, maxValue: number): void {
    if (capacity > this.capacity) this.grow(maxValue, undefined, capacity);
  }

  getOrSet(high: number, lo: number, value: number): number {
    if (this.find(high, lo)) return this.valueAt(this.slot);
    const spilled = this.overflow?.get(overflowKey(high, lo));
    if (spilled !== undefined) return spilled;
    if (value >= this.pow * 256 || this.count + 1 > this.capacity * MAX_LOAD) {
      this.grow(value);
      this.find(high, lo);
    }
    this.insertFrom(high, lo, value);
    return -1;
  }

  /** True when found at `slot`; otherwise `slot`/`dist` are where a Robin Hood insert starts. */
  private find(high: number, lo: number): boolean {
    const { meta, words, capacity, k } = this;
    // Not `lo % capacity`: a uint32 above 2^31 is a double to V8, whose `%` is a call to fmod
    // (four times slower here). The division is exact: the quotient is far below 2^53.
    const quotient = Math.floor(lo / capacity);
    const home = lo - quotient * capacity;
    let s = home;
    let d = 1;
    for (;;) {
      const sd = meta[s] & 63;
      // Robin Hood invariant: an entry further from its home than we are from ours would
      // have been placed before this one, so a shorter distance here means "absent".
      if (sd < d) break;
      if (sd === d && words[2 * s] >>> 6 === high && words[2 * s + 1] >>> k === quotient) {
        this.slot = s;
        return true;
      }
      s = s + 1 === capacity ? 0 : s + 1;
      d++;
    }
    this.slot = s;
    this.dist = d;
    return false;
  }

  private valueAt(s: number): number {
    const { pow } = this;
    return (
      (this.meta[s] >>> 6) * pow * 64 +
      (this.words[2 * s] & 63) * pow +
      (this.words[2 * s + 1] & (pow - 1))
    );
  }

  /** Robin Hood insert of a new entry starting at `slot` with distance `dist`. */
  private insertFrom(high: number, lo: number, value: number): void {
    const { meta, words, capacity, pow } = this;
    let s = this.slot;
    let d = this.dist;
    let top = Math.floor(value / (pow * 64)) * 64;
    let w0 = high * 64 + (Math.floor(value / pow) & 63);
    let w1 = Math.floor(lo / capacity) * pow + (value % pow);
    for (;;) {
      if (d > MAX_DIST) {
        // Rare at a load of 0.95: growing shortens every run. The entry in hand (the new one
        // or one it displaced) is carried into the grown shard. In a shard that is mostly
        // empty, growing would not help: only keys that agree on `lo` (crafted collisions)
        // make such a run, so the entry goes to a small overflow map instead.
        const home = (s - (d - 1) + capacity * 2) % capacity;
        const carried = this.decode(top, w0, w1, home);
        if (this.count < capacity * SPARSE_LOAD) {
          this.overflow ??= new Map();
          this.overflow.set(overflowKey(carried[0], carried[1]), carried[2]);
          this.overflowed++;
          return;
        }
        this.count++;
        this.grow(0, carried);
        return;
      }
      const m = meta[s];
      const sd = m & 63;
      if (sd === 0) {
        meta[s] = top + d;
        words[2 * s] = w0;
        words[2 * s + 1] = w1;
        this.count++;
        return;
      }
      if (sd < d) {
        // Take the slot from the entry that is closer to its home, and carry that one on.
        const t0 = words[2 * s];
        const t1 = words[2 * s + 1];
        meta[s] = top + d;
        words[2 * s] = w0;
        words[2 * s + 1] = w1;
        top = m - sd;
        w0 = t0;
        w1 = t1;
        d = sd;
      }
      s = s + 1 === capacity ? 0 : s + 1;
      d++;
    }
  }

  /** Recovers the 26 stored bits of hi, all of lo and the value of a slot's contents. */
  private decode(top: number, w0: number, w1: number, home: number): [number, number, number] {
    const { pow } = this;
    const lo = (w1 >>> this.k) * this.capacity + home;
    const value = (top >>> 6) * pow * 64 + (w0 & 63) * pow + (w1 & (pow - 1));
    return [w0 >>> 6, lo, value];
  }

  /**
   * Rebuilds the shard a fifth larger (or larger still, until `minValue` fits), re-inserting
   * every entry and an optional one carried out of an interrupted insert.
   */
  private grow(minValue: number, carried?: [number, number, number], minCapacity = 0): void {
    const oldMeta = this.meta;
    const oldWords = this.words;
    const oldCapacity = this.capacity;
    let capacity = Math.max(minCapacity, Math.ceil(oldCapacity * GROWTH));
    while (minValue >= 2 ** Math.floor(Math.log2(capacity)) * 256) capacity *= 2;
    const old = { capacity: oldCapacity, k: this.k, pow: this.pow };
    this.capacity = capacity;
    this.k = Math.floor(Math.log2(capacity));
    this.pow = 2 ** this.k;
    this.meta = new Uint8Array(capacity);
    this.words = new Uint32Array(capacity * 2);
    const total = this.count;
    const overflowedBefore = this.overflowed;
    this.count = 0;
    for (let s = 0; s < oldCapacity; s++) {
      const m = oldMeta[s];
      const sd = m & 63;
      if (sd === 0) continue;
      const home = (s - (sd - 1) + oldCapacity) % oldCapacity;
      const w0 = oldWords[2 * s];
      const w1 = oldWords[2 * s + 1];
      const lo = (w1 >>> old.k) * oldCapacity + home;
      const value = (m >>> 6) * old.pow * 64 + (w0 & 63) * old.pow + (w1 & (old.pow - 1));
      this.reinsert(w0 >>> 6, lo, value);
    }
    if (carried !== undefined) this.reinsert(carried[0], carried[1], carried[2]);
    if (this.count + this.overflowed - overflowedBefore !== total)
      throw new Error('FirstLineTable: entry lost while growing');
  }

  private reinsert(high: number, lo: number, value: number): void {
    if (this.find(high, lo)) throw new Error('FirstLineTable: duplicate entry while growing');
    this.insertFrom(high, lo, value);
  }
}

function overflowKey(high: number, lo: number): string {
  return `${high}:${lo}`;
}
