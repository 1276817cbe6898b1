// Makes a fresh machine ready for `npm start` and `npm test`: Debian packages first (as root,
// with apt), then npm packages when node_modules is missing or older than the lockfile.
// Plain Node on purpose: it runs before any dependency exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer } from './ensure-code-server.mjs';
import { systemPackages } from './system-packages.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function missingPackages() {
  return systemPackages.filter((p) => !p.present());
}

function installSystemPackages() {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const names = [...new Set(missing.map((p) => p.apt))];
  if (process.getuid?.() !== 0) {
    console.error(`brightrun: please install these Debian packages: ${names.join(' ')}`);
    process.exit(1);
  }
  console.log(`brightrun: installing Debian packages: ${names.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...names], {
    stdio: 'inherit',
    env,
  });
}

function installNodeModules() {
  const modules = join(root, 'node_modules');
  const marker = join(modules, '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs - 1000;
  if (!stale) return;
  console.log('brightrun: installing npm dependencies (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, npm_config_yes: 'true' },
  });
}

if (!has('npm')) {
  console.error('brightrun: npm is required (Node.js 20 with npm).');
  process.exit(1);
}
installSystemPackages();
installNodeModules();
// code-server lives outside node_modules (see ensure-code-server.mjs); fast when present.
ensureCodeServer();
