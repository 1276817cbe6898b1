import assert from 'node:assert/strict';
import { FirstLineTable } from '../../../common/engine/dataset/first-line-table.ts';

/** Deterministic pseudo-random 32-bit words (xorshift), so failures reproduce. */
function words(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

describe('FirstLineTable', () => {
  it('stores the first value and returns it for later lookups', () => {
    const table = new FirstLineTable();
    assert.equal(table.getOrSet(0x12345678, 0x9abcdef0, 7), -1);
    assert.equal(table.getOrSet(0x12345678, 0x9abcdef0, 9), 7);
    assert.equal(table.get(0x12345678, 0x9abcdef0), 7);
    assert.equal(table.size, 1);
  });

  it('tells apart fingerprints that differ in one bit of either half', () => {
    const table = new FirstLineTable();
    table.getOrSet(0x80000000, 0, 1);
    assert.equal(table.get(0x80000001, 0), -1);
    assert.equal(table.get(0x80000000, 1), -1);
    assert.equal(table.get(0, 0), -1);
    assert.equal(table.getOrSet(0, 0, 2), -1, 'the all-zero fingerprint is an ordinary key');
    assert.equal(table.get(0, 0), 2);
  });

  it('keeps every entry and value across many growths', () => {
    const table = new FirstLineTable();
    const next = words(42);
    const keys: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const hi = next();
      const lo = next();
      keys.push(hi, lo);
      assert.equal(table.getOrSet(hi, lo, i), -1);
    }
    assert.equal(table.size, 200_000);
    for (let i = 0; i < 200_000; i++) {
      assert.equal(table.get(keys[2 * i], keys[2 * i + 1]), i);
    }
    // Absent keys stay absent.
    const other = words(7);
    for (let i = 0; i < 10_000; i++) assert.equal(table.get(other(), other()), -1);
  });

  it('keeps lo values that share their low bits (the part the slot position stands for)', () => {
    const table = new FirstLineTable();
    // The same home in every shard size: only floor(lo / capacity) tells these apart.
    for (let i = 0; i < 5_000; i++) table.getOrSet(0x04000000, i * 0x10000, i);
    for (let i = 0; i < 5_000; i++) assert.equal(table.get(0x04000000, i * 0x10000), i);
  });

  it('stores values far larger than the table (a few keys on a long file)', () => {
    const table = new FirstLineTable();
    assert.equal(table.getOrSet(1, 2, 50_000_000), -1);
    assert.equal(table.getOrSet(3, 4, 12_345_678), -1);
    assert.equal(table.get(1, 2), 50_000_000);
    assert.equal(table.get(3, 4), 12_345_678);
    // The shard grows until the value fits in its bits: about 2.3 bytes per line of such a file.
    assert.ok(table.byteLength < 50_000_000 / 4, `${table.byteLength} bytes`);
  });

  it('holds under 11 bytes per entry when reserved, and reserving keeps the entries', () => {
    const table = new FirstLineTable();
    table.getOrSet(5, 6, 1);
    table.reserve(100_000);
    assert.equal(table.get(5, 6), 1);
    const next = words(3);
    for (let i = 0; i < 99_999; i++) table.getOrSet(next(), next(), i);
    assert.ok(table.byteLength / table.size < 11, `${table.byteLength / table.size} B/entry`);
  });

  it('keeps keys that all share one home (crafted collisions) without growing without end', () => {
    const table = new FirstLineTable();
    // Same shard (top 6 bits of hi) and same lo: every shard size gives them the same home.
    for (let i = 0; i < 300; i++) assert.equal(table.getOrSet(i, 0xdeadbeef, i), -1);
    for (let i = 0; i < 300; i++) assert.equal(table.get(i, 0xdeadbeef), i);
    assert.equal(table.size, 300);
    assert.ok(table.byteLength < 100_000, `${table.byteLength} bytes`);
  });
});
