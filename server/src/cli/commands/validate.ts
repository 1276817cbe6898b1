import type { Diagnostic } from '../../../../common/engine/diagnostic.ts';
import type { EngineOptions } from '../../../../common/engine/options.ts';
import { optionValue, parseArgs, parseFormat, parseIntegerOption } from '../args.ts';
import { checkFile } from '../check-file.ts';
import { DiagnosticCap } from '../diagnostic-cap.ts';
import { ENGINE_OPTION_SPECS, parseEngineOptions } from '../engine-options.ts';
import { FileError, UsageError } from '../errors.ts';
import {
  formatDiagnosticText,
  formatOmitted,
  formatSummary,
  statsToJson,
  toJsonDiagnostic,
} from '../format.ts';
import { VALIDATE_HELP } from '../help.ts';
import type { Output } from '../output.ts';
import { LazyTokenWorkers } from '../token-workers.ts';

const COMMAND = 'validate';
/** VS Code's own cap per file; a longer list helps nobody and costs memory in JSON mode. */
export const DEFAULT_MAX_DIAGNOSTICS = 1000;

interface ValidateSettings {
  format: 'text' | 'json';
  engine: EngineOptions;
  maxDiagnostics: number;
}

export async function runValidate(argv: string[], output: Output): Promise<number> {
  const args = parseArgs(COMMAND, argv, [
    ...ENGINE_OPTION_SPECS,
    { name: 'format', kind: 'value' },
    { name: 'max-diagnostics', kind: 'value' },
  ]);
  if (args.help) {
    output.out(VALIDATE_HELP);
    return 0;
  }
  const rawMax = optionValue(args, 'max-diagnostics');
  const settings: ValidateSettings = {
    format: parseFormat(COMMAND, args),
    engine: parseEngineOptions(COMMAND, args),
    maxDiagnostics:
      rawMax === undefined
        ? DEFAULT_MAX_DIAGNOSTICS
        : parseIntegerOption(COMMAND, 'max-diagnostics', rawMax, 0),
  };
  if (args.positionals.length === 0) {
    throw new UsageError('no FILE given: pass one or more .jsonl files to validate', COMMAND);
  }

  const workers = settings.engine.tokens
    ? new LazyTokenWorkers(settings.engine.baseModel)
    : undefined;
  let exitCode = 0;
  try {
    for (const path of args.positionals) {
      const code = await validateOne(path, settings, output, workers);
      exitCode = Math.max(exitCode, code);
      await output.drain();
      if (output.stdoutClosed) break;
    }
  } finally {
    await workers?.close();
  }
  return exitCode;
}

/** Validates one file and prints its report; returns that file's exit code. */
async function validateOne(
  path: string,
  settings: ValidateSettings,
  output: Output,
  workers: LazyTokenWorkers | undefined,
): Promise<number> {
  const json = settings.format === 'json';
  const cap = new DiagnosticCap(settings.maxDiagnostics, json);
  const onDiagnostic = (d: Diagnostic): void => {
    if (cap.add(d) && !json) output.out(formatDiagnosticText(path, d));
  };
  let result;
  try {
    result = await checkFile(path, {
      engine: settings.engine,
      onDiagnostic,
      tokenWorkers: workers ? () => workers.get() : undefined,
      output,
    });
  } catch (err) {
    if (err instanceof FileError) {
      output.err(`brightrun ${COMMAND}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const { report } = result;
  const counts = cap.total;
  const pairs = report.stats.total_training_pairs;
  const trainingReady = report.trainingReady;
  if (json) {
    const object = {
      file: path,
      shape: report.shape ?? null,
      trainingReady,
      counts: { ...counts, pairs },
      truncated: cap.omittedTotal > 0,
      omitted: cap.omitted,
      diagnostics: cap.sorted().map(toJsonDiagnostic),
      stats: statsToJson(report.stats),
    };
    output.out(JSON.stringify(object) + '\n');
  } else {
    if (cap.omittedTotal > 0) output.out(formatOmitted(path, cap.omitted, cap.omittedTotal));
    output.out(formatSummary({ path, pairs, counts, trainingReady }));
  }
  return counts.error > 0 || !trainingReady ? 1 : 0;
}
