// The Edge Functions are Deno code outside the Node TypeScript project (tsconfig excludes
// supabase/functions): type-check and lint them with Deno itself, the way Supabase bundles them,
// and run the Deno unit tests of _shared (auth with HS256 and JWKS, error mapping).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DENO, DENO_CONFIG, REPO_ROOT, ensureDenoDeps } from './support/deno.ts';
import { denoTlsEnv } from '../../server/src/local/deno-tls-env.ts';

const FUNCTIONS_DIR = join(REPO_ROOT, 'supabase', 'functions');

function functionNames(): string[] {
  return readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_') && d.name !== 'node_modules')
    .filter((d) => existsSync(join(FUNCTIONS_DIR, d.name, 'index.ts')))
    .map((d) => d.name);
}

function deno(args: string[]) {
  return spawnSync(DENO, args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...denoTlsEnv() },
  });
}

describe('Edge Functions: deno check and deno lint', function () {
  this.timeout(240_000);

  it('every function type-checks (deno check supabase/functions/*/index.ts)', function () {
    const names = functionNames();
    assert.ok(names.includes('api'), `functions found: ${names.join(', ')}`);
    ensureDenoDeps(names);
    const result = deno([
      'check',
      '--config',
      DENO_CONFIG,
      ...names.map((n) => join(FUNCTIONS_DIR, n, 'index.ts')),
    ]);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });

  it('the Deno unit tests of _shared pass (deno test supabase/functions/_shared/tests)', function () {
    ensureDenoDeps(['api']);
    const result = deno([
      'test',
      '--allow-env',
      '--allow-net=127.0.0.1',
      '--config',
      DENO_CONFIG,
      join(FUNCTIONS_DIR, '_shared', 'tests'),
    ]);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /ok \| \d+ passed \| 0 failed/);
  });

  it('the functions and _shared pass deno lint', function () {
    const result = deno(['lint', '--config', DENO_CONFIG, FUNCTIONS_DIR]);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });
});
