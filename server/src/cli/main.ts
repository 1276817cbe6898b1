import packageJson from '../../../package.json' with { type: 'json' };
import { runConvert } from './commands/convert.ts';
import { runStats } from './commands/stats.ts';
import { runValidate } from './commands/validate.ts';
import { logCommand } from './command-log.ts';
import { FileError, UsageError } from './errors.ts';
import { TOP_HELP } from './help.ts';
import { processOutput, type Output } from './output.ts';

/** A subcommand: gets its own arguments, prints through `output`, returns the exit code. */
type Command = (argv: string[], output: Output) => Promise<number>;

/**
 * The subcommands. `lsp` starts the language server (server/src/lsp/) so editors can run
 * `brightrun lsp --stdio`.
 */
const COMMANDS: Record<string, Command> = {
  validate: runValidate,
  stats: runStats,
  convert: runConvert,
  // Loaded on use: the local stack brings Postgres, the gateway and the GPU cluster along.
  local: async (argv, output) => (await import('../local/command.ts')).runLocal(argv, output),
  // The language server for editors (`brightrun lsp --stdio`); the extension uses --node-ipc.
  lsp: async (argv, output) => (await import('../lsp/command.ts')).runLsp(argv, output),
};

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/**
 * The `brightrun` CLI. Returns the exit code instead of exiting so the caller (bin/brightrun.mjs,
 * or a test) decides when the process ends, after every write has been flushed.
 */
export async function main(argv: string[]): Promise<number> {
  const started = performance.now();
  const output = processOutput();
  let code = EXIT_USAGE;
  try {
    code = await dispatch(argv, output);
    await output.drain();
    return code;
  } catch (err) {
    // Anything that reaches here is a bug: report it in one line, never as a stack trace.
    const message = err instanceof Error ? err.message : String(err);
    output.err(`brightrun: internal error: ${message} (please report this)\n`);
    return EXIT_USAGE;
  } finally {
    // `.brightrun/logs/cli.log` in a workspace that has `.brightrun/`; never throws.
    logCommand(argv, code, performance.now() - started);
  }
}

async function dispatch(argv: string[], output: Output): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    if (name === 'help' && rest[0] && COMMANDS[rest[0]])
      return COMMANDS[rest[0]](['--help'], output);
    output.out(TOP_HELP);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '-v' || name === '--version') {
    output.out(`brightrun ${packageJson.version}\n`);
    return EXIT_OK;
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    const known = Object.keys(COMMANDS).join(', ');
    output.err(`brightrun: unknown command "${name}" (commands: ${known})\n`);
    output.err('Run `brightrun --help` for usage.\n');
    return EXIT_USAGE;
  }
  try {
    return await command(rest, output);
  } catch (err) {
    if (err instanceof UsageError) {
      output.err(`brightrun ${name}: ${err.message}\n`);
      output.err(`Run \`brightrun ${name} --help\` for usage.\n`);
      return EXIT_USAGE;
    }
    if (err instanceof FileError) {
      output.err(`brightrun ${name}: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}
