import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findLocalConfig,
  localConfigCandidates,
  localStackAlive,
  readLocalStack,
} from '../../../client/src/backend/local-config.ts';

describe('client: the local stack file (.brightrun/local.json)', () => {
  let dir: string;
  const info = {
    url: 'http://127.0.0.1:54321/',
    apiUrl: 'http://127.0.0.1:54321/functions/v1/api',
    anonKey: 'anon.jwt.key',
    serviceRoleKey: 'service.role.key',
    userToken: 'user.jwt.token',
    userId: '11111111-2222-4333-8444-555555555555',
    userEmail: 'local-user@brightrun.local',
    dbUrl: 'postgres://x',
    gpuClusterUrl: 'http://127.0.0.1:1',
    storageDir: '/tmp/x',
    pid: process.pid,
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'brightrun-client-local-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(folder: string, value: unknown): string {
    mkdirSync(join(folder, '.brightrun'), { recursive: true });
    const file = join(folder, '.brightrun', 'local.json');
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  }

  it('looks in the configured folder first, then in each workspace folder', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    assert.deepEqual(localConfigCandidates('/cfg', [a, b]), [
      '/cfg/local.json',
      '/cfg/.brightrun/local.json',
      join(a, '.brightrun', 'local.json'),
      join(b, '.brightrun', 'local.json'),
    ]);
    assert.equal(findLocalConfig(localConfigCandidates('', [a, b])), undefined);
    const file = write(b, info);
    assert.equal(findLocalConfig(localConfigCandidates('', [a, b])), file);
  });

  it('keeps the API URL and user token but never the service role key', () => {
    const stack = readLocalStack(write(dir, info));
    assert.equal(stack.url, 'http://127.0.0.1:54321');
    assert.equal(stack.apiUrl, 'http://127.0.0.1:54321/functions/v1/api');
    assert.equal(stack.userToken, 'user.jwt.token');
    assert.equal(stack.userEmail, 'local-user@brightrun.local');
    assert.ok(!JSON.stringify(stack).includes('service.role.key'));
    assert.equal(localStackAlive(stack), true);
  });

  it('derives apiUrl from url when it is missing', () => {
    const rest: Partial<typeof info> = { ...info };
    delete rest.apiUrl;
    assert.equal(
      readLocalStack(write(dir, rest)).apiUrl,
      'http://127.0.0.1:54321/functions/v1/api',
    );
  });

  it('says how to fix a broken or incomplete file', () => {
    assert.throws(
      () => readLocalStack(write(dir, '{not json')),
      /not readable JSON.*npx brightrun local up/,
    );
    const rest: Partial<typeof info> = { ...info };
    delete rest.userToken;
    assert.throws(
      () => readLocalStack(write(dir, rest)),
      /has no "userToken"\. Restart the local stack/,
    );
  });

  it('tells a stack whose process has exited', () => {
    const stack = readLocalStack(write(dir, { ...info, pid: 2 ** 22 + 12345 }));
    assert.equal(localStackAlive(stack), false);
  });
});
