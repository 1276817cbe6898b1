import type { Fingerprint } from '../hash/fingerprint.ts';
import type { FirstLineTable } from './first-line-table.ts';
import { conversationTurnKey, keyFingerprint } from './key-fingerprints.ts';
import { PagedUint32Array } from './paged-uint32.ts';

/**
 * Per-conversation state for BRL035 and BRL036 in 12 bytes per conversation (plus its entry in
 * the shared FirstLineTable), instead of one table entry per (conversation, turn) line.
 *
 * Real v4 files write a conversation's pairs on consecutive lines with increasing turns. While a
 * conversation keeps to that ("regular"), its turns are bits of a mask and the line of turn t is
 * the first line plus the number of earlier turns, so duplicates and their first line need no
 * per-line storage. The first line that breaks the pattern (a gap, a turn out of order, a turn
 * above 31) freezes the mask; that turn and later ones go to the shared table as
 * (conversation, turn) keys, which costs what a per-line table would, only for those lines.
 */
export class ConversationTracker {
  private readonly firstLines = new PagedUint32Array();
  /** Bit t: turn t was seen on the regular run; bit 0: the run is frozen. */
  private readonly turnMasks = new PagedUint32Array();
  /**
   * 31 bits of the fingerprint of the first conversation context seen (BRL035), with the low
   * bit set so that 0 means "none yet". A collision only hides a BRL035 (odds 2^-31 per line).
   */
  private readonly contextHashes = new PagedUint32Array();
  private count = 0;

  constructor(private readonly table: FirstLineTable) {}

  /** The record of the conversation whose (kind-mixed) fingerprint is `conversation`. */
  visit(conversation: Fingerprint, line: number): number {
    const existing = this.table.getOrSet(conversation.hi, conversation.lo, this.count);
    if (existing >= 0) return existing;
    const record = this.count++;
    this.firstLines.set(record, line);
    this.turnMasks.set(record, 0);
    this.contextHashes.set(record, 0);
    return record;
  }

  /** First line of the conversation. */
  firstLine(record: number): number {
    return this.firstLines.get(record);
  }

  /**
   * Notes turn `turn` (an integer in [0, 2^32)) of `record` on `line`; returns the line where
   * the same turn appeared first, or -1 when it is new.
   */
  noteTurn(record: number, conversation: Fingerprint, turn: number, line: number): number {
    const mask = this.turnMasks.get(record);
    const first = this.firstLines.get(record);
    const inMask = turn >= 1 && turn <= 31 && (mask & (1 << turn)) !== 0;
    if (inMask) return first + popcount(mask & (((1 << turn) >>> 0) - 2));
    const seen = popcount(mask & ~1);
    const regular =
      (mask & 1) === 0 && turn >= 1 && turn <= 31 && line === first + seen && mask >>> turn === 0;
    if (regular) {
      this.turnMasks.set(record, (mask | (1 << turn)) >>> 0);
      return -1;
    }
    this.turnMasks.set(record, (mask | 1) >>> 0);
    conversationTurnKey(conversation, turn);
    return this.table.getOrSet(keyFingerprint.hi, keyFingerprint.lo, line);
  }

  /**
   * Notes the conversation context hash of `record`; true when it differs from the first one
   * seen in the conversation. The first context seen becomes the reference, so a conversation
   * whose first line lacks a system prompt is still checked.
   */
  contextDiffers(record: number, contextHash: number): boolean {
    const hash = (contextHash | 1) >>> 0;
    const first = this.contextHashes.get(record);
    if (first === 0) {
      this.contextHashes.set(record, hash);
      return false;
    }
    return first !== hash;
  }

  /** Conversations seen. */
  get size(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.firstLines.byteLength + this.turnMasks.byteLength + this.contextHashes.byteLength;
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
