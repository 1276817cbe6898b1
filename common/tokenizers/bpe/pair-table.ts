/**
 * An open-addressing hash table from a token pair (left id, right id) to a dense merge rank.
 *
 * BPE asks "can these two neighbours merge, and how early?" for every adjacent pair, so this
 * lookup is the encoder's hot path. Triples live interleaved in one Int32Array so that a probe
 * touches one cache line; a JavaScript Map keyed by strings (what the reference encoder uses)
 * costs a string concatenation and a string hash per probe.
 */
export class PairTable {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private size = 0;

  /** `capacity` is the number of pairs to hold; the table keeps its load factor at or below 0.5. */
  constructor(capacity: number) {
    let buckets = 16;
    while (buckets < capacity * 2) buckets *= 2;
    this.mask = buckets - 1;
    this.slots = new Int32Array(buckets * 3).fill(-1);
  }

  get count(): number {
    return this.size;
  }

  /** Records that `left right` merges with `rank`; a pair set twice keeps the last rank. */
  set(left: number, right: number, rank: number): void {
    if (this.size * 2 >= this.mask + 1) throw new Error('PairTable is full');
    let b = hashPair(left, right) & this.mask;
    for (;;) {
      const at = b * 3;
      const l = this.slots[at];
      if (l === -1) {
        this.slots[at] = left;
        this.slots[at + 1] = right;
        this.slots[at + 2] = rank;
        this.size++;
        return;
      }
      if (l === left && this.slots[at + 1] === right) {
        this.slots[at + 2] = rank;
        return;
      }
      b = (b + 1) & this.mask;
    }
  }

  /** The rank of the merge of `left right`, or -1 when the pair never merges. */
  rank(left: number, right: number): number {
    const slots = this.slots;
    let b = hashPair(left, right) & this.mask;
    for (;;) {
      const at = b * 3;
      const l = slots[at];
      if (l === left && slots[at + 1] === right) return slots[at + 2];
      if (l === -1) return -1;
      b = (b + 1) & this.mask;
    }
  }
}

function hashPair(left: number, right: number): number {
  const h = Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca77);
  return (h ^ (h >>> 15)) >>> 0;
}
