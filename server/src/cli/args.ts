import { UsageError } from './errors.ts';

/** One option a command accepts. */
export interface OptionSpec {
  /** Long name without dashes, e.g. `max-seq-length`. */
  name: string;
  /** `flag` takes no value; `value` takes one (`--name V` or `--name=V`). */
  kind: 'flag' | 'value';
  /** Repeatable options collect every value; others keep the last one. */
  repeatable?: boolean;
}

export interface ParsedArgs {
  /** Flags map to `true`; value options to their values in order. */
  options: Map<string, true | string[]>;
  positionals: string[];
  help: boolean;
}

/**
 * A small, strict parser: unknown options are errors (a typo must not silently change what a CI
 * gate checks), `--` ends the options, and `-h`/`--help` are always understood.
 */
export function parseArgs(
  command: string,
  argv: readonly string[],
  specs: OptionSpec[],
): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const options = new Map<string, true | string[]>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(`unknown option "${arg}"`, command);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown option "--${name}"`, command);
    if (spec.kind === 'flag') {
      if (eq !== -1) throw new UsageError(`option "--${name}" takes no value`, command);
      options.set(name, true);
      continue;
    }
    let value: string;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`option "--${name}" needs a value`, command);
      }
      value = next;
      i++;
    }
    const previous = options.get(name);
    const values = spec.repeatable && Array.isArray(previous) ? previous : [];
    values.push(value);
    options.set(name, values);
  }
  return { options, positionals, help };
}

/** The last value of a value option, or undefined. */
export function optionValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return Array.isArray(v) ? v[v.length - 1] : undefined;
}

/** Every value of a repeatable option. */
export function optionValues(args: ParsedArgs, name: string): string[] {
  const v = args.options.get(name);
  return Array.isArray(v) ? v : [];
}

export function hasFlag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

/** Parses a whole number within bounds, or explains what was expected. */
export function parseIntegerOption(
  command: string,
  name: string,
  raw: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!/^\d+$/.test(raw.trim())) {
    throw new UsageError(`option "--${name}" needs a whole number, got "${raw}"`, command);
  }
  const n = Number(raw.trim());
  if (n < min || n > max) {
    throw new UsageError(`option "--${name}" must be between ${min} and ${max}, got ${n}`, command);
  }
  return n;
}

/** Parses `--format text|json`. */
export function parseFormat(command: string, args: ParsedArgs): 'text' | 'json' {
  const raw = optionValue(args, 'format') ?? 'text';
  if (raw !== 'text' && raw !== 'json') {
    throw new UsageError(`option "--format" must be "text" or "json", got "${raw}"`, command);
  }
  return raw;
}
