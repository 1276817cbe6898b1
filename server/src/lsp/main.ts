import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server.ts';

/**
 * Starts the language server on the transport named on the command line (`--stdio`,
 * `--node-ipc` or `--socket=N`), as `vscode-languageserver` reads it from process.argv.
 */
export function runLanguageServer(): void {
  // stdout is the protocol channel under --stdio: route stray console output to stderr.
  console.log = console.error;
  console.info = console.error;
  startServer(createConnection(ProposedFeatures.all));
}
