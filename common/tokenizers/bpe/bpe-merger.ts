import { MinHeap } from './min-heap.ts';
import type { PairTable } from './pair-table.ts';

/** Ranks are dense (0 = merges first); a pair that never merges gets this. */
const NO_MERGE = 0x7fffffff;
/** 2^32: the position part of a heap key; positions in one chunk stay far below it. */
const POS_SPAN = 4294967296;
/**
 * Up to this many symbols the quadratic scan beats the heap: words are short and a scan over a
 * few ranks in a typed array costs less than heap upkeep. Longer runs (CJK text without spaces,
 * base64, long identifiers) take the heap so the cost stays O(n log n).
 */
const SMALL_CHUNK = 48;

/**
 * Applies BPE merges to a run of symbol ids: repeatedly merge the adjacent pair with the lowest
 * rank, the leftmost one among equal ranks, until no adjacent pair can merge. This is the order
 * the reference SentencePiece-BPE encoders use (their priority is rank, then original position).
 */
export class BpeMerger {
  private ranks = new Int32Array(SMALL_CHUNK);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private readonly heap = new MinHeap();

  /**
   * @param pairs maps an adjacent pair to its dense merge rank.
   * @param mergedId token id produced by the merge of each rank.
   * @param leftId left token id of each rank (validates stale heap entries).
   * @param rightId right token id of each rank.
   */
  constructor(
    private readonly pairs: PairTable,
    private readonly mergedId: Int32Array,
    private readonly leftId: Int32Array,
    private readonly rightId: Int32Array,
  ) {}

  /** Merges `ids[0..n)` in place and returns the number of tokens left. */
  merge(ids: Int32Array, n: number): number {
    if (n < 2) return n;
    return n <= SMALL_CHUNK ? this.mergeSmall(ids, n) : this.mergeLarge(ids, n);
  }

  private rankOf(left: number, right: number): number {
    const r = this.pairs.rank(left, right);
    return r < 0 ? NO_MERGE : r;
  }

  private mergeSmall(ids: Int32Array, n: number): number {
    const ranks = this.ranks;
    for (let i = 0; i < n - 1; i++) ranks[i] = this.rankOf(ids[i], ids[i + 1]);
    while (n > 1) {
      let best = NO_MERGE;
      let at = -1;
      for (let i = 0; i < n - 1; i++) {
        if (ranks[i] < best) {
          best = ranks[i];
          at = i;
        }
      }
      if (at < 0) break;
      ids[at] = this.mergedId[best];
      ids.copyWithin(at + 1, at + 2, n);
      ranks.copyWithin(at, at + 1, n - 1);
      n--;
      if (at > 0) ranks[at - 1] = this.rankOf(ids[at - 1], ids[at]);
      if (at < n - 1) ranks[at] = this.rankOf(ids[at], ids[at + 1]);
    }
    return n;
  }

  /** Doubly linked list over positions plus a heap of (rank, left position) candidates. */
  private mergeLarge(ids: Int32Array, n: number): number {
    if (this.prev.length < n) {
      this.prev = new Int32Array(n * 2);
      this.next = new Int32Array(n * 2);
    }
    const { prev, next, heap, leftId, rightId, mergedId } = this;
    heap.clear();
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
      if (i + 1 < n) {
        const r = this.pairs.rank(ids[i], ids[i + 1]);
        if (r >= 0) heap.push(r * POS_SPAN + i);
      }
    }
    while (heap.size > 0) {
      const key = heap.pop();
      const rank = Math.floor(key / POS_SPAN);
      const pos = key - rank * POS_SPAN;
      const right = next[pos];
      // A stale entry: the pair at `pos` changed since it was queued. The left node of a merge
      // keeps its position and a removed node's id becomes -1, so comparing ids is enough.
      if (right < 0 || ids[pos] !== leftId[rank] || ids[right] !== rightId[rank]) continue;
      ids[pos] = mergedId[rank];
      ids[right] = -1;
      const after = next[right];
      next[pos] = after;
      if (after >= 0) prev[after] = pos;
      const before = prev[pos];
      if (before >= 0) {
        const r = this.pairs.rank(ids[before], ids[pos]);
        if (r >= 0) heap.push(r * POS_SPAN + before);
      }
      if (after >= 0) {
        const r = this.pairs.rank(ids[pos], ids[after]);
        if (r >= 0) heap.push(r * POS_SPAN + pos);
      }
    }
    // Position 0 is never removed (merges keep the left node), so the list starts there.
    let out = 0;
    for (let i = 0; i >= 0; i = next[i]) ids[out++] = ids[i];
    return out;
  }
}
