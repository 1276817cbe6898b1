import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createTap, startServer } from './server.ts';
import { createTransport } from './transport.ts';

/**
 * Starts the language server on the transport named on the command line (`--stdio`,
 * `--node-ipc` or `--socket=N`). `BRIGHTRUN_LSP_TIMING=1` turns on the timing notification
 * the benchmark reads (see common/protocol/lsp.ts).
 */
export function runLanguageServer(argv: readonly string[] = process.argv.slice(2)): void {
  // stdout is the protocol channel under --stdio: route stray console output to stderr.
  console.log = console.error;
  console.info = console.error;
  const tap = createTap(process.env.BRIGHTRUN_LSP_TIMING === '1');
  const transport = createTransport(argv, (m) => tap.see(m), tap.timing);
  if (transport === undefined) {
    startServer(createConnection(ProposedFeatures.all), tap);
    return;
  }
  const connection = createConnection(ProposedFeatures.all, transport.reader, transport.writer);
  // Without the client there is nothing left to serve (vscode-languageserver does the same
  // for the streams it opens itself).
  transport.onInputClosed(() => process.exit(0));
  startServer(connection, tap);
}
