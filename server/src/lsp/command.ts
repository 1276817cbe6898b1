import { runLanguageServer } from './main.ts';

/** What the CLI's `brightrun lsp` needs from its output (a subset of cli/output.ts's Output). */
interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

export const LSP_HELP = `Usage: brightrun lsp --stdio | --node-ipc | --socket=PORT

Starts the BrightRun language server (LSP 3.17) on the given transport: editors run
\`brightrun lsp --stdio\`; the VS Code extension starts it over --node-ipc.
`;

const TRANSPORTS = ['--stdio', '--node-ipc'];

/**
 * `brightrun lsp`: serves LSP until the client says exit (the server ends the process then),
 * so the returned promise settles only for usage errors and help.
 */
export function runLsp(argv: string[], output: CommandOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    output.out(LSP_HELP);
    return Promise.resolve(0);
  }
  const transport = argv.find((a) => TRANSPORTS.includes(a) || a.startsWith('--socket'));
  if (transport === undefined) {
    output.err(`brightrun lsp: name a transport.\n${LSP_HELP}`);
    return Promise.resolve(2);
  }
  runLanguageServer(argv);
  return new Promise<number>(() => undefined);
}
