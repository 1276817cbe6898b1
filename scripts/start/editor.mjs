// VS Code in the browser for `npm start`: code-server (installed by ensure-code-server.mjs)
// with its own profile and extensions under `<dir>/.brightrun/code-server/`, the packaged
// extension installed there, listening on 127.0.0.1 without a password (it is not reachable
// from other machines). It runs in a process group of its own so that stopping it also ends
// the extension hosts and language servers it starts, which outlive the main process.
import { spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ensureCodeServer } from '../ensure-code-server.mjs';
import { httpStatus, killGroup, spawnUntilReady, withTimeout } from './processes.mjs';

/**
 * A quiet window: no telemetry, update checks or trust prompts for a local sandbox. No startup
 * editor: VS Code Web's would be its own "Setup VS Code Web" walkthrough; BrightRun opens its
 * Getting Started walkthrough on its first activation instead (client/src/walkthrough.ts).
 */
const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
};

/**
 * Writes USER_SETTINGS into the profile's settings, keeping every value already there (a user's
 * own choices, and settings from before a key was added here). A file that is not plain JSON
 * (a user added comments) is left as it is.
 */
function writeUserSettings(file) {
  let current = {};
  if (existsSync(file)) {
    try {
      current = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return;
    }
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return;
  }
  const merged = { ...USER_SETTINGS, ...current };
  if (existsSync(file) && Object.keys(merged).length === Object.keys(current).length) return;
  writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
}

export function editorPaths(dir) {
  const home = join(dir, '.brightrun', 'code-server');
  return {
    home,
    userDataDir: join(home, 'user-data'),
    extensionsDir: join(home, 'extensions'),
    config: join(home, 'config.yaml'),
    log: join(dir, '.brightrun', 'logs', 'code-server.log'),
  };
}

/** code-server's environment: never our tsx loader or a test runner's options. */
function editorEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Installs the .vsix into the profile unless this very file (size and time) is installed.
 * `--install-extension` starts code-server's CLI (about 1-2 s), so it is skipped when it can be.
 */
function installExtension(bin, paths, vsix) {
  const stat = statSync(vsix);
  const stamp = join(paths.extensionsDir, '.brightrun-vsix');
  const wanted = `${stat.size}:${stat.mtimeMs}`;
  const installed =
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === wanted &&
    readdirSync(paths.extensionsDir).some((name) => name.startsWith('brightrun.brightrun-'));
  if (installed) return false;
  const result = spawnSync(
    process.execPath,
    [
      bin,
      '--user-data-dir',
      paths.userDataDir,
      '--extensions-dir',
      paths.extensionsDir,
      '--config',
      paths.config,
      '--force',
      '--install-extension',
      vsix,
    ],
    { env: editorEnv(), encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(
      `installing ${vsix} into code-server failed:\n${result.stdout}${result.stderr}`,
    );
  }
  writeFileSync(stamp, wanted);
  return true;
}

/**
 * Starts code-server on 127.0.0.1:port opening `folder` (`port` 0 takes any free port).
 * Returns at once with `{child, exited, stop, ready}`; `ready` resolves with `{url, port}` once
 * code-server answers HTTP (and on failure stops it and rejects), so a Ctrl-C while it starts
 * can still stop it.
 */
export function launchEditor({ dir, folder, port, vsix, log }) {
  const bin = ensureCodeServer();
  const paths = editorPaths(dir);
  mkdirSync(join(paths.userDataDir, 'User'), { recursive: true });
  mkdirSync(paths.extensionsDir, { recursive: true });
  mkdirSync(join(dir, '.brightrun', 'logs'), { recursive: true });
  writeUserSettings(join(paths.userDataDir, 'User', 'settings.json'));
  writeFileSync(paths.config, 'auth: none\ncert: false\n');

  if (installExtension(bin, paths, vsix)) log('installed the extension into code-server');

  const logFile = createWriteStream(paths.log, { flags: 'a' });
  logFile.on('error', () => {});
  const started = spawnUntilReady(
    process.execPath,
    [
      bin,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--user-data-dir',
      paths.userDataDir,
      '--extensions-dir',
      paths.extensionsDir,
      '--config',
      paths.config,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      // VS Code's own welcome page (it lists BrightRun's walkthrough), not code-server's.
      '--disable-getting-started-override',
      '--ignore-last-opened',
      folder,
    ],
    { env: editorEnv(), detached: true },
    {
      what: 'code-server',
      timeoutMs: 120_000,
      isReady: (line) => /HTTP server listening on http:\/\/127\.0\.0\.1:\d+/.test(line),
      onLine: (line) => {
        logFile.write(`${line}\n`);
        return false;
      },
    },
  );
  const { child, exited } = started;

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      if (child.pid === undefined) return;
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child.pid, 'SIGTERM');
        try {
          await withTimeout(exited, 5000, 'code-server did not stop');
        } catch {
          killGroup(child.pid, 'SIGKILL');
          await exited;
        }
      }
      // Extension hosts and language servers in the group may outlive code-server itself.
      killGroup(child.pid, 'SIGKILL');
      await new Promise((resolve) => logFile.end(resolve));
    })();
    return stopping;
  };

  const ready = (async () => {
    try {
      const line = await started.ready;
      const actualPort = Number(/127\.0\.0\.1:(\d+)/.exec(line)[1]);
      const url = `http://127.0.0.1:${actualPort}`;
      // Listening is not yet serving: ask code-server's health endpoint once.
      const status = await httpStatus(`${url}/healthz`);
      if (status !== 200) throw new Error(`code-server answered ${status} on ${url}/healthz`);
      return { url, port: actualPort };
    } catch (error) {
      await stop();
      throw error;
    }
  })();
  return { child, exited, stop, ready, paths };
}
