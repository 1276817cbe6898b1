// Deno for the functions tier: where it is, the functions' config, and a one-time cache of
// their npm packages with a clear timeout (the first run downloads them from the registry).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { denoTlsEnv } from '../../../server/src/local/deno-tls-env.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DENO = join(REPO_ROOT, 'node_modules', '.bin', 'deno');
export const DENO_CONFIG = join(REPO_ROOT, 'supabase', 'functions', 'deno.json');

const CACHE_TIMEOUT_MS = 180_000;
let cached = false;

/** Downloads (once per process) the npm packages the functions import. */
export function ensureDenoDeps(functions: string[]): void {
  if (cached) return;
  if (!existsSync(DENO)) throw new Error(`Deno is missing at ${DENO}: run npm install`);
  const entries = functions.map((name) =>
    join(REPO_ROOT, 'supabase', 'functions', name, 'index.ts'),
  );
  const result = spawnSync(DENO, ['install', '--config', DENO_CONFIG, '--entrypoint', ...entries], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: CACHE_TIMEOUT_MS,
    env: denoEnv({}),
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    throw new Error(
      `Caching the functions' npm packages took over ${CACHE_TIMEOUT_MS / 1000} s: is registry.npmjs.org reachable?`,
    );
  }
  if (result.status !== 0) {
    throw new Error(`deno install failed (${result.status}):\n${result.stderr}`);
  }
  cached = true;
}

function denoEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = [
    'PATH',
    'HOME',
    'DENO_DIR',
    'TMPDIR',
    'NPM_CONFIG_REGISTRY',
    'HTTPS_PROXY',
    'HTTP_PROXY',
    'NO_PROXY',
  ];
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...denoTlsEnv() };
  for (const name of keep) if (process.env[name] !== undefined) env[name] = process.env[name];
  return { ...env, ...extra };
}
