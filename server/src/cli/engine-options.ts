import type { Severity } from '../../../common/engine/diagnostic.ts';
import {
  DEFAULT_BASE_MODEL,
  DEFAULT_MAX_SEQ_LENGTH,
  type EngineOptions,
} from '../../../common/engine/options.ts';
import { isRuleCode, type SeverityOverrides } from '../../../common/engine/rule-codes.ts';
import {
  hasFlag,
  optionValue,
  optionValues,
  parseIntegerOption,
  type OptionSpec,
  type ParsedArgs,
} from './args.ts';
import { UsageError } from './errors.ts';

/** The options that shape how the engine validates: shared by `validate` and `stats`. */
export const ENGINE_OPTION_SPECS: OptionSpec[] = [
  { name: 'max-seq-length', kind: 'value' },
  { name: 'base-model', kind: 'value' },
  { name: 'no-tokens', kind: 'flag' },
  { name: 'severity', kind: 'value', repeatable: true },
];

const LEVELS: ReadonlySet<string> = new Set<Severity | 'off'>([
  'error',
  'warning',
  'info',
  'hint',
  'off',
]);

/** `--severity BRL027=off` (repeatable; `BRL027=off,BRL041=info` works too). */
export function parseSeverityOverrides(command: string, raws: string[]): SeverityOverrides {
  const overrides: SeverityOverrides = {};
  for (const raw of raws.flatMap((r) => r.split(','))) {
    const m = /^\s*([A-Za-z]+\d+)\s*=\s*([a-z]+)\s*$/.exec(raw);
    if (!m) {
      throw new UsageError(
        `option "--severity" needs CODE=LEVEL (e.g. BRL027=off), got "${raw}"`,
        command,
      );
    }
    const code = m[1].toUpperCase();
    if (!isRuleCode(code)) {
      throw new UsageError(
        `unknown rule code "${m[1]}" in --severity (codes are BRL001…BRL055)`,
        command,
      );
    }
    if (!LEVELS.has(m[2])) {
      throw new UsageError(
        `unknown level "${m[2]}" in --severity ${code}=…; use error, warning, info, hint or off`,
        command,
      );
    }
    overrides[code] = m[2] as Severity | 'off';
  }
  return overrides;
}

export function parseEngineOptions(command: string, args: ParsedArgs): EngineOptions {
  const rawLength = optionValue(args, 'max-seq-length');
  const baseModel = optionValue(args, 'base-model') ?? DEFAULT_BASE_MODEL;
  if (baseModel.trim() === '') {
    throw new UsageError(
      'option "--base-model" needs a model id, e.g. mistralai/Mistral-7B-v0.1',
      command,
    );
  }
  return {
    baseModel: baseModel.trim(),
    maxSeqLength:
      rawLength === undefined
        ? DEFAULT_MAX_SEQ_LENGTH
        : parseIntegerOption(command, 'max-seq-length', rawLength, 1, 10_000_000),
    tokens: !hasFlag(args, 'no-tokens'),
    severityOverrides: parseSeverityOverrides(command, optionValues(args, 'severity')),
  };
}
