// Deno unit tests of _shared/env.ts: numeric settings fall back on a typo and stay in range,
// so a mistyped secret such as BRIGHTRUN_DB_POOL_MAX=four cannot size a pool as NaN.
import assert from 'node:assert/strict';
import { numberSetting } from '../env.ts';

const NAME = 'BRIGHTRUN_TEST_NUMBER_SETTING';

function withValue(value: string | undefined, fn: () => void): void {
  if (value === undefined) Deno.env.delete(NAME);
  else Deno.env.set(NAME, value);
  try {
    fn();
  } finally {
    Deno.env.delete(NAME);
  }
}

Deno.test('numberSetting: unset, blank or not a number gives the fallback', () => {
  for (const value of [undefined, '', '  ', 'four', 'NaN', 'Infinity']) {
    withValue(value, () => assert.equal(numberSetting(NAME, 4, 1, 100), 4, String(value)));
  }
});

Deno.test('numberSetting: a number is used, clamped to [min, max]', () => {
  withValue(' 12 ', () => assert.equal(numberSetting(NAME, 4, 1, 100), 12));
  withValue('0', () => assert.equal(numberSetting(NAME, 4, 1, 100), 1));
  withValue('1000', () => assert.equal(numberSetting(NAME, 4, 1, 100), 100));
});
