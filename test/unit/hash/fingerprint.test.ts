import assert from 'node:assert/strict';
import { fingerprint } from '../../../common/engine/hash/fingerprint.ts';

describe('fingerprint', function () {
  it('is deterministic and gives 32-bit unsigned halves', function () {
    const a = fingerprint('conversation-123');
    assert.deepEqual(fingerprint('conversation-123'), a);
    for (const half of [a.hi, a.lo])
      assert.ok(Number.isInteger(half) && half >= 0 && half < 2 ** 32);
  });

  it('has no collisions over 200,000 similar strings', function () {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) {
      const { hi, lo } = fingerprint(`4f1c2a9e-0000-4000-8000-${i.toString(16).padStart(12, '0')}`);
      seen.add(`${hi}:${lo}`);
    }
    assert.equal(seen.size, 200_000);
  });

  it('tells apart strings that differ in one high bit, order or length', function () {
    const keys = ['ab', 'ba', 'a', 'a\u0000', '', '\u0100b', '\u8061b', 'é', 'e\u0301'];
    const prints = new Set(keys.map((k) => JSON.stringify(fingerprint(k))));
    assert.equal(prints.size, keys.length);
  });

  it('mixes both halves: each flips about half its bits when one input bit changes', function () {
    let flipped = 0;
    const trials = 2000;
    for (let i = 0; i < trials; i++) {
      const a = fingerprint(`line ${i}`);
      const b = fingerprint(`line ${i ^ 1}`);
      flipped += popcount(a.hi ^ b.hi) + popcount(a.lo ^ b.lo);
    }
    const perBit = flipped / (trials * 64);
    assert.ok(perBit > 0.45 && perBit < 0.55, `flip rate ${perBit}`);
  });
});

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n++;
  return n;
}
