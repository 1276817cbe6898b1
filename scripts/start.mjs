// `npm start` (after `prestart`, scripts/ensure-deps.mjs, installed what was missing: Debian
// packages, npm packages, code-server). In order:
//   1. checks that the editor's port (8080) is free, before starting anything;
//   2. builds the bundles and packages the extension (dist/brightrun.vsix) when sources changed;
//   3. prepares the editor's workspace, `.brightrun/workspace/`, with the example datasets;
//   4. starts the local stack (`brightrun local up`, data and logs in `.brightrun/`) and
//      code-server (the extension installed, settings pointing it at the stack) side by side;
//   5. prints one line with the URL once both answer.
// Ctrl-C (or SIGTERM/SIGHUP) stops everything it started; then it exits.
//
// `npm start -- --no-editor` runs only the local stack in the foreground (it prints `ready`).
// `npm start -- --help` lists the options (another folder, other ports).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBundles, ensureVsix } from './start/build.mjs';
import { launchEditor } from './start/editor.mjs';
import { localUpArgs, parseStartOptions, START_HELP } from './start/options.mjs';
import { exitOf, portFree, spawnUntilReady, withTimeout } from './start/processes.mjs';
import { prepareWorkspace } from './start/workspace.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'brightrun.mjs');
const started = performance.now();
const say = (message) => console.error(`brightrun: ${message}`);

function fail(message) {
  say(message);
  process.exit(1);
}

let options;
try {
  options = parseStartOptions(process.argv.slice(2), process.cwd());
} catch (error) {
  fail(`${error.message}\n\n${START_HELP}`);
}
if (options.help) {
  console.log(START_HELP);
  process.exit(0);
}

const upCommand = ['--max-semi-space-size=1', bin, 'local', 'up', ...localUpArgs(options)];

if (!options.editor) {
  stackOnly();
} else {
  await withEditor();
}

/**
 * The stack in the foreground, printing straight to the terminal. It runs in our process group,
 * so a terminal's Ctrl-C reaches it directly; a signal sent only to us is passed on as SIGTERM,
 * which the stack treats like Ctrl-C (one Ctrl-C reaches it twice, as SIGINT and as SIGTERM, in
 * either order; it counts once).
 */
function stackOnly() {
  try {
    ensureBundles(root, say);
  } catch (error) {
    fail(error.message);
  }
  const child = spawn(process.execPath, upCommand, { cwd: options.dir, stdio: 'inherit' });
  let forwarded = false;
  const forward = () => {
    if (forwarded) return;
    forwarded = true;
    child.kill('SIGTERM');
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function withEditor() {
  const { editorPort } = options;
  if (editorPort !== 0 && !(await portFree(editorPort))) {
    fail(
      `port ${editorPort} on 127.0.0.1 is in use (another \`npm start\` or code-server?). ` +
        `Stop whatever listens there (\`ss -ltnp 'sport = :${editorPort}'\` shows it), or use ` +
        `another port: npm start -- --editor-port ${editorPort + 1}`,
    );
  }
  let vsix;
  try {
    vsix = ensureVsix(root, say);
  } catch (error) {
    fail(error.message);
  }
  const folder = prepareWorkspace(root, options.dir);

  say('starting the local stack and VS Code (code-server)');
  const stack = spawnUntilReady(
    process.execPath,
    upCommand,
    { cwd: options.dir },
    {
      what: 'the local stack',
      timeoutMs: 180_000,
      isReady: (line) => line === 'ready',
      // Its progress lines; the rest (addresses, keys' location) is in .brightrun/local.json.
      onLine: (line) => {
        if (!line.startsWith('brightrun local:')) return false;
        console.error(line);
        return true;
      },
    },
  );
  let editor;

  let stopping;
  const stopAll = (reason, code) => {
    stopping ??= (async () => {
      if (reason) say(reason);
      const editorStopped = editor?.stop();
      if (stack.child.exitCode === null && stack.child.signalCode === null) {
        stack.child.kill('SIGTERM');
        try {
          await withTimeout(stack.exited, 90_000, 'the local stack did not stop');
        } catch {
          say('the local stack did not stop within 90 s; killing it');
          stack.child.kill('SIGKILL');
          await stack.exited;
        }
      }
      await editorStopped;
      say('stopped');
      process.exit(code);
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => void stopAll(`stopping (${signal})`, 0));
  }

  try {
    editor = launchEditor({ dir: options.dir, folder, port: editorPort, vsix, log: say });
    const [{ url }] = await Promise.all([editor.ready, stack.ready]);
    if (stopping) return;
    void stack.exited.then((how) => stopAll(`the local stack stopped (${how}); stopping`, 1));
    void exitOf(editor.child).then((how) => stopAll(`code-server stopped (${how}); stopping`, 1));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`BrightRun is ready in ${seconds} s: open ${url} (Ctrl-C stops everything)`);
  } catch (error) {
    if (stopping) return;
    await stopAll(
      `could not start: ${error.message}\nlogs: ${join(options.dir, '.brightrun', 'logs')}`,
      1,
    );
  }
}
