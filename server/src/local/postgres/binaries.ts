// Finds Debian's Postgres server binaries (any major) and installs them with apt when missing.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The bin folder of the newest installed major, e.g. /usr/lib/postgresql/15/bin. */
export function findPostgresBinDir(): string | undefined {
  if (!existsSync(DEBIAN_ROOT)) return undefined;
  const majors = readdirSync(DEBIAN_ROOT)
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => existsSync(join(DEBIAN_ROOT, name, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length > 0 ? join(DEBIAN_ROOT, majors[0], 'bin') : undefined;
}

/** The bin folder, installing the `postgresql` package first when no server is present. */
export function ensurePostgresBinDir(): string {
  const found = findPostgresBinDir();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'Postgres server binaries not found under /usr/lib/postgresql/*/bin: ' +
        'run `apt-get install -y postgresql` as root (or run the tests as root).',
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // A fresh machine has no package lists yet; `update` first, as environment.md says.
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'postgresql'], {
    stdio: 'inherit',
    env,
  });
  const installed = findPostgresBinDir();
  if (!installed) throw new Error('apt-get installed postgresql but no server binary was found');
  return installed;
}
