import { fingerprintHalves, lastFingerprint } from './fingerprint.ts';
import { FingerprintTable } from './fingerprint-table.ts';

/** A growable set of 64-bit fingerprints (see FingerprintTable for the memory figures). */
export class FingerprintSet extends FingerprintTable {
  /** Adds (hi, lo); true when it was not there before. */
  add(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) {
      const added = !this.hasZero;
      this.hasZero = true;
      return added;
    }
    if (this.find(hi, lo)) return false;
    this.insertAtSlot(hi, lo);
    return true;
  }

  has(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) return this.hasZero;
    return this.find(hi, lo);
  }

  /** Adds the fingerprint of `text`; true when it is new. */
  addString(text: string): boolean {
    fingerprintHalves(text);
    return this.add(lastFingerprint.hi, lastFingerprint.lo);
  }

  hasString(text: string): boolean {
    fingerprintHalves(text);
    return this.has(lastFingerprint.hi, lastFingerprint.lo);
  }
}
