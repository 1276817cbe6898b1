import assert from 'node:assert/strict';
import { editDistance, nearestValue } from '../../../common/engine/fixes/nearest-value.ts';
import { CHAT_ROLES, V4_HISTORY_ROLES, VALENCES } from '../../../common/engine/vocabulary.ts';

describe('nearestValue', () => {
  it('finds the value meant by a case or a typo', () => {
    assert.equal(nearestValue('Assistant', V4_HISTORY_ROLES), 'assistant');
    assert.equal(nearestValue('assistent', V4_HISTORY_ROLES), 'assistant');
    assert.equal(nearestValue('asisstant', CHAT_ROLES), 'assistant');
    assert.equal(nearestValue('usr', CHAT_ROLES), 'user');
    assert.equal(nearestValue(' USER ', CHAT_ROLES), 'user');
    assert.equal(nearestValue('postive', VALENCES), 'positive');
  });

  it('gives no guess for another word or a tie', () => {
    assert.equal(nearestValue('narrator', V4_HISTORY_ROLES), undefined);
    assert.equal(nearestValue('', CHAT_ROLES), undefined);
    assert.equal(nearestValue('ab', ['ax', 'ay']), undefined);
  });

  it('counts a swap of adjacent letters as one edit', () => {
    assert.equal(editDistance('assistnat', 'assistant'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('same', 'same'), 0);
  });
});
