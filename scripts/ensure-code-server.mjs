// Installs code-server (a real VS Code with a web UI and a Node extension host) into a
// project-local folder for the extension-host and UI tests and for `npm start`. It is not a
// dependency in package.json: it is large and needs a native build, and `npm ci` stays light.
// Idempotent: when the pinned version is already there it returns in milliseconds.
// Plain Node on purpose: it runs from ensure-deps before any dependency exists.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const codeServerVersion = '4.100.3';

const root = fileURLToPath(new URL('..', import.meta.url));
export const toolsDir = join(root, '.brightrun-tools', 'code-server');
/** The launcher script code-server's npm package installs. */
export const codeServerBin = join(
  toolsDir,
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);

function installedVersion() {
  const manifest = join(toolsDir, 'node_modules', 'code-server', 'package.json');
  if (!existsSync(manifest) || !existsSync(codeServerBin)) return undefined;
  try {
    return JSON.parse(readFileSync(manifest, 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * `@vscode/ripgrep`'s postinstall downloads a binary from GitHub, which is unreachable here.
 * It first looks in this cache for the tarball, so put one there holding Debian's `rg`.
 */
function seedRipgrepCache() {
  const cache = join(process.env.TMPDIR || tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const tarball = join(cache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (existsSync(tarball)) return;
  if (!existsSync('/usr/bin/rg')) {
    throw new Error('ripgrep is missing: install the Debian package "ripgrep" first');
  }
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'brightrun-rg-'));
  try {
    copyFileSync('/usr/bin/rg', join(staging, 'rg'));
    execFileSync('tar', ['-czf', tarball, '-C', staging, 'rg']);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export function ensureCodeServer() {
  if (installedVersion() === codeServerVersion) return codeServerBin;
  console.log(`brightrun: installing code-server ${codeServerVersion} into ${toolsDir}`);
  seedRipgrepCache();
  mkdirSync(toolsDir, { recursive: true });
  // A manifest of its own keeps npm from walking up to the project's package.json.
  const manifest = join(toolsDir, 'package.json');
  if (!existsSync(manifest)) {
    writeFileSync(manifest, JSON.stringify({ name: 'brightrun-tools', private: true }) + '\n');
  }
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      toolsDir,
      '--no-audit',
      '--no-fund',
      '--save-exact',
      '--omit=dev',
      `code-server@${codeServerVersion}`,
    ],
    {
      cwd: toolsDir,
      stdio: 'inherit',
      // code-server's postinstall.sh refuses to run as root unless npm_config_unsafe_perm is
      // set, although npm itself dropped the setting (npm 11 warns that it does not know it).
      // The machine's npmrc says `yes=false`, which cancels node-pty's `npx node-gyp`.
      env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' },
    },
  );
  if (installedVersion() !== codeServerVersion) {
    throw new Error(`code-server ${codeServerVersion} did not install into ${toolsDir}`);
  }
  return codeServerBin;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(ensureCodeServer());
}
