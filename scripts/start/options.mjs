// `npm start` options. Everything has a default, so plain `npm start` needs none; the options
// exist for a second copy next to a running one (tests, a developer's other checkout).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const DEFAULT_EDITOR_PORT = 8080;

export const START_HELP = `Usage: npm start [-- options]

Starts BrightRun on this machine: the local stack (Postgres, the functions, storage, the
scheduler and the local GPU cluster) and VS Code in the browser (code-server) with the
extension installed and a workspace holding the example datasets. Prints the URL to open once
everything answers. Ctrl-C stops everything it started.

Options:
  --no-editor        start only the local stack (prints "ready" once it serves)
  --dir DIR          the folder holding .brightrun/ (default: this checkout)
  --port N           the stack's gateway port (default 54321; 0 = any free port)
  --db-port N        the stack's Postgres port (default 54322; 0 = any free port)
  --editor-port N    code-server's port (default ${DEFAULT_EDITOR_PORT}; 0 = any free port)
  -h, --help         this help
`;

function port(value, name) {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) {
    throw new Error(`--${name} must be a port number (0 for any free port)`);
  }
  return number;
}

/** Parses `npm start -- …`; throws an Error with a message for the user. */
export function parseStartOptions(argv, cwd) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'no-editor': { type: 'boolean' },
      dir: { type: 'string' },
      port: { type: 'string' },
      'db-port': { type: 'string' },
      'editor-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return {
    help: values.help === true,
    editor: values['no-editor'] !== true,
    dir: resolve(cwd, values.dir ?? '.'),
    port: port(values.port, 'port'),
    dbPort: port(values['db-port'], 'db-port'),
    editorPort: port(values['editor-port'], 'editor-port') ?? DEFAULT_EDITOR_PORT,
  };
}

/** The arguments for `brightrun local up`. */
export function localUpArgs(options) {
  const args = ['--dir', options.dir];
  if (options.port !== undefined) args.push('--port', String(options.port));
  if (options.dbPort !== undefined) args.push('--db-port', String(options.dbPort));
  return args;
}
