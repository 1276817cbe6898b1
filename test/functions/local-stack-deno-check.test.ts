// The local gateway and its URL-signing helper are Deno code outside the Node TypeScript project
// (ESLint skips supabase/local/): type-check and lint them with Deno, against the functions'
// configuration they run with.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { denoTlsEnv } from '../../server/src/local/deno-tls-env.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const deno = join(root, 'node_modules', '.bin', 'deno');
const config = join(root, 'supabase', 'functions', 'deno.json');
const files = ['gateway.ts', 'sign-url.ts'].map((f) => join(root, 'supabase', 'local', f));

function run(args: string[]) {
  return spawnSync(deno, args, {
    cwd: join(root, 'supabase', 'functions'),
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...denoTlsEnv() },
  });
}

describe('local gateway: deno check and deno lint', function () {
  this.timeout(240_000);

  it('type-checks supabase/local/*.ts', () => {
    const result = run(['check', '--config', config, ...files]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it('lints supabase/local/*.ts', () => {
    const result = run(['lint', '--config', config, ...files]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
});
