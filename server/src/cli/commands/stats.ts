import { parseArgs, parseFormat } from '../args.ts';
import { checkFile } from '../check-file.ts';
import { ENGINE_OPTION_SPECS, parseEngineOptions } from '../engine-options.ts';
import { UsageError } from '../errors.ts';
import { formatStatsText, statsToJson } from '../format.ts';
import { STATS_HELP } from '../help.ts';
import type { Output } from '../output.ts';
import { LazyTokenWorkers } from '../token-workers.ts';

const COMMAND = 'stats';

/**
 * `brightrun stats FILE`: the statistics of dataset-format.md §4. Diagnostics are not printed
 * (that is `validate`'s job); lines with errors are simply not counted, as everywhere else.
 */
export async function runStats(argv: string[], output: Output): Promise<number> {
  const args = parseArgs(COMMAND, argv, [
    ...ENGINE_OPTION_SPECS.filter((s) => s.name !== 'severity'),
    { name: 'format', kind: 'value' },
  ]);
  if (args.help) {
    output.out(STATS_HELP);
    return 0;
  }
  const format = parseFormat(COMMAND, args);
  const engine = parseEngineOptions(COMMAND, args);
  if (args.positionals.length !== 1) {
    throw new UsageError(
      args.positionals.length === 0
        ? 'no FILE given: pass one .jsonl file'
        : `expected one FILE, got ${args.positionals.length}`,
      COMMAND,
    );
  }
  const path = args.positionals[0];
  const workers = engine.tokens ? new LazyTokenWorkers(engine.baseModel) : undefined;
  try {
    const { report } = await checkFile(path, {
      engine,
      onDiagnostic: () => undefined,
      tokenWorkers: workers ? () => workers.get() : undefined,
      output,
    });
    if (format === 'json') {
      output.out(JSON.stringify({ file: path, ...statsToJson(report.stats) }) + '\n');
    } else {
      output.out(formatStatsText(path, report.stats));
    }
    return 0;
  } finally {
    await workers?.close();
  }
}
