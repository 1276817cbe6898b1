/**
 * A growable array of uint32 in fixed pages. Growing adds a page and copies nothing, so a
 * million-entry array never leaves the freed copies behind that a doubling array does (the
 * allocator keeps them resident until a major GC, which counted twice the live size in peak
 * memory of a million-line file).
 */
export class PagedUint32Array {
  private readonly pages: Uint32Array[] = [];

  /** Entries every page holds (a power of two). */
  static readonly PAGE = 1 << 12;

  get(index: number): number {
    const page = this.pages[index >>> 12];
    return page === undefined ? 0 : page[index & 0xfff];
  }

  set(index: number, value: number): void {
    const p = index >>> 12;
    while (this.pages.length <= p) this.pages.push(new Uint32Array(PagedUint32Array.PAGE));
    this.pages[p][index & 0xfff] = value;
  }

  get byteLength(): number {
    return this.pages.length * PagedUint32Array.PAGE * 4;
  }
}
