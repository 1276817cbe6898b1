import assert from 'node:assert/strict';
import { fingerprint } from '../../../common/engine/hash/fingerprint.ts';
import { FingerprintMap } from '../../../common/engine/hash/fingerprint-map.ts';
import { FingerprintSet } from '../../../common/engine/hash/fingerprint-set.ts';

describe('FingerprintSet', function () {
  it('reports whether an add is new, through many growths', function () {
    const set = new FingerprintSet(4);
    for (let i = 0; i < 50_000; i++) assert.equal(set.addString(`id-${i}`), true);
    for (let i = 0; i < 50_000; i += 7) assert.equal(set.addString(`id-${i}`), false);
    assert.equal(set.size, 50_000);
    assert.equal(set.hasString('id-49999'), true);
    assert.equal(set.hasString('id-50000'), false);
  });

  it('stays compact: under 22 bytes per entry', function () {
    const set = new FingerprintSet();
    for (let i = 0; i < 100_000; i++) set.addString(String(i));
    assert.ok(set.byteLength / set.size < 22, `${set.byteLength / set.size} bytes per entry`);
  });

  it('keeps the (0, 0) fingerprint, which marks empty slots internally', function () {
    const set = new FingerprintSet();
    assert.equal(set.has(0, 0), false);
    assert.equal(set.add(0, 0), true);
    assert.equal(set.add(0, 0), false);
    assert.equal(set.has(0, 0), true);
    assert.equal(set.size, 1);
    assert.equal(set.add(0, 1), true);
    assert.equal(set.size, 2);
  });

  it('treats negative int32 halves as their uint32 values', function () {
    const set = new FingerprintSet();
    set.add(-1, -2);
    assert.equal(set.has(0xffffffff, 0xfffffffe), true);
  });

  it('clears', function () {
    const set = new FingerprintSet();
    set.addString('x');
    set.add(0, 0);
    set.clear();
    assert.equal(set.size, 0);
    assert.equal(set.hasString('x'), false);
    assert.equal(set.has(0, 0), false);
  });
});

describe('FingerprintMap', function () {
  it('stores uint32 values and keeps them across growth', function () {
    const map = new FingerprintMap(2);
    for (let i = 0; i < 30_000; i++) map.setString(`conv-${i}`, i * 3);
    for (let i = 0; i < 30_000; i++) assert.equal(map.getString(`conv-${i}`), i * 3);
    assert.equal(map.getString('conv-x'), undefined);
    assert.equal(map.size, 30_000);
  });

  it('getOrSet returns the first value and keeps it', function () {
    const map = new FingerprintMap();
    assert.equal(map.getOrSetString('id-1', 10), undefined);
    assert.equal(map.getOrSetString('id-1', 20), 10);
    assert.equal(map.getString('id-1'), 10);
    assert.equal(map.getOrSet(0, 0, 5), undefined);
    assert.equal(map.getOrSet(0, 0, 6), 5);
  });

  it('overwrites with set and works with explicit fingerprints', function () {
    const map = new FingerprintMap();
    const { hi, lo } = fingerprint('abc');
    map.set(hi, lo, 1);
    map.set(hi, lo, 0xffffffff);
    assert.equal(map.get(hi, lo), 0xffffffff);
    assert.equal(map.size, 1);
  });
});
