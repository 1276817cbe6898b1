/**
 * Open addressing over 64-bit fingerprints in typed arrays: the shared core of FingerprintSet and
 * FingerprintMap. Fingerprints are already uniformly random, so the low bits of `lo` pick the
 * slot directly. (0, 0) marks an empty slot; the rare real (0, 0) fingerprint is kept in a flag.
 *
 * Memory: 8 bytes per slot (12 with a value), the load kept between 0.375 and 0.75 by doubling,
 * so about 11–21 bytes per entry for a set and 16–32 for a map; no per-entry objects.
 */
export class FingerprintTable {
  protected his: Uint32Array;
  protected los: Uint32Array;
  protected mask: number;
  protected count = 0;
  protected hasZero = false;
  /** Slot of the last `find` that hit, or the empty slot where the key would go. */
  protected slot = 0;

  constructor(initialCapacity = 1024) {
    let slots = 16;
    while (slots * 0.75 < initialCapacity) slots *= 2;
    this.his = new Uint32Array(slots);
    this.los = new Uint32Array(slots);
    this.mask = slots - 1;
  }

  /** Entries held. */
  get size(): number {
    return this.count + (this.hasZero ? 1 : 0);
  }

  /** Bytes held by the typed arrays. */
  get byteLength(): number {
    return this.his.byteLength + this.los.byteLength;
  }

  /** Finds (hi, lo), given as uint32 and not both zero; sets `slot`; true when present. */
  protected find(hi: number, lo: number): boolean {
    const { his, los, mask } = this;
    let s = lo & mask;
    for (;;) {
      const h = his[s];
      const l = los[s];
      if (h === hi && l === lo) {
        this.slot = s;
        return true;
      }
      if (h === 0 && l === 0) {
        this.slot = s;
        return false;
      }
      s = (s + 1) & mask;
    }
  }

  /** Stores (hi, lo) at `slot` (just returned empty by `find`); may grow and move slots. */
  protected insertAtSlot(hi: number, lo: number): void {
    this.his[this.slot] = hi;
    this.los[this.slot] = lo;
    this.count++;
    if (this.count > (this.mask + 1) * 0.75) this.grow();
  }

  private grow(): void {
    const oldHis = this.his;
    const oldLos = this.los;
    const slots = (this.mask + 1) * 2;
    this.his = new Uint32Array(slots);
    this.los = new Uint32Array(slots);
    this.mask = slots - 1;
    this.beginRehash(slots);
    for (let i = 0; i < oldHis.length; i++) {
      const h = oldHis[i];
      const l = oldLos[i];
      if (h === 0 && l === 0) continue;
      let s = l & this.mask;
      while (this.his[s] !== 0 || this.los[s] !== 0) s = (s + 1) & this.mask;
      this.his[s] = h;
      this.los[s] = l;
      this.moveValue(i, s);
    }
    this.endRehash();
  }

  /** Hooks for a subclass that keeps a value per slot. */
  protected beginRehash(_slots: number): void {}
  protected moveValue(_from: number, _to: number): void {}
  protected endRehash(): void {}

  clear(): void {
    this.his.fill(0);
    this.los.fill(0);
    this.count = 0;
    this.hasZero = false;
  }
}
