// The language server as its own bundle (dist/server/server.js), started by the extension over
// IPC; `brightrun lsp --stdio` starts the same server from the CLI.
import { runLanguageServer } from './main.ts';

runLanguageServer();
