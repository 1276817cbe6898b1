import assert from 'node:assert/strict';
import { optionValue, optionValues, parseArgs } from '../../../server/src/cli/args.ts';
import { parseEngineOptions } from '../../../server/src/cli/engine-options.ts';
import { ENGINE_OPTION_SPECS } from '../../../server/src/cli/engine-options.ts';
import { UsageError } from '../../../server/src/cli/errors.ts';

const specs = [...ENGINE_OPTION_SPECS, { name: 'format', kind: 'value' as const }];

describe('CLI argument parsing', () => {
  it('reads values in both spellings, repeatable options and positionals', () => {
    const args = parseArgs(
      'validate',
      [
        '--format=json',
        'a.jsonl',
        '--severity',
        'BRL027=off',
        '--severity=BRL041=info',
        '--',
        '--odd-name.jsonl',
      ],
      specs,
    );
    assert.equal(optionValue(args, 'format'), 'json');
    assert.deepEqual(optionValues(args, 'severity'), ['BRL027=off', 'BRL041=info']);
    assert.deepEqual(args.positionals, ['a.jsonl', '--odd-name.jsonl']);
  });

  it('builds engine options with overrides', () => {
    const args = parseArgs(
      'validate',
      ['--no-tokens', '--max-seq-length', '4096', '--severity', 'brl027=off,BRL022=error'],
      specs,
    );
    const options = parseEngineOptions('validate', args);
    assert.equal(options.tokens, false);
    assert.equal(options.maxSeqLength, 4096);
    assert.deepEqual(options.severityOverrides, { BRL027: 'off', BRL022: 'error' });
  });

  it('rejects what it does not understand, naming it', () => {
    const cases: [string[], RegExp][] = [
      [['--nope'], /unknown option "--nope"/],
      [['-x'], /unknown option "-x"/],
      [['--format'], /needs a value/],
      [['--no-tokens=yes'], /takes no value/],
      [['--max-seq-length', '0'], /between 1 and/],
      [['--max-seq-length', '2k'], /whole number/],
      [['--severity', 'BRL027'], /CODE=LEVEL/],
      [['--severity', 'BRL123=off'], /unknown rule code/],
    ];
    for (const [argv, message] of cases) {
      assert.throws(
        () => parseEngineOptions('validate', parseArgs('validate', argv, specs)),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
        argv.join(' '),
      );
    }
  });
});
