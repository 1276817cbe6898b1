// The local stack as a user runs it: the built `brightrun local up` in a fresh workspace, then
// the gateway (functions and file store), the scheduler, `local user add`, verify-integration,
// `local down`, a restart that finds the data, and a killed stack that lost nothing committed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { signHs256 } from '../../server/src/local/keys.ts';
import type { LocalInfo, Secrets } from '../../server/src/local/stack.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'brightrun.mjs');
const deno = join(root, 'node_modules', '.bin', 'deno');
const functionsDir = join(root, 'supabase', 'functions');
const hasFunction = (name: string) => existsSync(join(functionsDir, name, 'handler.ts'));
const ALL_FUNCTIONS = [
  'api',
  'validate-datasets',
  'process-training-jobs',
  'create-model-artifacts',
];
const OWNER = '11111111-2222-4333-8444-555555555555';
/** The built CLI runs on plain Node: no tsx loader from mocha's NODE_OPTIONS. */
const plainEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS'),
);

/** Running, and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves once `test()` holds, checking on every tick of `intervalMs`; rejects on timeout. */
async function until(what: string, test: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    // Another process's exit or log line cannot be awaited directly: look again shortly.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Up {
  child: ChildProcess;
  ms: number;
  stderr: string[];
  exited: Promise<number | null>;
}

