import assert from 'node:assert/strict';
import { CountCache } from '../../../common/tokenizers/count-cache.ts';

describe('CountCache', function () {
  it('evicts the oldest entries beyond the entry limit', function () {
    const cache = new CountCache({ maxEntries: 3 });
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) cache.set(key, i);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('d'), 3);
  });

  it('keeps the key characters within the character limit', function () {
    const cache = new CountCache({ maxChars: 10 });
    cache.set('12345', 1);
    cache.set('67890', 2);
    cache.set('abc', 3);
    assert.equal(cache.get('12345'), undefined);
    assert.equal(cache.get('67890'), 2);
    assert.equal(cache.get('abc'), 3);
  });

  it('does not store a key larger than the whole budget', function () {
    const cache = new CountCache({ maxChars: 4 });
    cache.set('abc', 1);
    cache.set('too long', 2);
    assert.equal(cache.get('too long'), undefined);
    assert.equal(cache.get('abc'), 1);
  });

  it('keeps evicting oldest first across many evictions', function () {
    const cache = new CountCache({ maxEntries: 100 });
    for (let i = 0; i < 5000; i++) cache.set(`k${i}`, i);
    assert.equal(cache.size, 100);
    assert.equal(cache.get('k4899'), undefined);
    assert.equal(cache.get('k4900'), 4900);
    cache.clear();
    cache.set('x', 1);
    assert.equal(cache.size, 1);
  });
});
