import { fingerprintHalves, lastFingerprint } from './fingerprint.ts';
import { FingerprintTable } from './fingerprint-table.ts';

/**
 * A growable map from 64-bit fingerprints to uint32 values (a first line number, a running
 * maximum, a count), for cross-line state that must not hold the strings themselves.
 */
export class FingerprintMap extends FingerprintTable {
  private values: Uint32Array;
  private oldValues: Uint32Array | undefined;
  private zeroValue = 0;

  constructor(initialCapacity = 1024) {
    super(initialCapacity);
    this.values = new Uint32Array(this.mask + 1);
  }

  override get byteLength(): number {
    return super.byteLength + this.values.byteLength;
  }

  get(hi: number, lo: number): number | undefined {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) return this.hasZero ? this.zeroValue : undefined;
    return this.find(hi, lo) ? this.values[this.slot] : undefined;
  }

  set(hi: number, lo: number, value: number): void {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) {
      this.hasZero = true;
      this.zeroValue = value >>> 0;
    } else if (this.find(hi, lo)) {
      this.values[this.slot] = value;
    } else {
      // Store the value first: inserting may grow the table and move the slot.
      this.values[this.slot] = value;
      this.insertAtSlot(hi, lo);
    }
  }

  /**
   * The value already stored for (hi, lo), or undefined after storing `value`: one probe for
   * "first seen on line N" bookkeeping.
   */
  getOrSet(hi: number, lo: number, value: number): number | undefined {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) {
      if (this.hasZero) return this.zeroValue;
      this.set(0, 0, value);
      return undefined;
    }
    if (this.find(hi, lo)) return this.values[this.slot];
    this.values[this.slot] = value;
    this.insertAtSlot(hi, lo);
    return undefined;
  }

  getString(text: string): number | undefined {
    fingerprintHalves(text);
    return this.get(lastFingerprint.hi, lastFingerprint.lo);
  }

  setString(text: string, value: number): void {
    fingerprintHalves(text);
    this.set(lastFingerprint.hi, lastFingerprint.lo, value);
  }

  getOrSetString(text: string, value: number): number | undefined {
    fingerprintHalves(text);
    return this.getOrSet(lastFingerprint.hi, lastFingerprint.lo, value);
  }

  protected override beginRehash(slots: number): void {
    this.oldValues = this.values;
    this.values = new Uint32Array(slots);
  }

  protected override moveValue(from: number, to: number): void {
    this.values[to] = (this.oldValues as Uint32Array)[from];
  }

  protected override endRehash(): void {
    this.oldValues = undefined;
  }

  override clear(): void {
    super.clear();
    this.values.fill(0);
    this.zeroValue = 0;
  }
}