function startUp(workspace: string): Promise<Up> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [bin, 'local', 'up', '--dir', workspace, '--port', '0', '--db-port', '0'],
    { cwd: workspace, env: plainEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "ready" in 90 s:\n${stderr.join('\n')}`)),
      90_000,
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') {
        clearTimeout(timer);
        resolve({ child, ms: Date.now() - started, stderr, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`local up exited (${code}) before ready:\n${stderr.join('\n')}`));
    });
  });
}

/** Sends a request with its path exactly as given (no URL normalisation); resolves the status. */
function rawRequest(base: string, method: string, path: string, body: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      hostname,
      port,
      method,
      path,
      headers: { 'content-type': 'application/jsonl' },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function cli(workspace: string, ...args: string[]) {
  return spawnSync(process.execPath, [bin, 'local', ...args, '--dir', workspace], {
    encoding: 'utf8',
    env: plainEnv,
    timeout: 90_000,
  });
}

/** A signed URL made by the functions' own token module (supabase/local/sign-url.ts). */
function signUrl(info: LocalInfo, secret: string, ...args: string[]): string {
  const result = spawnSync(
    deno,
    [
      'run',
      '--config',
      join(functionsDir, 'deno.json'),
      '--allow-env',
      join(root, 'supabase', 'local', 'sign-url.ts'),
      ...args,
    ],
    {
      cwd: functionsDir,
      encoding: 'utf8',
      env: { ...process.env, SUPABASE_URL: info.url, BRIGHTRUN_JWT_SECRET: secret },
    },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim();
}

function postmasterPid(workspace: string): number {
  const file = join(workspace, '.brightrun', 'postgres', 'data', 'postmaster.pid');
  return Number(readFileSync(file, 'utf8').split('\n')[0]);
}

function logLines(workspace: string, name: string): Record<string, unknown>[] {
  const file = join(workspace, '.brightrun', 'logs', `${name}.log`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('local stack (brightrun local up)', function () {
  this.timeout(180_000);
  let workspace: string;
  let up: Up | undefined;
  let info: LocalInfo;
  let secrets: Secrets;

  before(async () => {
    if (!existsSync(join(root, 'dist', 'server', 'cli.js'))) {
      assert.equal(spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root }).status, 0);
    }
    workspace = mkdtempSync(join(tmpdir(), 'brightrun-local-stack-'));
    // The postgres OS user must reach .brightrun/postgres inside it.
    chmodSync(workspace, 0o755);
    up = await startUp(workspace);
    info = JSON.parse(
      readFileSync(join(workspace, '.brightrun', 'local.json'), 'utf8'),
    ) as LocalInfo;
    secrets = JSON.parse(
      readFileSync(join(workspace, '.brightrun', 'secrets.json'), 'utf8'),
    ) as Secrets;
    console.log(`    (local up printed ready after ${up.ms} ms)`);
  });

  after(async () => {
    if (up && up.child.exitCode === null) {
      cli(workspace, 'down');
      await up.exited;
    }
    cli(workspace, 'down');
    rmSync(workspace, { recursive: true, force: true });
  });

  it('prints ready and writes .brightrun/local.json as the contract says', () => {
    for (const key of [
      'url',
      'apiUrl',
      'anonKey',
      'serviceRoleKey',
      'userToken',
      'userId',
      'userEmail',
      'dbUrl',
      'gpuClusterUrl',
      'storageDir',
      'pid',
    ] as const) {
      assert.ok(info[key], `local.json lacks ${key}`);
    }
    assert.equal(info.apiUrl, `${info.url}/functions/v1/api`);
    assert.equal(info.pid, up?.child.pid);
    const claims = JSON.parse(
      Buffer.from(info.userToken.split('.')[1], 'base64url').toString(),
    ) as Record<string, unknown>;
    assert.equal(claims.sub, info.userId);
    assert.equal(claims.role, 'authenticated');
    assert.equal(claims.aud, 'authenticated');
  });

  it('answers the api /health through the gateway with the local user token', async function () {
    if (!hasFunction('api')) this.skip();
    const response = await fetch(`${info.apiUrl}/health`, {
      headers: { authorization: `Bearer ${info.userToken}` },
    });
    const body = (await response.json()) as { success?: boolean };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.success, true);
    const anonymous = await fetch(`${info.apiUrl}/datasets`);
    assert.equal(anonymous.status, 401);
  });

  it('answers 404 for a function that does not exist, and keeps serving', async () => {
    const response = await fetch(`${info.url}/functions/v1/no-such-function/x`);
    assert.equal(response.status, 404);
    const health = await fetch(`${info.url}/health`);
    assert.equal(health.status, 200);
  });

  it('round-trips a file through signed upload and download URLs', async () => {
    const path = `${OWNER}/dataset-1/chats.jsonl`;
    const bytes = Buffer.from(
      Array.from({ length: 2000 }, (_, i) => `{"prompt":"q${i}","completion":"a${i}"}\n`).join(''),
    );
    const uploadUrl = signUrl(info, secrets.jwtSecret, 'upload', 'lora-datasets', path, '600');
    const put = await fetch(uploadUrl, {
      method: 'PUT',
      headers: { 'content-type': 'application/jsonl' },
      body: bytes,
    });
    assert.equal(put.status, 200, await put.clone().text());
    assert.deepEqual(await put.json(), { Key: `lora-datasets/${path}` });

    const downloadUrl = signUrl(info, secrets.jwtSecret, 'download', 'lora-datasets', path, '600');
    const get = await fetch(downloadUrl);
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('content-type'), 'application/jsonl');
    assert.ok(Buffer.from(await get.arrayBuffer()).equals(bytes), 'downloaded bytes differ');

    const ranged = await fetch(downloadUrl, { headers: { range: 'bytes=10-19' } });
    assert.equal(ranged.status, 206);
    assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(10, 20)));

    // The file store records the object as Supabase Storage does.
    const sql = postgres(info.dbUrl, { max: 1 });
    try {
      const [row] = await sql<{ owner: string; size: number; mimetype: string }[]>`
        select owner::text, (metadata->>'size')::int as size, metadata->>'mimetype' as mimetype
          from storage.objects where bucket_id = 'lora-datasets' and name = ${path}`;
      assert.deepEqual(row, { owner: OWNER, size: bytes.length, mimetype: 'application/jsonl' });
    } finally {
      await sql.end();
    }

    // The upload URL is single-use unless it allows upsert.
    const again = await fetch(uploadUrl, { method: 'PUT', body: bytes });
    assert.equal(again.status, 409);
  });

  it('refuses wrong, expired and misdirected tokens and paths outside the bucket folder', async () => {
    const path = `${OWNER}/dataset-2/data.jsonl`;
    const base = `${info.url}/storage/v1/object`;
    const put = (url: string) =>
      fetch(url, { method: 'PUT', headers: { 'content-type': 'application/jsonl' }, body: '{}\n' });
    const now = Math.floor(Date.now() / 1000);

    const forged = signHs256(
      { url: `lora-datasets/${path}`, exp: now + 600 },
      'not-the-secret-at-all',
    );
    assert.equal(
      (await put(`${base}/upload/sign/lora-datasets/${path}?token=${forged}`)).status,
      400,
    );

    const expired = signHs256(
      { url: `lora-datasets/${path}`, iat: now - 120, exp: now - 60 },
      secrets.jwtSecret,
    );
    const expiredAnswer = await put(`${base}/upload/sign/lora-datasets/${path}?token=${expired}`);
    assert.equal(expiredAnswer.status, 400);
    assert.match(((await expiredAnswer.json()) as { message: string }).message, /expired/);

    const missing = await put(`${base}/upload/sign/lora-datasets/${path}`);
    assert.equal(missing.status, 400);

    // A valid token for one object does not open another.
    const signed = new URL(signUrl(info, secrets.jwtSecret, 'upload', 'lora-datasets', path));
    const token = signed.searchParams.get('token') ?? '';
    const other = await put(
      `${base}/upload/sign/lora-datasets/${OWNER}/other/data.jsonl?token=${token}`,
    );
    assert.equal(other.status, 400);
    const otherBucket = await put(`${base}/upload/sign/lora-models/${path}?token=${token}`);
    assert.equal(otherBucket.status, 400);

    // Paths that climb out of the bucket's folder are refused as sent: fetch would normalise
    // `..` and `%2e%2e` away, so these go out verbatim through node:http.
    for (const escapePath of [
      `lora-datasets/${OWNER}/../../lora-models/x.bin`,
      `lora-datasets/${OWNER}/%2e%2e/%2e%2e/lora-models/x.bin`,
      `lora-datasets/${OWNER}/..%2f..%2flora-models/x.bin`,
    ]) {
      const answer = await rawRequest(
        info.url,
        'PUT',
        `/storage/v1/object/upload/sign/${escapePath}?token=${token}`,
        'x',
      );
      assert.equal(answer, 400, escapePath);
    }
    assert.equal(existsSync(join(info.storageDir, 'lora-models', 'x.bin')), false);

    // The bucket's MIME types and size limit apply.
    assert.equal((await put(signed.href)).status, 200);
    const png = signUrl(info, secrets.jwtSecret, 'upload', 'lora-datasets', `${OWNER}/d/x.png`);
    const pngAnswer = await fetch(png, {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: 'x',
    });
    assert.equal(pngAnswer.status, 415);
    const big = new URL(
      signUrl(info, secrets.jwtSecret, 'upload', 'lora-datasets', `${OWNER}/d/big.jsonl`),
    );
    const status = await new Promise<number>((resolve, reject) => {
      // Declares 500 MB + 1 byte and sends nothing: refused before any byte is read.
      const req = httpRequest(big, {
        method: 'PUT',
        headers: { 'content-type': 'application/jsonl', 'content-length': 524288001 },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(status, 413);
  });

  it('runs every background function on schedule, and at once when woken', async function () {
    const present = ALL_FUNCTIONS.slice(1).filter(hasFunction);
    if (present.length === 0) this.skip();
    await until('a scheduled run of each background function', () => {
      const ran = new Set(logLines(workspace, 'scheduler').map((l) => l.function));
      return present.every((name) => ran.has(name));
    });
    const name = present[0];
    const woken = await fetch(`${info.url}/functions/v1/${name}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${info.serviceRoleKey}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    assert.equal(woken.status, 202);
    await until('the woken run', () =>
      logLines(workspace, 'scheduler').some((l) => l.function === name && l.trigger === 'wake'),
    );
    for (const line of logLines(workspace, 'scheduler')) {
      assert.equal(typeof line.duration_ms, 'number');
      assert.equal(line.outcome, 'ok', JSON.stringify(line));
    }
    // Without the service key a call reaches the function, which refuses it.
    const refused = await fetch(`${info.url}/functions/v1/${name}`, { method: 'POST', body: '{}' });
    assert.ok([401, 403].includes(refused.status), String(refused.status));
  });

  it('passes scripts/verify-integration.ts', function () {
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'scripts', 'verify-integration.ts'),
        '--local',
        join(workspace, '.brightrun', 'local.json'),
      ],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    const failures = result.stdout.split('\n').filter((line) => line.includes('FAIL'));
    const missing = ALL_FUNCTIONS.filter((name) => !hasFunction(name));
    if (missing.length === 0) {
      assert.equal(result.status, 0, result.stdout + result.stderr);
    } else {
      // Until every function has landed, the only failures are the missing ones.
      assert.equal(result.status, 1);
      for (const line of failures) {
        assert.ok(
          missing.some((name) => line.includes(name)),
          `unexpected failure: ${line}`,
        );
      }
    }
    assert.match(result.stdout, /GPU cluster reachable/);
    assert.match(result.stdout, /row level security on notifications — enabled/);
  });

  it('adds a local user and prints a token for it', async () => {
    const result = cli(workspace, 'user', 'add', 'bob@example.com');
    assert.equal(result.status, 0, result.stderr);
    const token = result.stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
      sub: string;
      email: string;
    };
    assert.equal(claims.email, 'bob@example.com');
    assert.notEqual(claims.sub, info.userId);
    // Adding the same address again finds the same user.
    const again = cli(workspace, 'user', 'add', 'bob@example.com');
    const sameSub = (
      JSON.parse(Buffer.from(again.stdout.trim().split('.')[1], 'base64url').toString()) as {
        sub: string;
      }
    ).sub;
    assert.equal(sameSub, claims.sub);
    if (hasFunction('api')) {
      const health = await fetch(`${info.apiUrl}/health`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(health.status, 200);
    }
  });

  it('stops with local down, leaving nothing running, and a second up finds the data', async () => {
    assert.ok(up);
    const status = cli(workspace, 'status');
    assert.equal(status.status, 0, status.stdout);
    const pids = [up.child.pid ?? 0, info.gatewayPid, postmasterPid(workspace)];
    const down = cli(workspace, 'down');
    assert.equal(down.status, 0, down.stderr);
    assert.equal(down.stdout.trim(), 'stopped');
    assert.equal(await up.exited, 0);
    for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} still runs`);
    assert.equal(existsSync(join(workspace, '.brightrun', 'local.json')), false);
    assert.equal(cli(workspace, 'status').status, 1);

    up = await startUp(workspace);
    const second = JSON.parse(
      readFileSync(join(workspace, '.brightrun', 'local.json'), 'utf8'),
    ) as LocalInfo;
    assert.equal(second.userId, info.userId, 'the local user changed');
    assert.equal(second.serviceRoleKey, info.serviceRoleKey, 'the keys changed');
    const ready = logLines(workspace, 'stack').filter((l) => l.event === 'postgres_ready');
    assert.deepEqual(ready.at(-1)?.migrations_applied, [], 'migrations ran again');
    const sql = postgres(second.dbUrl, { max: 1 });
    try {
      const users = await sql`select 1 from auth.users where email = 'bob@example.com'`;
      assert.equal(users.length, 1);
      const objects = await sql`select 1 from storage.objects where bucket_id = 'lora-datasets'`;
      assert.ok(objects.length >= 2);
    } finally {
      await sql.end();
    }
    info = second;
  });

  it('loses no committed data when the stack is killed', async () => {
    assert.ok(up);
    const sql = postgres(info.dbUrl, { max: 1 });
    try {
      await sql`insert into auth.users (id, aud, role, email) values
        (gen_random_uuid(), 'authenticated', 'authenticated', 'committed@example.com')`;
    } finally {
      await sql.end();
    }
    const gatewayPid = info.gatewayPid;
    const serverPid = postmasterPid(workspace);
    up.child.kill('SIGKILL');
    await up.exited;
    // The database server too, as a power cut would: the next start replays the WAL.
    process.kill(serverPid, 'SIGKILL');
    await until('the killed database server to go', () => !alive(serverPid));
    // The gateway notices its launcher is gone (stdin closes) and exits by itself.
    await until('the orphaned gateway to exit', () => !alive(gatewayPid));

    up = await startUp(workspace);
    const third = JSON.parse(
      readFileSync(join(workspace, '.brightrun', 'local.json'), 'utf8'),
    ) as LocalInfo;
    const check = postgres(third.dbUrl, { max: 1 });
    try {
      const rows = await check`select 1 from auth.users where email = 'committed@example.com'`;
      assert.equal(rows.length, 1, 'a committed row was lost');
    } finally {
      await check.end();
    }
    const postgresPid = postmasterPid(workspace);
    assert.equal(cli(workspace, 'down').status, 0);
    assert.equal(await up.exited, 0);
    assert.equal(alive(postgresPid), false);
  });

  it('stops everything and exits 1 when the gateway dies on its own', async () => {
    up = await startUp(workspace);
    const current = JSON.parse(
      readFileSync(join(workspace, '.brightrun', 'local.json'), 'utf8'),
    ) as LocalInfo;
    const postgresPid = postmasterPid(workspace);
    process.kill(current.gatewayPid, 'SIGKILL');
    assert.equal(await up.exited, 1);
    assert.ok(
      up.stderr.some((line) => /gateway exited/.test(line)),
      up.stderr.join('\n'),
    );
    assert.equal(alive(postgresPid), false, 'the database server still runs');
    assert.equal(existsSync(join(workspace, '.brightrun', 'local.json')), false);
  });

  it('stops cleanly, without printing ready, when signalled while it starts', async () => {
    const child = spawn(
      process.execPath,
      [bin, 'local', 'up', '--dir', workspace, '--port', '0', '--db-port', '0'],
      { cwd: workspace, env: plainEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const stdout: string[] = [];
    const stderr: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => stdout.push(line));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr.push(line);
      if (line === 'brightrun local: starting the GPU cluster') child.kill('SIGTERM');
    });
    assert.equal(await exited, 0, stderr.join('\n'));
    assert.deepEqual(stdout, [], 'it printed ready although it was told to stop');
    assert.deepEqual(stderr.slice(-2), [
      'brightrun local: stopping (SIGTERM)',
      'brightrun local: stopped',
    ]);
    assert.equal(existsSync(join(workspace, '.brightrun', 'local.json')), false);
    assert.equal(
      existsSync(join(workspace, '.brightrun', 'postgres', 'data', 'postmaster.pid')),
      false,
      'Postgres still runs',
    );
  });

  it('finishes stopping when the Ctrl-C of `npm start` arrives as SIGTERM and then SIGINT', async () => {
    // `npm start -- --no-editor` passes the terminal's Ctrl-C on as SIGTERM, and the terminal
    // sends SIGINT to the stack directly: one keypress, two signals, in either order.
    up = await startUp(workspace);
    const postgresPid = postmasterPid(workspace);
    up.child.kill('SIGTERM');
    await until('the stack to start stopping', () =>
      up!.stderr.includes('brightrun local: stopping (SIGTERM)'),
    );
    up.child.kill('SIGINT');
    assert.equal(await up.exited, 0, up.stderr.join('\n'));
    assert.ok(up.stderr.includes('brightrun local: stopped'), up.stderr.join('\n'));
    assert.equal(alive(postgresPid), false, 'the database server still runs');
  });
});
